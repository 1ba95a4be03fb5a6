package dev.sett.internal.vlog;

import static dev.sett.internal.vlog.ValueLogGoldenTest.GOLDEN_FILE_ID;
import static dev.sett.internal.vlog.ValueLogGoldenTest.GOLDEN_TRANSACTION;
import static dev.sett.internal.vlog.ValueLogTestSupport.assertRecord;
import static dev.sett.internal.vlog.ValueLogTestSupport.entry;
import static dev.sett.internal.vlog.ValueLogTestSupport.replace;
import static dev.sett.testing.Bytes.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.fs.CorruptFileException;
import dev.sett.internal.fs.InMemoryFileSystem;
import dev.sett.internal.key.KeyValue;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Torn tails: where a scan stops, what recovery truncates, and what stays readable. */
class ValueLogRecoveryTest {
  private static final Path DIRECTORY = Path.of("/db");

  private final InMemoryFileSystem fileSystem = new InMemoryFileSystem();
  private final List<KeyValue> entries = new ArrayList<>();
  private final List<ValuePointer> pointers = new ArrayList<>();
  private final Path path;
  private final byte[] whole;

  /** Writes file 3: the golden transaction, then a transaction of one 100-byte value. */
  ValueLogRecoveryTest() throws IOException {
    fileSystem.createDirectories(DIRECTORY);
    try (ValueLogWriter writer = ValueLogWriter.create(fileSystem, DIRECTORY, GOLDEN_FILE_ID)) {
      List<KeyValue> second = List.of(entry("plum", 9, "p".repeat(100)));
      pointers.addAll(writer.append(GOLDEN_TRANSACTION));
      pointers.addAll(writer.append(second));
      entries.addAll(GOLDEN_TRANSACTION);
      entries.addAll(second);
      writer.seal();
      path = writer.path();
    }
    whole = fileSystem.readAllBytes(path);
  }

  /** The end of the last whole record in a file cut to {@code length} bytes. */
  private long lastRecordEndWithin(long length) {
    long end = ValueLogFormat.HEADER_LENGTH;
    for (ValuePointer pointer : pointers) {
      if (pointer.end() <= length) {
        end = pointer.end();
      }
    }
    return end;
  }

  @Test
  void tornTailsAtEveryCutPoint() throws IOException {
    for (int length = 0; length <= whole.length; length++) {
      int cut = length;
      String context = "cut at " + cut;
      replace(fileSystem, path, Arrays.copyOf(whole, cut));
      if (cut < ValueLogFormat.HEADER_LENGTH) {
        CorruptFileException e = assertThrows(CorruptFileException.class,
            () -> ValueLogScanner.recover(fileSystem, path, GOLDEN_FILE_ID, false), context);
        assertEquals(0, e.offset(), context);
        assertEquals(cut, fileSystem.size(path), context + ": a damaged header is left alone");
        continue;
      }
      long validEnd = lastRecordEndWithin(cut);
      long records = pointers.stream().filter(p -> p.end() <= cut).count();

      ValueLogScanner.RecoveryResult readOnly =
          ValueLogScanner.recover(fileSystem, path, GOLDEN_FILE_ID, true);
      assertEquals(cut, fileSystem.size(path), context + ": read-only leaves the file");
      ValueLogScanner.RecoveryResult result =
          ValueLogScanner.recover(fileSystem, path, GOLDEN_FILE_ID, false);
      assertEquals(readOnly, result, context);
      assertEquals(GOLDEN_FILE_ID, result.fileId());
      assertEquals(validEnd, result.validEnd(), context);
      assertEquals(records, result.records(), context);
      if (cut == validEnd) {
        assertNull(result.tornTail(), context);
      } else {
        assertNotNull(result.tornTail(), context);
        assertEquals(validEnd, result.tornTail().offset(), context);
        assertEquals(cut - validEnd, result.tornTail().length(), context);
      }
      assertEquals(validEnd, fileSystem.size(path), context + ": truncated to the valid end");
      assertArrayEquals(Arrays.copyOf(whole, (int) validEnd), fileSystem.readAllBytes(path));

      ValueLogFile file = ValueLogFile.open(fileSystem, path, GOLDEN_FILE_ID);
      try {
        for (int i = 0; i < pointers.size(); i++) {
          ValuePointer pointer = pointers.get(i);
          if (pointer.end() <= validEnd) {
            assertRecord(entries.get(i), pointer, file.read(pointer));
          } else {
            CorruptFileException e =
                assertThrows(CorruptFileException.class, () -> file.read(pointer), context);
            assertEquals(pointer.offset(), e.offset(), context);
          }
        }
      } finally {
        file.release();
      }
    }
  }

  @Test
  void aTornTailIsCorruptionInASealedScan() throws IOException {
    replace(fileSystem, path, Arrays.copyOf(whole, whole.length - 1));
    ValueLogFile file = ValueLogFile.open(fileSystem, path, GOLDEN_FILE_ID);
    try (ValueLogScanner scanner = file.scan(ValueLogScanner.Mode.SEALED)) {
      scanner.next();
      scanner.next();
      CorruptFileException e = assertThrows(CorruptFileException.class, scanner::next);
      assertEquals(pointers.get(2).offset(), e.offset());
      assertEquals(path, e.file());
      assertTrue(e.getMessage().contains("past the end"), e.getMessage());
    } finally {
      file.release();
    }
  }

  @Test
  void aZeroFilledTailIsTorn() throws IOException {
    byte[] padded = Arrays.copyOf(whole, whole.length + 64);
    replace(fileSystem, path, padded);
    ValueLogScanner.RecoveryResult result =
        ValueLogScanner.recover(fileSystem, path, GOLDEN_FILE_ID, false);
    assertEquals(whole.length, result.validEnd());
    assertEquals(3, result.records());
    assertEquals(new ValueLogScanner.TornTail(whole.length, 64,
        "record length 0 is out of range [12, " + ValueLogFormat.MAX_BODY_LENGTH + "]"),
        result.tornTail());
    assertEquals(hex(whole), hex(fileSystem.readAllBytes(path)));
  }

  @Test
  void aShortRecordHeaderIsTorn() throws IOException {
    replace(fileSystem, path, Arrays.copyOf(whole, whole.length + 5));
    ValueLogScanner.RecoveryResult result =
        ValueLogScanner.recover(fileSystem, path, GOLDEN_FILE_ID, false);
    assertEquals(whole.length, result.validEnd());
    assertEquals("record header cut short: 5 bytes left", result.tornTail().reason());
  }

  @Test
  void aBadChecksumOnTheLastRecordIsTorn() throws IOException {
    byte[] flipped = whole.clone();
    flipped[flipped.length - 1] ^= 0x40;
    replace(fileSystem, path, flipped);
    ValueLogScanner.RecoveryResult result =
        ValueLogScanner.recover(fileSystem, path, GOLDEN_FILE_ID, false);
    assertEquals(pointers.get(2).offset(), result.validEnd());
    assertEquals(2, result.records());
    assertTrue(result.tornTail().reason().contains("checksum mismatch"),
        result.tornTail().reason());
    assertEquals(pointers.get(2).offset(), fileSystem.size(path));
  }

  /**
   * A damaged record in the middle is corruption in a sealed scan. In recovery it ends the good
   * prefix and the whole records after it are counted but left in place: the WAL replay decides
   * (a tail torn out of order is cut by {@link ValueLog#finishRecovery}; a synced one fails the
   * open), so nothing is cut here.
   */
  @Test
  void aMidFileBitFlipIsCorruptionWhenSealedAndLeftInPlaceByRecovery() throws IOException {
    byte[] flipped = whole.clone();
    flipped[(int) pointers.get(0).offset() + 20] ^= 0x01;
    replace(fileSystem, path, flipped);
    ValueLogFile file = ValueLogFile.open(fileSystem, path, GOLDEN_FILE_ID);
    try {
      try (ValueLogScanner scanner = file.scan(ValueLogScanner.Mode.SEALED)) {
        CorruptFileException e = assertThrows(CorruptFileException.class, scanner::next);
        assertEquals(ValueLogFormat.HEADER_LENGTH, e.offset());
      }
      assertRecord(entries.get(2), pointers.get(2), file.read(pointers.get(2)));
    } finally {
      file.release();
    }
    ValueLogScanner.RecoveryResult result =
        ValueLogScanner.recover(fileSystem, path, GOLDEN_FILE_ID, false);
    assertEquals(ValueLogFormat.HEADER_LENGTH, result.validEnd());
    assertEquals(0, result.records());
    assertEquals(2, result.tornTail().recordsAfter());
    assertEquals(whole.length, fileSystem.size(path), "nothing is cut before the WAL replay");
    ValueLogScanner.truncateTornTail(fileSystem, path, result.tornTail());
    assertEquals(ValueLogFormat.HEADER_LENGTH, fileSystem.size(path));
  }

  @Test
  void aWholeFileIsLeftAsItIs() throws IOException {
    ValueLogScanner.RecoveryResult result =
        ValueLogScanner.recover(fileSystem, path, GOLDEN_FILE_ID, false);
    assertEquals(new ValueLogScanner.RecoveryResult(GOLDEN_FILE_ID, whole.length, 3, null),
        result);
    assertEquals(hex(whole), hex(fileSystem.readAllBytes(path)));
    Path headerOnly = DIRECTORY.resolve(ValueLogFile.fileName(4));
    replace(fileSystem, headerOnly, ValueLogFormat.header(4));
    assertEquals(new ValueLogScanner.RecoveryResult(4, ValueLogFormat.HEADER_LENGTH, 0, null),
        ValueLogScanner.recover(fileSystem, headerOnly, 4, false));
  }
}
