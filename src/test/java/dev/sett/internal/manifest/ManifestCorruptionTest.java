package dev.sett.internal.manifest;

import static dev.sett.internal.manifest.Manifest.changeSet;
import static dev.sett.internal.manifest.Manifest.createTable;
import static dev.sett.internal.manifest.Manifest.deleteTable;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sett.internal.codec.LittleEndian;
import dev.sett.internal.fs.CorruptFileException;
import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.fs.UnsupportedFormatException;
import dev.sett.internal.fs.WritableFile;
import dev.sett.internal.manifest.proto.ManifestChange;
import dev.sett.internal.manifest.proto.ManifestChangeSet;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged MANIFESTs: in the manner of Badger's manifest tests, bytes of a fresh manifest are
 * overwritten at fixed offsets. The manifest under test has three records, at {@link #first},
 * {@link #second} and {@link #third}.
 */
class ManifestCorruptionTest {
  private static final int MAGIC = 0;
  private static final Map<Long, TableManifest> AFTER_TWO_RECORDS = Map.of(
      2L, new TableManifest(2, 1, 1, 0));
  private static final Map<Long, TableManifest> AFTER_THREE_RECORDS = Map.of(
      2L, new TableManifest(2, 1, 1, 0), 3L, new TableManifest(3, 0, 2, 5));

  private final FileSystem fileSystem = FileSystem.defaultFileSystem();

  @TempDir
  Path dir;

  private Path path;
  private byte[] intact;
  private int first;
  private int second;
  private int third;

  @BeforeEach
  void writeThreeRecords() throws IOException {
    try (Manifest manifest = Manifest.open(fileSystem, dir, MAGIC, false)) {
      path = manifest.path();
      first = (int) fileSystem.size(path);
      manifest.apply(changeSet(createTable(1, 0, 1, 0)));
      second = (int) fileSystem.size(path);
      manifest.apply(changeSet(createTable(2, 1, 1, 0), deleteTable(1)));
      third = (int) fileSystem.size(path);
      manifest.apply(changeSet(createTable(3, 0, 2, 5)));
    }
    intact = fileSystem.readAllBytes(path);
  }

  @Test
  void badMagicIsCorruptionAtOffsetZero() throws IOException {
    overwrite(3, 'X');
    CorruptFileException corrupt = assertThrows(CorruptFileException.class, this::openReadWrite);
    assertEquals(0, corrupt.offset());
    assertEquals(path, corrupt.file());
    assertTrue(corrupt.getMessage().contains("bad magic"), corrupt.getMessage());
  }

  @Test
  void otherVersionIsUnsupportedFormat() throws IOException {
    overwrite(4, 'X');
    UnsupportedFormatException unsupported =
        assertThrows(UnsupportedFormatException.class, this::openReadWrite);
    assertTrue(unsupported.getMessage().contains("version 88 was written by a newer Sett"),
        unsupported.getMessage());
  }

  @Test
  void damagedHeaderIsCorruption() throws IOException {
    overwrite(9, 'X');
    CorruptFileException corrupt = assertThrows(CorruptFileException.class, this::openReadWrite);
    assertEquals(0, corrupt.offset());
    assertTrue(corrupt.getMessage().contains("header checksum mismatch"), corrupt.getMessage());
  }

  @Test
  void truncatedHeaderIsCorruption() throws IOException {
    replaceFile(Arrays.copyOf(intact, 10));
    assertThrows(CorruptFileException.class, this::openReadOnly);
  }

  @Test
  void checksumMismatchInTheFirstRecordNamesItsOffset() throws IOException {
    overwrite(first + 7, 'X');
    for (boolean readOnly : new boolean[] {false, true}) {
      CorruptFileException corrupt = assertThrows(CorruptFileException.class,
          () -> Manifest.open(fileSystem, dir, MAGIC, readOnly));
      assertEquals(first, corrupt.offset());
      assertTrue(corrupt.getMessage().contains("checksum mismatch"), corrupt.getMessage());
      assertTrue(corrupt.getMessage().contains(path.toString()), corrupt.getMessage());
    }
    assertArrayEquals(withByte(first + 7, 'X'), fileSystem.readAllBytes(path), "no salvage");
  }

  /** Every length of a torn last record: read-only ignores it, read-write truncates it away. */
  @Test
  void tornLastRecordIsDroppedAtEveryLength() throws IOException {
    for (int length = third + 1; length < intact.length; length++) {
      byte[] torn = Arrays.copyOf(intact, length);
      replaceFile(torn);
      try (Manifest readOnly = openReadOnly()) {
        assertEquals(AFTER_TWO_RECORDS, readOnly.tables(), "cut at " + length);
      }
      assertArrayEquals(torn, fileSystem.readAllBytes(path), "read-only leaves the file alone");
      try (Manifest readWrite = openReadWrite()) {
        assertEquals(AFTER_TWO_RECORDS, readWrite.tables(), "cut at " + length);
        assertEquals(third, fileSystem.size(path), "cut at " + length);
        readWrite.apply(changeSet(createTable(4, 0, 0, 0)));
      }
      try (Manifest reopened = openReadOnly()) {
        assertEquals(Map.of(2L, new TableManifest(2, 1, 1, 0), 4L, new TableManifest(4, 0, 0, 0)),
            reopened.tables(), "cut at " + length);
      }
    }
  }

  /** A damaged length that points past the end is not mistaken for a torn tail. */
  @Test
  void lengthRunningPastTheEndWithRecordsAfterItIsCorruption() throws IOException {
    replaceFile(withLength(first, 0x7FFF));
    CorruptFileException corrupt = assertThrows(CorruptFileException.class, this::openReadWrite);
    assertEquals(first, corrupt.offset());
    assertTrue(corrupt.getMessage().contains("whole record follows at offset " + second),
        corrupt.getMessage());
    assertArrayEquals(withLength(first, 0x7FFF), fileSystem.readAllBytes(path));
  }

  /**
   * Every single-byte change is detected, except one the format cannot tell from a torn append: a
   * last record whose length grew past the end of the file. That record is dropped.
   */
  @Test
  void everyDamagedByteFailsTheOpenOrDropsOnlyTheLastRecord() throws IOException {
    for (int offset = 0; offset < intact.length; offset++) {
      for (int flip : new int[] {0x01, 0x80}) {
        byte[] damaged = intact.clone();
        damaged[offset] ^= (byte) flip;
        replaceFile(damaged);
        try (Manifest opened = openReadOnly()) {
          boolean lastLengthGrew = offset >= third && offset < third + 4
              && LittleEndian.getUnsignedInt(damaged, third)
                  > LittleEndian.getUnsignedInt(intact, third);
          if (!lastLengthGrew) {
            fail("flipping " + flip + " at offset " + offset + " went unnoticed");
          }
          assertEquals(AFTER_TWO_RECORDS, opened.tables());
        } catch (CorruptFileException | UnsupportedFormatException expected) {
          assertTrue(expected.getMessage().contains(path.toString()), expected.getMessage());
        }
      }
    }
  }

  @Test
  void unparsablePayloadIsCorruption() throws IOException {
    appendRecord(new byte[] {0x0A, 0x05, 0x08});
    CorruptFileException corrupt = assertThrows(CorruptFileException.class, this::openReadOnly);
    assertEquals(intact.length, corrupt.offset());
    assertTrue(corrupt.getMessage().contains("not a valid ManifestChangeSet"), corrupt.getMessage());
  }

  @Test
  void tableCreatedTwiceInTheFileIsCorruption() throws IOException {
    appendRecord(changeSet(createTable(3, 1, 0, 0)).toByteArray());
    CorruptFileException corrupt = assertThrows(CorruptFileException.class, this::openReadOnly);
    assertEquals(intact.length, corrupt.offset());
    assertTrue(corrupt.getMessage().contains("table 3 created twice"), corrupt.getMessage());
  }

  @Test
  void unknownOperationInTheFileIsCorruption() throws IOException {
    appendRecord(changeSet(ManifestChange.newBuilder().setId(5).setOpValue(2).build())
        .toByteArray());
    CorruptFileException corrupt = assertThrows(CorruptFileException.class, this::openReadOnly);
    assertEquals(intact.length, corrupt.offset());
    assertTrue(corrupt.getMessage().contains("table 5 has unknown operation 2"),
        corrupt.getMessage());
  }

  @Test
  void deleteOfAnUnknownTableInTheFileOnlyWarns() throws IOException {
    appendRecord(changeSet(deleteTable(1), deleteTable(42)).toByteArray());
    try (Manifest manifest = openReadWrite()) {
      assertEquals(AFTER_THREE_RECORDS, manifest.tables());
      assertEquals(43, manifest.nextTableId());
      assertEquals(3, manifest.deletions());
    }
  }

  @Test
  void recordedNextTableIdIsHonoured() throws IOException {
    appendRecord(ManifestChangeSet.newBuilder().setNextTableId(1000).build().toByteArray());
    try (Manifest manifest = openReadOnly()) {
      assertEquals(1000, manifest.nextTableId());
      assertEquals(AFTER_THREE_RECORDS, manifest.tables());
    }
  }

  private Manifest openReadWrite() throws IOException {
    return Manifest.open(fileSystem, dir, MAGIC, false);
  }

  private Manifest openReadOnly() throws IOException {
    return Manifest.open(fileSystem, dir, MAGIC, true);
  }

  private byte[] withByte(int offset, char value) {
    byte[] bytes = intact.clone();
    bytes[offset] = (byte) value;
    return bytes;
  }

  private byte[] withLength(int recordOffset, int length) {
    byte[] bytes = intact.clone();
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).putInt(recordOffset, length);
    return bytes;
  }

  private void overwrite(int offset, char value) throws IOException {
    replaceFile(withByte(offset, value));
  }

  /** Appends a record with a valid frame (length and checksum) around {@code payload}. */
  private void appendRecord(byte[] payload) throws IOException {
    byte[] record = new byte[ManifestFormat.RECORD_HEADER_SIZE + payload.length];
    ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN).putInt(0, payload.length);
    System.arraycopy(payload, 0, record, ManifestFormat.RECORD_HEADER_SIZE, payload.length);
    ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN)
        .putInt(4, ManifestFormat.recordChecksum(record, 0, payload.length));
    byte[] bytes = Arrays.copyOf(intact, intact.length + record.length);
    System.arraycopy(record, 0, bytes, intact.length, record.length);
    replaceFile(bytes);
  }

  private void replaceFile(byte[] bytes) throws IOException {
    fileSystem.delete(path);
    try (WritableFile file = fileSystem.createFile(path)) {
      file.write(bytes);
    }
  }
}
