package dev.sett.internal.sstable;

import static dev.sett.testing.Bytes.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.codec.CompressionType;
import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.fs.InMemoryFileSystem;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.Meta;
import dev.sett.internal.key.ValueStruct;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A fixed table compared byte for byte with the worked example of docs/format/sstable.md, so the
 * document and the code cannot drift apart. A change here is a format change: bump
 * {@link TableFormat#FORMAT_VERSION} and update the document.
 */
class TableGoldenTest {
  static final String GOLDEN = """
      0000: 53 65 74 74 53 53 54 00 01 00 00 00 9c f5 bf ab
      0010: 00 00 09 00 61 ff ff ff ff ff ff ff fd 00 00 00
      0020: 76 32 08 00 01 00 fe 01 00 00 00 00 09 00 62 ff
      0030: ff ff ff ff ff ff fe 00 07 ac 02 78 79 7a 00 00
      0040: 00 00 12 00 00 00 1a 00 00 00 03 00 00 00 00 81
      0050: c7 b7 be 01 00 00 00 08 00 00 00 10 00 00 00 00
      0060: 00 00 00 43 00 00 00 09 00 61 ff ff ff ff ff ff
      0070: ff fd 95 1d 56 36 40 00 00 00 07 03 10 01 a8 02
      0080: 40 00 70 eb 94 bf 66 03 00 00 00 00 00 00 00 02
      0090: 00 00 00 00 00 00 00 3e 00 00 00 00 00 00 00 00
      00a0: 00 00 00 00 00 00 00 00 01 00 00 00 09 00 61 ff
      00b0: ff ff ff ff ff ff fd 09 00 62 ff ff ff ff ff ff
      00c0: ff fe d9 57 6c 6b 53 00 00 00 00 00 00 00 23 00
      00d0: 00 00 76 00 00 00 00 00 00 00 11 00 00 00 87 00
      00e0: 00 00 00 00 00 00 3f 00 00 00 e6 55 a0 d0 01 00
      00f0: 00 00 53 65 74 74 53 53 54 00
      """;

  @Test
  void goldenTableIsByteForByteTheDocumentedOne() throws IOException {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    Path path = Path.of("/db/000001.sst");
    goldenBuilder().writeTo(fs, path);
    String dump = hexDump(fs.readAllBytes(path));
    assertEquals(GOLDEN, dump);

    String document = new String(FileSystem.defaultFileSystem().readAllBytes(
        Path.of("docs/format/sstable.md")), StandardCharsets.UTF_8);
    assertTrue(document.contains(GOLDEN), "docs/format/sstable.md shows the golden table's dump");
  }

  @Test
  void goldenTableReadsBack() throws IOException {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    Path path = Path.of("/db/000001.sst");
    goldenBuilder().writeTo(fs, path);
    Table table = Table.open(fs, path, 1, TableOptions.defaults(), BlockCache.disabled());
    try {
      assertEquals(3, table.keyCount());
      assertEquals(2, table.maxVersion());
      assertEquals(new ValueStruct((byte) 0, (byte) 0, 0, 2, bytes("v2")),
          table.get(bytes("a"), 5));
      assertTrue(table.get(bytes("a"), 1).isDeleted());
      assertEquals(new ValueStruct((byte) 0, (byte) 7, 300, 1, bytes("xyz")),
          table.get(bytes("b"), 1));
    } finally {
      table.release();
    }
  }

  /** {@code a@2 = "v2"}, {@code a@1} deleted, {@code b@1 = "xyz"} with user meta 7, expiring at 300. */
  private static TableBuilder goldenBuilder() throws IOException {
    TableBuilder builder = new TableBuilder(
        new TableOptions(4096, 0.01, CompressionType.NONE, 1, false, true));
    builder.add(InternalKey.of(bytes("a"), 2), new ValueStruct((byte) 0, (byte) 0, 0, 0,
        bytes("v2")));
    builder.add(InternalKey.of(bytes("a"), 1), new ValueStruct(Meta.DELETE, (byte) 0, 0, 0,
        new byte[0]));
    builder.add(InternalKey.of(bytes("b"), 1), new ValueStruct((byte) 0, (byte) 7, 300, 0,
        bytes("xyz")));
    return builder;
  }

  /** Sixteen bytes a line, each line starting with its offset in hex: {@code 0000: 53 65 ...}. */
  static String hexDump(byte[] bytes) {
    StringBuilder out = new StringBuilder();
    for (int line = 0; line < bytes.length; line += 16) {
      out.append(String.format("%04x:", line));
      for (int i = line; i < Math.min(bytes.length, line + 16); i++) {
        out.append(String.format(" %02x", bytes[i] & 0xFF));
      }
      out.append('\n');
    }
    return out.toString();
  }
}
