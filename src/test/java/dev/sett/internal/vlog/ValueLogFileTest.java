package dev.sett.internal.vlog;

import static dev.sett.internal.vlog.ValueLogGoldenTest.GOLDEN_FILE_ID;
import static dev.sett.internal.vlog.ValueLogGoldenTest.GOLDEN_POINTERS;
import static dev.sett.internal.vlog.ValueLogGoldenTest.GOLDEN_TRANSACTION;
import static dev.sett.internal.vlog.ValueLogGoldenTest.GOLDEN_VLOG;
import static dev.sett.internal.vlog.ValueLogTestSupport.assertRecord;
import static dev.sett.internal.vlog.ValueLogTestSupport.replace;
import static dev.sett.testing.Bytes.unhex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.codec.Crc32c;
import dev.sett.internal.fs.CorruptFileException;
import dev.sett.internal.fs.InMemoryFileSystem;
import dev.sett.internal.fs.UnsupportedFormatException;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValue;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Opening a value log file, the checks on every read, and file names. */
class ValueLogFileTest {
  private final InMemoryFileSystem fileSystem = new InMemoryFileSystem();
  private final Path path = Path.of("/db", ValueLogFile.fileName(GOLDEN_FILE_ID));
  private ValueLogFile file;

  @BeforeEach
  void writeGoldenFile() throws IOException {
    replace(fileSystem, path, unhex(GOLDEN_VLOG));
    file = ValueLogFile.open(fileSystem, path, GOLDEN_FILE_ID);
  }

  @AfterEach
  void releaseTheFile() {
    file.release();
    assertEquals(0, file.referenceCount(), "a read or scan leaked a reference");
  }

  @Test
  void opensAndReports() {
    assertEquals(GOLDEN_FILE_ID, file.id());
    assertEquals(path, file.path());
    assertEquals(77, file.size());
    assertTrue(file.toString().contains("000003.vlog"));
  }

  private <T extends IOException> T openFails(Class<T> type, byte[] content, long fileId)
      throws IOException {
    Path other = Path.of("/db/other.vlog");
    replace(fileSystem, other, content);
    return assertThrows(type, () -> ValueLogFile.open(fileSystem, other, fileId));
  }

  private static byte[] headerWithVersion(int version) {
    byte[] header = ValueLogFormat.header(GOLDEN_FILE_ID);
    ByteBuffer buffer = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
    buffer.putShort(4, (short) version);
    buffer.putInt(16, Crc32c.of(header, 0, 16));
    return header;
  }

  @Test
  void aDamagedHeaderIsCorruptAtOffsetZero() throws IOException {
    byte[] golden = unhex(GOLDEN_VLOG);
    assertEquals(0, openFails(CorruptFileException.class, new byte[0], 3).offset());
    byte[] badMagic = golden.clone();
    badMagic[0] = 'X';
    CorruptFileException magic = openFails(CorruptFileException.class, badMagic, 3);
    assertEquals(0, magic.offset());
    assertTrue(magic.getMessage().contains("SVLG"), magic.getMessage());
    assertEquals(0, openFails(CorruptFileException.class, Arrays.copyOf(golden, 3), 3).offset());
    assertEquals(0, openFails(CorruptFileException.class, Arrays.copyOf(golden, 19), 3).offset());
    byte[] badChecksum = golden.clone();
    badChecksum[16] ^= 1;
    CorruptFileException checksum = openFails(CorruptFileException.class, badChecksum, 3);
    assertEquals(0, checksum.offset());
    assertTrue(checksum.getMessage().contains("checksum"), checksum.getMessage());
  }

  @Test
  void anotherVersionIsUnsupportedEvenWithABadChecksum() throws IOException {
    UnsupportedFormatException newer =
        openFails(UnsupportedFormatException.class, headerWithVersion(3), 3); // 2 is encrypted
    assertTrue(newer.getMessage().contains("newer"), newer.getMessage());
    byte[] badChecksum = headerWithVersion(0);
    badChecksum[17] ^= 1;
    openFails(UnsupportedFormatException.class, badChecksum, 3);
  }

  @Test
  void aHeaderNamingAnotherFileIsCorruptAtOffsetEight() throws IOException {
    CorruptFileException e = openFails(CorruptFileException.class, unhex(GOLDEN_VLOG), 4);
    assertEquals(8, e.offset());
    assertThrows(IllegalArgumentException.class, () -> ValueLogFile.open(fileSystem, path, 0));
  }

  @Test
  void readsEachRecordByPointer() throws IOException {
    for (int i = GOLDEN_POINTERS.size() - 1; i >= 0; i--) {
      assertRecord(GOLDEN_TRANSACTION.get(i), GOLDEN_POINTERS.get(i),
          file.read(GOLDEN_POINTERS.get(i)));
    }
  }

  @Test
  void readValueCopiesEachValueOnceAndChecksTheKey() throws IOException {
    for (int i = 0; i < GOLDEN_POINTERS.size(); i++) {
      KeyValue entry = GOLDEN_TRANSACTION.get(i);
      ValuePointer pointer = GOLDEN_POINTERS.get(i);
      byte[] userKey = InternalKey.userKey(entry.key());
      long version = InternalKey.version(entry.key());
      for (boolean verify : new boolean[] {true, false}) {
        assertArrayEquals(entry.value().value(), file.readValue(pointer, userKey, version, verify));
      }
      // A pointer that names the record of another key, or of another version, is corruption.
      byte[] otherKey = userKey.clone();
      otherKey[0] ^= 1;
      for (CorruptFileException e : List.of(
          assertThrows(CorruptFileException.class,
              () -> file.readValue(pointer, otherKey, version, true)),
          assertThrows(CorruptFileException.class,
              () -> file.readValue(pointer, userKey, version + 1, true)),
          assertThrows(CorruptFileException.class,
              () -> file.readValue(pointer, Arrays.copyOf(userKey, userKey.length + 1), version,
                  true)))) {
        assertEquals(pointer.offset(), e.offset());
        assertTrue(e.getMessage().contains("names a record of"), e.getMessage());
      }
    }
  }

  @Test
  void readValueFindsEveryFlippedBitOfTheRecordItReads() throws IOException {
    byte[] golden = unhex(GOLDEN_VLOG);
    Path damaged = Path.of("/db/damaged.vlog");
    for (int i = 0; i < GOLDEN_POINTERS.size(); i++) {
      KeyValue entry = GOLDEN_TRANSACTION.get(i);
      ValuePointer pointer = GOLDEN_POINTERS.get(i);
      byte[] userKey = InternalKey.userKey(entry.key());
      long version = InternalKey.version(entry.key());
      for (long at = pointer.offset(); at < pointer.end(); at++) {
        for (int bit = 0; bit < 8; bit++) {
          byte[] content = golden.clone();
          content[(int) at] ^= (byte) (1 << bit);
          replace(fileSystem, damaged, content);
          ValueLogFile flipped = ValueLogFile.open(fileSystem, damaged, GOLDEN_FILE_ID);
          try {
            CorruptFileException e = assertThrows(CorruptFileException.class,
                () -> flipped.readValue(pointer, userKey, version, true),
                "bit " + bit + " of byte " + at);
            assertEquals(pointer.offset(), e.offset());
            assertEquals(damaged, e.file());
          } finally {
            flipped.release();
          }
        }
      }
    }
  }

  @Test
  void badPointersAreCorruptionAtTheirOffset() {
    List<ValuePointer> bad = List.of(
        new ValuePointer(3, 29, 0), // inside the header
        new ValuePointer(3, 29, 12), // inside the header
        new ValuePointer(3, 8, 20), // shorter than any record
        new ValuePointer(3, 30, 20), // longer than the record
        new ValuePointer(3, 28, 20), // shorter than the record
        new ValuePointer(3, 28, 21), // not a record start
        new ValuePointer(3, 29, 49), // runs past the end
        new ValuePointer(3, 28, 77), // starts at the end
        new ValuePointer(3, 28, 1000), // starts past the end
        new ValuePointer(3, 0xFFFF_FFFFL, 0xFFFF_FFFFL));
    for (ValuePointer pointer : bad) {
      CorruptFileException e =
          assertThrows(CorruptFileException.class, () -> file.read(pointer), pointer.toString());
      assertEquals(path, e.file(), pointer.toString());
      assertEquals(pointer.offset(), e.offset(), pointer.toString());
    }
  }

  @Test
  void pointersToAnotherFileAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> file.read(ValuePointer.NONE));
    assertThrows(IllegalArgumentException.class, () -> file.read(new ValuePointer(4, 29, 20)));
  }

  @Test
  void aReleasedFileCannotBeRead() throws IOException {
    ValueLogFile other = ValueLogFile.open(fileSystem, path, GOLDEN_FILE_ID);
    other.release();
    assertThrows(IllegalStateException.class, () -> other.read(GOLDEN_POINTERS.get(0)));
    assertThrows(IllegalStateException.class, () -> other.scan(ValueLogScanner.Mode.SEALED));
  }

  @Test
  void aClosedScannerRefusesToContinue() throws IOException {
    ValueLogScanner scanner = file.scan(ValueLogScanner.Mode.SEALED);
    scanner.next();
    scanner.close();
    scanner.close(); // idempotent: does not release twice
    assertThrows(IllegalStateException.class, scanner::next);
  }

  @Test
  void fileNames() {
    assertEquals("000001.vlog", ValueLogFile.fileName(1));
    assertEquals("1234567.vlog", ValueLogFile.fileName(1234567));
    assertEquals("4294967295.vlog", ValueLogFile.fileName(0xFFFF_FFFFL));
    assertEquals(1, ValueLogFile.parseFileName("000001.vlog"));
    assertEquals(1234567, ValueLogFile.parseFileName("1234567.vlog"));
    assertEquals(0xFFFF_FFFFL, ValueLogFile.parseFileName("4294967295.vlog"));
    for (String other : new String[] {"000000.vlog", "1.vlog", "0000001.vlog", "000001.sst",
        ".vlog", "00000a.vlog", "-00001.vlog", "000001.vlog.tmp", "4294967296.vlog",
        "99999999999999999999.vlog", "DISCARD"}) {
      assertEquals(-1, ValueLogFile.parseFileName(other), other);
    }
    assertThrows(IllegalArgumentException.class, () -> ValueLogFile.fileName(0));
    assertThrows(IllegalArgumentException.class, () -> ValueLogFile.fileName(1L << 32));
  }
}
