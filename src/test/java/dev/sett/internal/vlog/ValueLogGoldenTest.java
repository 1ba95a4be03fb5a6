package dev.sett.internal.vlog;

import static dev.sett.internal.vlog.ValueLogTestSupport.assertRecord;
import static dev.sett.internal.vlog.ValueLogTestSupport.replace;
import static dev.sett.testing.Bytes.bytes;
import static dev.sett.testing.Bytes.hex;
import static dev.sett.testing.Bytes.unhex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sett.internal.fs.CorruptFileException;
import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.fs.InMemoryFileSystem;
import dev.sett.internal.fs.UnsupportedFormatException;
import dev.sett.internal.key.KeyValue;
import dev.sett.internal.key.Meta;
import dev.sett.internal.key.ValueStruct;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps docs/format/value-log.md honest: the worked example there is this file, byte for byte. If
 * this test fails, the format changed: bump {@link ValueLogFormat#VERSION} and update the
 * document.
 */
class ValueLogGoldenTest {
  /** The hex dump in docs/format/value-log.md, "Worked example". */
  static final String GOLDEN_VLOG = """
      53 56 4c 47 01 00 00 00 03 00 00 00 00 00 00 00
      42 78 86 7f 15 00 00 00 83 23 7e c3 00 07 ac 02
      0d 61 70 70 6c 65 ff ff ff ff ff ff ff fa 72 65
      64 14 00 00 00 88 76 e2 ff 04 00 00 0b 66 69 67
      ff ff ff ff ff ff ff f9 67 72 65 65 6e
      """;

  static final long GOLDEN_FILE_ID = 3;

  /** One transaction: apple@5 = "red" (userMeta 7, expires at 300), fig@6 = "green" (0x04). */
  static final List<KeyValue> GOLDEN_TRANSACTION = List.of(
      KeyValue.of(bytes("apple"), 5, new ValueStruct((byte) 0, (byte) 7, 300, 0, bytes("red"))),
      KeyValue.of(bytes("fig"), 6,
          new ValueStruct(Meta.DISCARD_EARLIER_VERSIONS, (byte) 0, 0, 0, bytes("green"))));

  /** The pointers to the two records, as the document shows them. */
  static final List<ValuePointer> GOLDEN_POINTERS = List.of(
      new ValuePointer(GOLDEN_FILE_ID, 29, 20), new ValuePointer(GOLDEN_FILE_ID, 28, 49));

  private static final Path DOCUMENT = Path.of("docs", "format", "value-log.md");

  @TempDir
  Path directory;

  @Test
  void theWriterProducesTheDocumentedBytes() throws IOException {
    List<ValuePointer> pointers;
    Path path;
    try (ValueLogWriter writer = ValueLogWriter.create(FileSystem.defaultFileSystem(), directory,
        GOLDEN_FILE_ID)) {
      pointers = writer.append(GOLDEN_TRANSACTION);
      writer.seal();
      path = writer.path();
    }
    assertEquals(directory.resolve("000003.vlog"), path);
    assertEquals(hex(unhex(GOLDEN_VLOG)), hex(Files.readAllBytes(path)));
    assertEquals(GOLDEN_POINTERS, pointers);
  }

  @Test
  void theHeaderIsTheFirstTwentyBytes() {
    assertEquals(hex(Arrays.copyOf(unhex(GOLDEN_VLOG), ValueLogFormat.HEADER_LENGTH)),
        hex(ValueLogFormat.header(GOLDEN_FILE_ID)));
  }

  @Test
  void theDocumentedBytesReadBackByPointerAndByScan() throws IOException {
    Path path = directory.resolve(ValueLogFile.fileName(GOLDEN_FILE_ID));
    Files.write(path, unhex(GOLDEN_VLOG));
    ValueLogFile file = ValueLogFile.open(FileSystem.defaultFileSystem(), path, GOLDEN_FILE_ID);
    try {
      for (int i = 0; i < GOLDEN_POINTERS.size(); i++) {
        assertRecord(GOLDEN_TRANSACTION.get(i), GOLDEN_POINTERS.get(i),
            file.read(GOLDEN_POINTERS.get(i)));
      }
      try (ValueLogScanner scanner = file.scan(ValueLogScanner.Mode.SEALED)) {
        for (int i = 0; i < GOLDEN_POINTERS.size(); i++) {
          assertRecord(GOLDEN_TRANSACTION.get(i), GOLDEN_POINTERS.get(i), scanner.next());
        }
        assertNull(scanner.next());
        assertEquals(77, scanner.validEnd());
      }
    } finally {
      file.release();
    }
    assertEquals(0, file.referenceCount());
  }

  @Test
  void everySingleBitFlipIsCaught() throws IOException {
    byte[] golden = unhex(GOLDEN_VLOG);
    InMemoryFileSystem fileSystem = new InMemoryFileSystem();
    Path path = Path.of("/db", ValueLogFile.fileName(GOLDEN_FILE_ID));
    int flips = 0;
    for (int offset = 0; offset < golden.length; offset++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] flipped = golden.clone();
        flipped[offset] ^= (byte) (1 << bit);
        replace(fileSystem, path, flipped);
        String context = "bit " + bit + " of byte " + offset;
        if (offset < ValueLogFormat.HEADER_LENGTH) {
          IOException e = assertThrows(IOException.class,
              () -> ValueLogFile.open(fileSystem, path, GOLDEN_FILE_ID), context);
          assertTrue(e instanceof CorruptFileException || e instanceof UnsupportedFormatException,
              context + ": " + e);
        } else {
          checkFlippedRecords(fileSystem, path, context);
        }
        flips++;
      }
    }
    assertEquals(77 * 8, flips);
  }

  /** A flip in a record: reads and scans fail on that record and return the others intact. */
  private static void checkFlippedRecords(FileSystem fileSystem, Path path, String context)
      throws IOException {
    ValueLogFile file = ValueLogFile.open(fileSystem, path, GOLDEN_FILE_ID);
    try {
      int failedReads = 0;
      for (int i = 0; i < GOLDEN_POINTERS.size(); i++) {
        ValuePointer pointer = GOLDEN_POINTERS.get(i);
        try {
          assertRecord(GOLDEN_TRANSACTION.get(i), pointer, file.read(pointer));
        } catch (CorruptFileException e) {
          assertEquals(path, e.file(), context);
          assertEquals(pointer.offset(), e.offset(), context);
          failedReads++;
        }
      }
      assertEquals(1, failedReads, context + ": exactly the flipped record fails");
      List<ValueLogRecord> prefix = new ArrayList<>();
      try (ValueLogScanner scanner = file.scan(ValueLogScanner.Mode.SEALED)) {
        for (ValueLogRecord record = scanner.next(); record != null; record = scanner.next()) {
          prefix.add(record);
        }
        fail(context + ": a sealed scan read past the flip");
      } catch (CorruptFileException e) {
        assertEquals(path, e.file(), context);
        assertEquals(GOLDEN_POINTERS.get(prefix.size()).offset(), e.offset(), context);
      }
      assertIntactPrefix(prefix, context);
      prefix.clear();
      try (ValueLogScanner scanner = file.scan(ValueLogScanner.Mode.RECOVERY)) {
        for (ValueLogRecord record = scanner.next(); record != null; record = scanner.next()) {
          prefix.add(record);
        }
        // The flipped record ends the good prefix; the whole records after it are counted, and
        // the WAL replay decides whether they are a tail torn out of order or corruption.
        assertNotNull(scanner.tornTail(), context);
        assertEquals(GOLDEN_POINTERS.get(prefix.size()).offset(), scanner.validEnd(), context);
        assertEquals(scanner.validEnd(), scanner.tornTail().offset(), context);
        assertEquals(GOLDEN_POINTERS.size() - 1 - prefix.size(), scanner.tornTail().recordsAfter(),
            context);
      }
      assertIntactPrefix(prefix, context);
    } finally {
      file.release();
    }
  }

  private static void assertIntactPrefix(List<ValueLogRecord> records, String context) {
    assertTrue(records.size() < GOLDEN_POINTERS.size(), context);
    for (int i = 0; i < records.size(); i++) {
      assertRecord(GOLDEN_TRANSACTION.get(i), GOLDEN_POINTERS.get(i), records.get(i));
    }
  }

  @Test
  void theDocumentQuotesTheGoldenBytes() throws IOException {
    String text = Files.readString(DOCUMENT);
    String dump = GOLDEN_VLOG.strip().lines().map(String::strip)
        .reduce((a, b) -> a + "\n" + b).orElseThrow();
    StringBuilder quoted = new StringBuilder();
    for (String line : text.lines().toList()) {
      if (line.matches("[0-9a-f]{8}  .*")) {
        quoted.append(quoted.length() == 0 ? "" : "\n").append(line.substring(10).strip());
      }
    }
    assertEquals(dump, quoted.toString(), "the hex dump in " + DOCUMENT);
  }

  @Test
  void theDocumentQuotesTheGoldenPointers() throws IOException {
    String text = Files.readString(DOCUMENT);
    for (ValuePointer pointer : GOLDEN_POINTERS) {
      String encoded = HexFormat.ofDelimiter(" ").formatHex(pointer.encode());
      assertTrue(text.contains(encoded), DOCUMENT + " shows " + pointer + " as " + encoded);
      assertArrayEquals(pointer.encode(), ValuePointer.decode(unhex(encoded)).encode());
    }
  }
}
