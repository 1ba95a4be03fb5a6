package dev.sett.internal.sstable;

import dev.sett.internal.codec.CompressionType;
import dev.sett.internal.codec.Crc32c;
import dev.sett.internal.fs.CorruptFileException;
import dev.sett.internal.key.InternalKey;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Table-wide facts, written once by the builder and read at open.
 *
 * <pre>
 * properties region = keyCount u64 | maxVersion u64 | uncompressedSize u64 | staleDataSize u64
 *                   | compression u8 | createdByFormatVersion u32
 *                   | smallestKeyLength u16 | smallest internal key
 *                   | biggestKeyLength u16 | biggest internal key
 *                   | crc32c u32
 * </pre>
 *
 * @param keyCount entries in the table, every version counted
 * @param maxVersion the largest version of any entry (unsigned)
 * @param uncompressedSize sum of the blocks' uncompressed content lengths
 * @param staleDataSize bytes of entries added with {@link TableBuilder#addStale}
 * @param compression the compression the table was written with (a block may still be stored
 *     uncompressed when compression did not pay)
 * @param createdByFormatVersion the format version of the writer
 */
record TableProperties(long keyCount, long maxVersion, long uncompressedSize, long staleDataSize,
    CompressionType compression, int createdByFormatVersion, byte[] smallestKey,
    byte[] biggestKey) {

  private static final int FIXED_SIZE = 4 * Long.BYTES + 1 + Integer.BYTES;

  /** Region size for keys of the given lengths. */
  static int regionSize(int smallestKeyLength, int biggestKeyLength) {
    return FIXED_SIZE + 2 * Short.BYTES + smallestKeyLength + biggestKeyLength
        + TableFormat.REGION_CHECKSUM_SIZE;
  }

  /** The encoded region, checksum included. */
  byte[] encode() {
    byte[] region = new byte[regionSize(smallestKey.length, biggestKey.length)];
    ByteBuffer out = ByteBuffer.wrap(region).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(keyCount).putLong(maxVersion).putLong(uncompressedSize).putLong(staleDataSize);
    out.put((byte) compression.id()).putInt(createdByFormatVersion);
    out.putShort((short) smallestKey.length).put(smallestKey);
    out.putShort((short) biggestKey.length).put(biggestKey);
    out.putInt(Crc32c.of(region, 0, out.position()));
    return region;
  }

  static TableProperties read(ByteBuffer buffer, int offset, int length, Path file)
      throws CorruptFileException {
    int body = length - TableFormat.REGION_CHECKSUM_SIZE;
    if (body < FIXED_SIZE + 2 * Short.BYTES
        || Crc32c.of(buffer, offset, body) != buffer.getInt(offset + body)) {
      throw new CorruptFileException(file, offset, "table properties checksum mismatch");
    }
    CompressionType compression = CompressionType.ofId(buffer.get(offset + 4 * Long.BYTES) & 0xFF);
    if (compression == null) {
      throw new CorruptFileException(file, offset, "table properties name an unknown compression "
          + (buffer.get(offset + 4 * Long.BYTES) & 0xFF));
    }
    int position = offset + FIXED_SIZE;
    int smallestLength = buffer.getShort(position) & 0xFFFF;
    int biggestPosition = position + Short.BYTES + smallestLength;
    if (biggestPosition + Short.BYTES > offset + body) {
      throw new CorruptFileException(file, offset, "table properties keys overrun the region");
    }
    int biggestLength = buffer.getShort(biggestPosition) & 0xFFFF;
    if (biggestPosition + Short.BYTES + biggestLength != offset + body
        || smallestLength < InternalKey.SUFFIX_LENGTH || biggestLength < InternalKey.SUFFIX_LENGTH) {
      throw new CorruptFileException(file, offset, "table properties keys do not fit the region");
    }
    byte[] smallest = new byte[smallestLength];
    buffer.get(position + Short.BYTES, smallest);
    byte[] biggest = new byte[biggestLength];
    buffer.get(biggestPosition + Short.BYTES, biggest);
    return new TableProperties(buffer.getLong(offset), buffer.getLong(offset + Long.BYTES),
        buffer.getLong(offset + 2 * Long.BYTES), buffer.getLong(offset + 3 * Long.BYTES),
        compression, buffer.getInt(offset + 4 * Long.BYTES + 1), smallest, biggest);
  }
}
