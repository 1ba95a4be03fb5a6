package dev.sett.internal.sstable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.codec.CompressionType;
import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.ValueStruct;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The builder stops compressing most blocks of a run of incompressible data and picks compression
 * up again when the data compresses: every entry reads back, and the compressible half still
 * shrinks.
 */
class AdaptiveCompressionTest {
  @TempDir
  Path dir;

  @Test
  void incompressibleRunThenCompressibleRun() throws Exception {
    FileSystem fs = FileSystem.defaultFileSystem();
    TableOptions options = new TableOptions(4096, 0.01, CompressionType.LZ4, 1, false, true);
    TableBuilder builder = new TableBuilder(options);
    Random random = new Random(1);
    int entries = 2000;
    byte[][] values = new byte[entries][];
    for (int i = 0; i < entries; i++) {
      values[i] = new byte[500];
      if (i < entries / 2) {
        random.nextBytes(values[i]);      // incompressible
      } else {
        java.util.Arrays.fill(values[i], (byte) 'x'); // compresses a lot
      }
      builder.add(InternalKey.of(key(i), 1), new ValueStruct((byte) 0, (byte) 0, 0, 0, values[i]));
    }
    Path path = dir.resolve(Table.fileName(1));
    builder.writeTo(fs, path);
    Table table = Table.open(fs, path, 1, options, new BlockCache(1 << 20));
    try {
      for (int i = 0; i < entries; i++) {
        ValueStruct value = table.get(key(i), 1);
        assertNotNull(value, "entry " + i);
        assertArrayEquals(values[i], value.value(), "entry " + i);
      }
      long raw = (long) entries * 520;
      // Half incompressible (stored as is), half compressed to almost nothing: well under 3/4.
      assertTrue(table.onDiskSize() < raw * 3 / 4, table.onDiskSize() + " of " + raw);
    } finally {
      table.release();
    }
  }

  private static byte[] key(int i) {
    return String.format("key%08d", i).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }
}
