package dev.sett.internal.sstable;

import dev.sett.internal.codec.Crc32c;
import dev.sett.internal.fs.CorruptFileException;
import dev.sett.internal.fs.UnsupportedFormatException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * The fixed-size footer at the end of every table: where the regions are, and the magic and format
 * version again so that a table can be recognised from either end.
 *
 * <pre>
 * footer v1 (52 bytes) = indexOffset u64 | indexLength u32 | bloomOffset u64 | bloomLength u32
 *                      | propertiesOffset u64 | propertiesLength u32
 *                      | crc32c u32 (of the 36 bytes before it) | format version u32 | magic u64
 * footer v2 (60 bytes) = the same six fields | dataKeyId u64
 *                      | crc32c u32 (of the 44 bytes before it) | format version u32 = 2 | magic u64
 * </pre>
 *
 * Version 2 is an encrypted table; {@code dataKeyId} names the key registry's key that sealed it.
 * Regions are contiguous: blocks, index, bloom filter (possibly empty), properties, footer.
 *
 * @param dataKeyId the data key of an encrypted table, 0 for a plain one
 */
record TableFooter(long indexOffset, int indexLength, long bloomOffset, int bloomLength,
    long propertiesOffset, int propertiesLength, long dataKeyId) {

  static final int SIZE = 52;
  static final int ENCRYPTED_SIZE = 60;
  private static final int CHECKED_SIZE = 36;

  /** The footer's size for a table sealed by data key {@code dataKeyId} (0: plain). */
  static int size(long dataKeyId) {
    return dataKeyId == 0 ? SIZE : ENCRYPTED_SIZE;
  }

  byte[] encode() {
    int size = size(dataKeyId);
    int checked = size - 16;
    ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(indexOffset).putInt(indexLength).putLong(bloomOffset).putInt(bloomLength)
        .putLong(propertiesOffset).putInt(propertiesLength);
    if (dataKeyId != 0) {
      out.putLong(dataKeyId);
    }
    out.putInt(Crc32c.of(out.array(), 0, checked));
    out.putInt(dataKeyId == 0 ? TableFormat.FORMAT_VERSION : TableFormat.ENCRYPTED_FORMAT_VERSION)
        .putLong(TableFormat.MAGIC);
    return out.array();
  }

  /**
   * Reads and checks the footer and the header of a table of {@code size} bytes. Order matters:
   * magic first (is this a Sett table at all?), then the versions, then the footer checksum, whose
   * coverage a future version may change. A version this build does not read is reported as
   * {@link UnsupportedFormatException} only when header and footer agree on it; when they
   * disagree, one of them is damaged.
   */
  static TableFooter read(ByteBuffer buffer, long size, Path file) throws IOException {
    if (size < TableFormat.HEADER_SIZE + SIZE) {
      throw new CorruptFileException(file, 0, "table of " + size + " bytes is too short");
    }
    int end = (int) size;
    if (buffer.getLong(end - 8) != TableFormat.MAGIC) {
      throw new CorruptFileException(file, end - 8, "not a Sett table: bad footer magic");
    }
    int headerVersion = TableFormat.readHeaderVersion(buffer, file);
    int footerVersion = buffer.getInt(end - 12);
    if (headerVersion != footerVersion) {
      throw new CorruptFileException(file, end - 12, "table footer says format version "
          + footerVersion + " but the header says " + headerVersion);
    }
    if (footerVersion != TableFormat.FORMAT_VERSION
        && footerVersion != TableFormat.ENCRYPTED_FORMAT_VERSION) {
      throw new UnsupportedFormatException(file, "table", footerVersion,
          TableFormat.ENCRYPTED_FORMAT_VERSION);
    }
    boolean encrypted = footerVersion == TableFormat.ENCRYPTED_FORMAT_VERSION;
    int footerSize = encrypted ? ENCRYPTED_SIZE : SIZE;
    if (size < TableFormat.HEADER_SIZE + footerSize) {
      throw new CorruptFileException(file, 0, "table of " + size + " bytes is too short");
    }
    int footer = end - footerSize;
    int checked = footerSize - 16;
    if (Crc32c.of(buffer, footer, checked) != buffer.getInt(footer + checked)) {
      throw new CorruptFileException(file, footer, "table footer checksum mismatch");
    }
    long dataKeyId = encrypted ? buffer.getLong(footer + CHECKED_SIZE) : 0;
    if (encrypted && dataKeyId <= 0) {
      throw new CorruptFileException(file, footer + CHECKED_SIZE, "encrypted table names data key "
          + dataKeyId);
    }
    TableFooter parsed = new TableFooter(buffer.getLong(footer), buffer.getInt(footer + 8),
        buffer.getLong(footer + 12), buffer.getInt(footer + 20),
        buffer.getLong(footer + 24), buffer.getInt(footer + 32), dataKeyId);
    parsed.checkLayout(footer, file);
    return parsed;
  }

  /** Checks that the regions follow each other and end where the footer starts. */
  private void checkLayout(int footer, Path file) throws CorruptFileException {
    boolean contiguous = indexOffset > TableFormat.HEADER_SIZE && indexLength > 0
        && bloomLength >= 0 && propertiesLength > 0
        && bloomOffset == indexOffset + indexLength
        && propertiesOffset == bloomOffset + bloomLength
        && propertiesOffset + propertiesLength == footer;
    if (!contiguous) {
      throw new CorruptFileException(file, footer, "table footer regions do not tile the file: "
          + this);
    }
  }
}
