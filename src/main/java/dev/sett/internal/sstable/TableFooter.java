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
 * footer (52 bytes) = indexOffset u64 | indexLength u32 | bloomOffset u64 | bloomLength u32
 *                   | propertiesOffset u64 | propertiesLength u32
 *                   | crc32c u32 (of the 36 bytes before it) | format version u32 | magic u64
 * </pre>
 *
 * Regions are contiguous: blocks, index, bloom filter (possibly empty), properties, footer.
 */
record TableFooter(long indexOffset, int indexLength, long bloomOffset, int bloomLength,
    long propertiesOffset, int propertiesLength) {

  static final int SIZE = 52;
  private static final int CHECKED_SIZE = 36;

  byte[] encode() {
    ByteBuffer out = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(indexOffset).putInt(indexLength).putLong(bloomOffset).putInt(bloomLength)
        .putLong(propertiesOffset).putInt(propertiesLength);
    out.putInt(Crc32c.of(out.array(), 0, CHECKED_SIZE));
    out.putInt(TableFormat.FORMAT_VERSION).putLong(TableFormat.MAGIC);
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
    int footer = (int) (size - SIZE);
    if (buffer.getLong(footer + 44) != TableFormat.MAGIC) {
      throw new CorruptFileException(file, footer + 44, "not a Sett table: bad footer magic");
    }
    int headerVersion = TableFormat.readHeaderVersion(buffer, file);
    int footerVersion = buffer.getInt(footer + 40);
    if (headerVersion != footerVersion) {
      throw new CorruptFileException(file, footer + 40, "table footer says format version "
          + footerVersion + " but the header says " + headerVersion);
    }
    if (footerVersion != TableFormat.FORMAT_VERSION) {
      throw new UnsupportedFormatException(file, "table", footerVersion, TableFormat.FORMAT_VERSION);
    }
    if (Crc32c.of(buffer, footer, CHECKED_SIZE) != buffer.getInt(footer + CHECKED_SIZE)) {
      throw new CorruptFileException(file, footer, "table footer checksum mismatch");
    }
    TableFooter parsed = new TableFooter(buffer.getLong(footer), buffer.getInt(footer + 8),
        buffer.getLong(footer + 12), buffer.getInt(footer + 20),
        buffer.getLong(footer + 24), buffer.getInt(footer + 32));
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
