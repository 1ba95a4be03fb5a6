package dev.sett.internal.memtable;

import static dev.sett.testing.Bytes.bytes;
import static dev.sett.testing.Bytes.hex;
import static dev.sett.testing.Bytes.unhex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.fs.CorruptFileException;
import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.fs.UnsupportedFormatException;
import dev.sett.internal.key.KeyValue;
import dev.sett.internal.key.Meta;
import dev.sett.internal.key.ValueStruct;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps docs/format/wal.md honest: the worked example there is this file, byte for byte. If this
 * test fails, the format changed: bump {@link WalFormat#VERSION} and update the document.
 */
class WalGoldenTest {
  /** The hex dump in docs/format/wal.md, "Worked example". */
  static final String GOLDEN_WAL = """
      53 57 41 4c 01 00 00 00 07 00 00 00 00 00 00 00
      25 cb 0a 41 28 00 00 00 6c 63 4a a8 01 02 00 07
      ac 02 0d 61 70 70 6c 65 ff ff ff ff ff ff ff fa
      03 72 65 64 01 00 00 0b 66 69 67 ff ff ff ff ff
      ff ff f9 00
      """;

  /** Memtable 7; one transaction: apple@5 = "red" (userMeta 7, expires at 300), fig@6 deleted. */
  static final List<KeyValue> GOLDEN_BATCH = List.of(
      KeyValue.of(bytes("apple"), 5, new ValueStruct((byte) 0, (byte) 7, 300, 0, bytes("red"))),
      KeyValue.of(bytes("fig"), 6, new ValueStruct(Meta.DELETE, (byte) 0, 0, 0, new byte[0])));

  @TempDir
  Path directory;

  @Test
  void theWriterProducesTheDocumentedBytes() throws IOException {
    Path wal = directory.resolve("00007.mem");
    Memtable memtable = Memtable.create(FileSystem.defaultFileSystem(), wal, 7,
        new MemtableOptions(1 << 20, 4096), new SplittableRandom(1));
    memtable.write(GOLDEN_BATCH);
    memtable.closeWal();
    assertEquals(hex(unhex(GOLDEN_WAL)), hex(Files.readAllBytes(wal)));
  }

  @Test
  void theHeaderIsTheFirstTwentyBytes() {
    assertEquals(hex(Arrays.copyOf(unhex(GOLDEN_WAL), WalFormat.HEADER_LENGTH)),
        hex(WalFormat.header(7)));
  }

  @Test
  void theDocumentedBytesReplayToTheTransaction() throws IOException {
    Path wal = directory.resolve("golden.mem");
    Files.write(wal, unhex(GOLDEN_WAL));
    Memtable memtable = Memtable.recover(FileSystem.defaultFileSystem(), wal,
        new MemtableOptions(1 << 20, 4096), new SplittableRandom(1), true);
    assertEquals(7, memtable.id());
    assertEquals(68, memtable.walSize());
    assertEquals(new ValueStruct((byte) 0, (byte) 7, 300, 5, bytes("red")),
        memtable.get(bytes("apple"), 5));
    assertEquals(new ValueStruct(Meta.DELETE, (byte) 0, 0, 6, new byte[0]),
        memtable.get(bytes("fig"), 9));
    assertEquals(List.of("apple@5=red", "fig@6=<deleted>"), MemtableTest.dump(memtable));
  }

  @Test
  void everySingleBitFlipIsCaught() throws IOException {
    byte[] golden = unhex(GOLDEN_WAL);
    Path wal = directory.resolve("flipped.mem");
    for (int offset = 0; offset < golden.length; offset++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] flipped = golden.clone();
        flipped[offset] ^= (byte) (1 << bit);
        Files.write(wal, flipped);
        String context = "bit " + bit + " of byte " + offset;
        if (offset < WalFormat.HEADER_LENGTH) {
          IOException e = assertThrows(IOException.class,
              () -> WalReader.open(FileSystem.defaultFileSystem(), wal), context);
          assertTrue(e instanceof CorruptFileException || e instanceof UnsupportedFormatException,
              context + ": " + e);
          continue;
        }
        try (WalReader reader = WalReader.open(FileSystem.defaultFileSystem(), wal)) {
          assertNull(reader.next(), context);
          assertEquals(WalFormat.HEADER_LENGTH, reader.validEnd(), context);
        }
      }
    }
  }

  @Test
  void theDocumentQuotesTheGoldenBytes() throws IOException {
    Path document = Path.of("docs", "format", "wal.md");
    String text = Files.readString(document);
    String dump = GOLDEN_WAL.strip().lines().map(String::strip)
        .reduce((a, b) -> a + "\n" + b).orElseThrow();
    int at = 0;
    StringBuilder quoted = new StringBuilder();
    for (String line : text.lines().toList()) {
      if (line.matches("[0-9a-f]{8}  .*")) {
        quoted.append(quoted.length() == 0 ? "" : "\n").append(line.substring(10).strip());
        at++;
      }
    }
    assertEquals(dump, quoted.toString(), "the hex dump in " + document + " (" + at + " lines)");
  }
}
