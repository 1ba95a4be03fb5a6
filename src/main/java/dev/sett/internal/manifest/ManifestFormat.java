package dev.sett.internal.manifest;

import dev.sett.internal.codec.Crc32c;
import dev.sett.internal.codec.LittleEndian;
import dev.sett.internal.manifest.proto.ManifestChangeSet;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The bytes of a MANIFEST: the 16-byte header and the record framing, all little-endian. The
 * grammar is in docs/format/manifest.md; every constant here reaches disk, so never change one
 * without raising {@link #FORMAT_VERSION}.
 */
final class ManifestFormat {
  /** The first four bytes of every MANIFEST. */
  static final byte[] MAGIC = "SMAN".getBytes(StandardCharsets.US_ASCII);

  /** The format version this build writes and reads. */
  static final int FORMAT_VERSION = 1;

  /** magic 4 | version u16 | external magic u16 | reserved u32 | header CRC32C u32. */
  static final int HEADER_SIZE = 16;

  /** The header bytes the header CRC covers. */
  static final int HEADER_CHECKED_SIZE = 12;

  static final int VERSION_OFFSET = 4;
  static final int EXTERNAL_MAGIC_OFFSET = 6;
  static final int RESERVED_OFFSET = 8;
  static final int HEADER_CRC_OFFSET = 12;

  /** length u32 | CRC32C u32, in front of every payload. */
  static final int RECORD_HEADER_SIZE = 8;

  /** The largest external magic: it is stored as a u16. */
  static final int MAX_EXTERNAL_MAGIC = 0xFFFF;

  private ManifestFormat() {
  }

  static byte[] encodeHeader(int externalMagic) {
    ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    header.put(MAGIC);
    header.putShort((short) FORMAT_VERSION);
    header.putShort((short) externalMagic);
    header.putInt(0);
    header.putInt(Crc32c.of(header.array(), 0, HEADER_CHECKED_SIZE));
    return header.array();
  }

  /** {@code length u32 | crc32c(length bytes, payload) u32 | payload}. */
  static byte[] encodeRecord(ManifestChangeSet changes) {
    byte[] payload = changes.toByteArray();
    byte[] record = new byte[RECORD_HEADER_SIZE + payload.length];
    ByteBuffer buffer = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
    buffer.putInt(0, payload.length);
    System.arraycopy(payload, 0, record, RECORD_HEADER_SIZE, payload.length);
    buffer.putInt(4, recordChecksum(record, 0, payload.length));
    return record;
  }

  /**
   * The checksum of the record at {@code bytes[offset]} whose payload is {@code payloadLength}
   * bytes: CRC32C over the four length bytes and then the payload (the stored CRC in between is
   * skipped). The caller has checked that the whole record lies inside {@code bytes}.
   */
  static int recordChecksum(byte[] bytes, int offset, int payloadLength) {
    byte[] covered = new byte[4 + payloadLength];
    System.arraycopy(bytes, offset, covered, 0, 4);
    System.arraycopy(bytes, offset + RECORD_HEADER_SIZE, covered, 4, payloadLength);
    return Crc32c.of(covered);
  }
}
