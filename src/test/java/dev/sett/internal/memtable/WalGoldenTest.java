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
 * test fails, the format changed: bump {@link WalFormat#VERSION} and update the document. The
 * version 1 file of the previous example must still replay.
 */
class WalGoldenTest {
  /** The hex dump in docs/format/wal.md, "Worked example" (version 3). */
  static final String GOLDEN_WAL = """
      53 57 41 4c 03 00 00 00 07 00 00 00 00 00 00 00
      45 63 e9 23 29 00 00 00 c6 03 64 b7 01 14 02 00
      07 ac 02 0d 61 70 70 6c 65 ff ff ff ff ff ff ff
      fa 03 72 65 64 01 00 00 0b 66 69 67 ff ff ff ff
      ff ff ff f9 00 19 00 00 00 14 ef 51 2e 01 45 01
      00 00 00 0c 6b 69 77 69 ff ff ff ff ff ff ff f8
      05 67 72 65 65 6e
      """;

  /** The second transaction, written after a sync: kiwi@7 = "green". */
  static final List<KeyValue> GOLDEN_SECOND_BATCH = List.of(
      KeyValue.of(bytes("kiwi"), 7, new ValueStruct((byte) 0, (byte) 0, 0, 0, bytes("green"))));

  /** The worked example of format version 1 (before durable offsets): still read. */
  static final String GOLDEN_WAL_V1 = """
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
    memtable.sync();
    memtable.write(GOLDEN_SECOND_BATCH);
    memtable.closeWal();
    assertEquals(hex(unhex(GOLDEN_WAL)), hex(Files.readAllBytes(wal)));
  }

  @Test
  void theHeaderIsTheFirstTwentyBytes() {
    assertEquals(hex(Arrays.copyOf(unhex(GOLDEN_WAL), WalFormat.HEADER_LENGTH)),
        hex(WalFormat.header(7)));
  }

  @Test
  void theDocumentedBytesReplayToBothTransactions() throws IOException {
    Path wal = directory.resolve("golden.mem");
    Files.write(wal, unhex(GOLDEN_WAL));
    Memtable memtable = Memtable.recover(FileSystem.defaultFileSystem(), wal,
        new MemtableOptions(1 << 20, 4096), new SplittableRandom(1), true);
    assertEquals(7, memtable.id());
    assertEquals(unhex(GOLDEN_WAL).length, memtable.walSize());
    assertEquals(List.of("apple@5=red", "fig@6=<deleted>", "kiwi@7=green"),
        MemtableTest.dump(memtable));
  }

  @Test
  void aVersionOneFileStillReplays() throws IOException {
    Path wal = directory.resolve("golden-v1.mem");
    Files.write(wal, unhex(GOLDEN_WAL_V1));
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

  /**
   * Every single-bit flip of the version 3 example: in the header, corrupt or unsupported; in the
   * first record, corruption at offset 20, because the second record was written when the file
   * was durable past it; in the second (the unsynced tail), a torn tail after the first.
   */
  @Test
  void everySingleBitFlipIsCaught() throws IOException {
    byte[] golden = unhex(GOLDEN_WAL);
    long firstEnd = WalFormat.HEADER_LENGTH + WalFormat.RECORD_HEADER_LENGTH
        + Byte.toUnsignedInt(golden[WalFormat.HEADER_LENGTH]);
    Path wal = directory.resolve("flipped.mem");
    int flips = 0;
    for (int offset = 0; offset < golden.length; offset++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] flipped = golden.clone();
        flipped[offset] ^= (byte) (1 << bit);
        Files.write(wal, flipped);
        String context = "bit " + bit + " of byte " + offset;
        flips++;
        if (offset < WalFormat.HEADER_LENGTH) {
          IOException e = assertThrows(IOException.class,
              () -> WalReader.open(FileSystem.defaultFileSystem(), wal), context);
          assertTrue(e instanceof CorruptFileException || e instanceof UnsupportedFormatException,
              context + ": " + e);
          continue;
        }
        try (WalReader reader = WalReader.open(FileSystem.defaultFileSystem(), wal)) {
          if (offset < firstEnd) {
            CorruptFileException e = assertThrows(CorruptFileException.class, reader::next,
                context);
            assertEquals(WalFormat.HEADER_LENGTH, e.offset(), context);
            assertTrue(e.getMessage().contains("durable to " + firstEnd), e.getMessage());
          } else {
            assertEquals(2, reader.next().size(), context);
            assertNull(reader.next(), context);
            assertEquals(firstEnd, reader.validEnd(), context);
          }
        }
      }
    }
    assertEquals(golden.length * 8, flips);
  }

  /** Version 1 has no durable offsets: its single record, flipped, is a torn tail. */
  @Test
  void everySingleBitFlipOfTheVersionOneExampleIsCaught() throws IOException {
    byte[] golden = unhex(GOLDEN_WAL_V1);
    Path wal = directory.resolve("flipped-v1.mem");
    for (int offset = WalFormat.HEADER_LENGTH; offset < golden.length; offset++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] flipped = golden.clone();
        flipped[offset] ^= (byte) (1 << bit);
        Files.write(wal, flipped);
        try (WalReader reader = WalReader.open(FileSystem.defaultFileSystem(), wal)) {
          assertNull(reader.next(), "bit " + bit + " of byte " + offset);
          assertEquals(WalFormat.HEADER_LENGTH, reader.validEnd());
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
