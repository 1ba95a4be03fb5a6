package dev.sett.internal.sstable;

import static dev.sett.testing.Bytes.bytes;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sett.internal.codec.CompressionType;
import dev.sett.internal.fs.DecoderFuzzing;
import dev.sett.internal.fs.InMemoryFileSystem;
import dev.sett.internal.fs.WritableFile;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValueIterator;
import dev.sett.internal.key.ValueStruct;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The SSTable reader (header, footer, block index, bloom filter, properties, blocks) on arbitrary
 * bytes: opened with every block verified, iterated both ways, probed with point lookups and
 * verified. See {@link DecoderFuzzing} for the rule and the commands.
 */
class TableFuzzTest {
  private static final Path PATH = Path.of("/fuzz/000001.sst");

  @FuzzTest(maxDuration = "10s")
  void tableRead(byte[] data) {
    DecoderFuzzing.check(TableFuzzTest::decode, data);
  }

  @Test
  void mutatedTablesAreReadOrReportedAsCorrupt() throws IOException {
    for (CompressionType compression : CompressionType.values()) {
      byte[] valid = validTable(compression);
      DecoderFuzzing.maybeWriteSeed(TableFuzzTest.class, "tableRead", valid);
      DecoderFuzzing.mutationRun("SSTable " + compression, valid, TableFuzzTest::decode);
    }
  }

  static void decode(byte[] data) throws IOException {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    fs.createDirectories(PATH.getParent());
    try (WritableFile file = fs.createFile(PATH)) {
      file.write(data);
    }
    // Not verified at open, so the reads below meet damaged blocks themselves.
    Table table = Table.open(fs, PATH, 1, new TableOptions(64, 0.01, CompressionType.NONE, 1,
        false, true), BlockCache.disabled());
    try {
      for (boolean reverse : new boolean[] {false, true}) {
        KeyValueIterator it = table.iterator(reverse);
        int steps = 0;
        for (it.rewind(); it.valid() && steps < 100_000; it.next(), steps++) {
          it.key();
          it.value();
        }
        it.seek(InternalKey.of(bytes("key0005"), 10));
      }
      table.mayContain(bytes("key0003"));
      table.get(bytes("key0003"), Long.MAX_VALUE);
      table.get(bytes("absent"), Long.MAX_VALUE);
      table.verifyChecksums();
    } finally {
      table.release();
    }
  }


  private static byte[] validTable(CompressionType compression) throws IOException {
    TableBuilder builder = new TableBuilder(new TableOptions(64, 0.01, compression, 1, false,
        true));
    for (int i = 0; i < 20; i++) {
      byte[] value = ("value " + i).repeat(1 + i % 3).getBytes(StandardCharsets.UTF_8);
      builder.add(InternalKey.of(bytes(String.format("key%04d", i)), 5),
          new ValueStruct((byte) 0, (byte) 0, 0, 5, value));
    }
    InMemoryFileSystem fs = new InMemoryFileSystem();
    fs.createDirectories(PATH.getParent());
    builder.writeTo(fs, PATH);
    return fs.readAllBytes(PATH);
  }
}
