package dev.sett.internal.manifest;

import static dev.sett.internal.manifest.ManifestFormat.EXTERNAL_MAGIC_OFFSET;
import static dev.sett.internal.manifest.ManifestFormat.FORMAT_VERSION;
import static dev.sett.internal.manifest.ManifestFormat.HEADER_CHECKED_SIZE;
import static dev.sett.internal.manifest.ManifestFormat.HEADER_CRC_OFFSET;
import static dev.sett.internal.manifest.ManifestFormat.HEADER_SIZE;
import static dev.sett.internal.manifest.ManifestFormat.MAGIC;
import static dev.sett.internal.manifest.ManifestFormat.RECORD_HEADER_SIZE;
import static dev.sett.internal.manifest.ManifestFormat.RESERVED_OFFSET;
import static dev.sett.internal.manifest.ManifestFormat.VERSION_OFFSET;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.sett.internal.codec.Crc32c;
import dev.sett.internal.codec.LittleEndian;
import dev.sett.internal.fs.CorruptFileException;
import dev.sett.internal.fs.UnsupportedFormatException;
import dev.sett.internal.manifest.proto.ManifestChangeSet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Parses the bytes of a whole MANIFEST: checks the header, then hands every whole record to a
 * visitor in file order and reports where the whole records end.
 *
 * <p>Torn versus corrupt: a record whose header or payload runs past the end of the file is a torn
 * append, the expected result of a crash in the middle of a write, and ends the log; but only if no
 * whole, checksummed record follows it. If one does, the length field was damaged, and treating it
 * as torn would silently drop every later change set, so it is reported as corruption instead. A
 * checksum mismatch on a record that lies inside the file is always corruption.
 */
final class ManifestReader {

  /** Receives each whole record. */
  @FunctionalInterface
  interface RecordVisitor {
    void accept(long offset, ManifestChangeSet changes) throws IOException;
  }

  private ManifestReader() {
  }

  /**
   * Checks the header of {@code bytes}, the whole content of {@code file}, and passes every whole
   * record to {@code visitor}. Returns the offset where the whole records end: the file's length,
   * or less when the last record is torn.
   */
  static int read(Path file, byte[] bytes, int externalMagic, RecordVisitor visitor)
      throws IOException {
    checkHeader(file, bytes, externalMagic);
    int offset = HEADER_SIZE;
    while (offset < bytes.length) {
      long remaining = bytes.length - (long) offset;
      long payloadLength = remaining < RECORD_HEADER_SIZE
          ? Long.MAX_VALUE
          : LittleEndian.getUnsignedInt(bytes, offset);
      if (payloadLength > remaining - RECORD_HEADER_SIZE) {
        checkNotWholeWithDamagedLength(file, bytes, offset);
        checkNoWholeRecordAfter(file, bytes, offset);
        return offset;
      }
      int length = (int) payloadLength;
      int stored = LittleEndian.getInt(bytes, offset + 4);
      if (stored != ManifestFormat.recordChecksum(bytes, offset, length)) {
        throw new CorruptFileException(file, offset, "MANIFEST record checksum mismatch");
      }
      ManifestChangeSet changes;
      try {
        changes = ManifestChangeSet.parser()
            .parseFrom(bytes, offset + RECORD_HEADER_SIZE, length);
      } catch (InvalidProtocolBufferException e) {
        throw new CorruptFileException(file, offset,
            "MANIFEST record is not a valid ManifestChangeSet: " + e.getMessage(), e);
      }
      visitor.accept(offset, changes);
      offset += RECORD_HEADER_SIZE + length;
    }
    return offset;
  }

  /**
   * Magic first, then the version (a newer version may lay out the rest differently), then the
   * checksum, and only then the fields it covers.
   */
  private static void checkHeader(Path file, byte[] bytes, int externalMagic) throws IOException {
    if (bytes.length < MAGIC.length
        || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
      throw new CorruptFileException(file, 0, "not a MANIFEST: bad magic, expected \"SMAN\"");
    }
    if (bytes.length >= VERSION_OFFSET + 2) {
      int version = LittleEndian.getUnsignedShort(bytes, VERSION_OFFSET);
      if (version != FORMAT_VERSION) {
        throw new UnsupportedFormatException(file, "MANIFEST", version, FORMAT_VERSION);
      }
    }
    if (bytes.length < HEADER_SIZE) {
      throw new CorruptFileException(file, 0,
          "MANIFEST header is truncated: " + bytes.length + " of " + HEADER_SIZE + " bytes");
    }
    if (LittleEndian.getInt(bytes, HEADER_CRC_OFFSET)
        != Crc32c.of(bytes, 0, HEADER_CHECKED_SIZE)) {
      throw new CorruptFileException(file, 0, "MANIFEST header checksum mismatch");
    }
    long reserved = LittleEndian.getUnsignedInt(bytes, RESERVED_OFFSET);
    if (reserved != 0) {
      throw new CorruptFileException(file, RESERVED_OFFSET,
          "MANIFEST header reserved field is " + reserved + ", expected 0");
    }
    int found = LittleEndian.getUnsignedShort(bytes, EXTERNAL_MAGIC_OFFSET);
    if (found != externalMagic) {
      throw new IOException("cannot open " + file + ": it was written with external magic "
          + found + " but this store was opened with external magic " + externalMagic
          + " (Options.externalMagic); it belongs to another application or version");
    }
  }

  /**
   * The record at {@code tornOffset} runs past the end of the file. If the bytes up to the end of
   * the file are a whole record under its stored checksum once the length field says so, the
   * record was complete and its length field is damaged: corruption, not a torn append (cutting
   * it off would silently drop a durable change, such as the table of the last flush, whose WAL
   * is already gone).
   */
  private static void checkNotWholeWithDamagedLength(Path file, byte[] bytes, int tornOffset)
      throws CorruptFileException {
    long remaining = bytes.length - (long) tornOffset - RECORD_HEADER_SIZE;
    if (remaining < 0) {
      return;
    }
    byte[] repaired = Arrays.copyOfRange(bytes, tornOffset, bytes.length);
    int payloadLength = (int) remaining;
    repaired[0] = (byte) payloadLength;
    repaired[1] = (byte) (payloadLength >>> 8);
    repaired[2] = (byte) (payloadLength >>> 16);
    repaired[3] = (byte) (payloadLength >>> 24);
    if (LittleEndian.getInt(repaired, 4)
        == ManifestFormat.recordChecksum(repaired, 0, payloadLength)) {
      throw new CorruptFileException(file, tornOffset, "MANIFEST record length "
          + LittleEndian.getUnsignedInt(bytes, tornOffset) + " runs past the end of the file,"
          + " but the record is whole with length " + payloadLength
          + ": the length is damaged, not torn");
    }
  }

  /**
   * The record at {@code tornOffset} runs past the end of the file. That is a torn append only if
   * it is the last record: throws if a whole record with a valid checksum starts anywhere after it.
   */
  private static void checkNoWholeRecordAfter(Path file, byte[] bytes, int tornOffset)
      throws CorruptFileException {
    for (int candidate = tornOffset + 1;
        candidate <= bytes.length - RECORD_HEADER_SIZE; candidate++) {
      long length = LittleEndian.getUnsignedInt(bytes, candidate);
      if (length > bytes.length - (long) candidate - RECORD_HEADER_SIZE) {
        continue;
      }
      int stored = LittleEndian.getInt(bytes, candidate + 4);
      if (stored == ManifestFormat.recordChecksum(bytes, candidate, (int) length)) {
        throw new CorruptFileException(file, tornOffset,
            "MANIFEST record length runs past the end of the file, yet a whole record follows"
                + " at offset " + candidate + ": the length is damaged, not torn");
      }
    }
  }
}
