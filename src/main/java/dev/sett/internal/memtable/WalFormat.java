package dev.sett.internal.memtable;

import dev.sett.internal.codec.Crc32c;
import dev.sett.internal.fs.CorruptFileException;
import dev.sett.internal.fs.UnsupportedFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Constants and the file header of the memtable write-ahead log ({@code .mem} files). The byte
 * grammar, replay rules and a worked example are in {@code docs/format/wal.md}; every integer
 * is little-endian. The reserved header field is written as 0 and ignored on read.
 *
 * <pre>
 * file   := header record*
 * header := magic "SWAL" (4) | version u16 = 3 | reserved u16 = 0 | memtable id u64
 *           | crc32c u32 of the previous 16 bytes
 * header v4 (encrypted) := magic "SWAL" | version u16 = 4 | reserved u16 = 0 | memtable id u64
 *           | data key id u64 | crc32c u32 of the previous 24 bytes
 * record := length u32 | crc32c u32 of (length bytes, body) | body[length]
 *           (in an encrypted WAL the stored body is iv[16] | AES-CTR ciphertext of the body, and
 *           the checksum covers those stored bytes)
 * body   := type u8 = BATCH (1) | varint durable | varint entryCount | entry*
 * entry  := meta u8 | userMeta u8 | varint expiresAt | varint keyLength | internal key
 *           | varint valueLength | value
 * </pre>
 *
 * <p>{@code durable} is the file's length as of its last completed sync when the record was
 * written: recovery tells a torn unsynced tail from damaged synced records by it. Versions 1
 * (plain) and 2 (encrypted) are the same without {@code durable}; they are still read.
 */
final class WalFormat {
  /** "SWAL". */
  static final byte[] MAGIC = "SWAL".getBytes(StandardCharsets.US_ASCII);
  /** The format version of plain WALs written now: records carry their durable offset. */
  static final int VERSION = 3;
  /** The format version of encrypted WALs written now, whose header names the data key. */
  static final int ENCRYPTED_VERSION = 4;
  /** Plain WALs without durable offsets, written before version 3; still read. */
  static final int VERSION_1 = 1;
  /** Encrypted WALs without durable offsets, written before version 4; still read. */
  static final int ENCRYPTED_VERSION_2 = 2;
  static final int HEADER_LENGTH = 20;
  static final int ENCRYPTED_HEADER_LENGTH = 28;
  /** {@code length u32 | crc32c u32}. */
  static final int RECORD_HEADER_LENGTH = 8;
  /** A record whose length is 0 or above this is damaged: no writer produces one. */
  static final int MAX_RECORD_LENGTH = 256 << 20;
  /** Record type of one transaction's entries. Stored on disk: never renumber. */
  static final byte TYPE_BATCH = 1;
  /** The smallest possible entry: two bytes, three one-byte varints, an empty user key. */
  static final int MIN_ENTRY_LENGTH = 2 + 1 + 1 + 8 + 1;

  private static final int HEADER_CHECKSUMMED_LENGTH = 16;

  private WalFormat() {
  }

  /**
   * What a WAL header says.
   *
   * @param length the header's length: where the first record starts
   * @param dataKeyId the data key that seals the records, 0 in a plain WAL
   */
  record Header(long memtableId, long dataKeyId, int length, int version) {
    /** Whether each record carries the durable offset (versions 3 and 4). */
    boolean durableOffsets() {
      return hasDurableOffsets(version);
    }
  }

  /** Whether records of format {@code version} carry the durable offset. */
  static boolean hasDurableOffsets(int version) {
    return version == VERSION || version == ENCRYPTED_VERSION;
  }

  /** Whether {@code version} names an encrypted WAL, whose header names the data key. */
  static boolean isEncrypted(int version) {
    return version == ENCRYPTED_VERSION || version == ENCRYPTED_VERSION_2;
  }

  /** The 20-byte header of the WAL of memtable {@code memtableId}. */
  static byte[] header(long memtableId) {
    return header(memtableId, 0);
  }

  /**
   * The header of the WAL of memtable {@code memtableId}: 20 bytes in a plain WAL, 28 naming
   * {@code dataKeyId} in an encrypted one (a non-zero id).
   */
  static byte[] header(long memtableId, long dataKeyId) {
    boolean encrypted = dataKeyId != 0;
    int length = encrypted ? ENCRYPTED_HEADER_LENGTH : HEADER_LENGTH;
    ByteBuffer header = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    header.put(MAGIC).putShort((short) (encrypted ? ENCRYPTED_VERSION : VERSION))
        .putShort((short) 0).putLong(memtableId);
    if (encrypted) {
      header.putLong(dataKeyId);
    }
    header.putInt(Crc32c.of(header.array(), 0, length - 4));
    return header.array();
  }

  /**
   * Checks a header read from {@code file} and returns its memtable id. {@code header} holds the
   * first {@code length} bytes of the file (at most {@link #HEADER_LENGTH}). The magic is checked
   * first, then the version (a newer version may lay out the rest differently), then the checksum.
   */
  static long parseHeader(Path file, byte[] header, int length) throws CorruptFileException,
      UnsupportedFormatException {
    return parse(file, header, length).memtableId();
  }

  /**
   * As {@link #parseHeader}, returning the whole header; {@code header} holds up to {@link
   * #ENCRYPTED_HEADER_LENGTH} bytes.
   */
  static Header parse(Path file, byte[] header, int length) throws CorruptFileException,
      UnsupportedFormatException {
    if (length == 0) {
      throw new CorruptFileException(file, 0, "WAL file is empty: its header was never written");
    }
    int magicLength = Math.min(length, MAGIC.length);
    if (!Arrays.equals(header, 0, magicLength, MAGIC, 0, magicLength)) {
      throw new CorruptFileException(file, 0, "not a Sett WAL: the file does not start with"
          + " magic \"SWAL\"");
    }
    if (length < HEADER_LENGTH) {
      throw new CorruptFileException(file, 0, "WAL header is truncated: the file has " + length
          + " bytes, the header needs " + HEADER_LENGTH);
    }
    ByteBuffer buffer = ByteBuffer.wrap(header, 0, length).order(ByteOrder.LITTLE_ENDIAN);
    int version = Short.toUnsignedInt(buffer.getShort(4));
    if (version != VERSION && version != ENCRYPTED_VERSION && version != VERSION_1
        && version != ENCRYPTED_VERSION_2) {
      throw new UnsupportedFormatException(file, "WAL", version, ENCRYPTED_VERSION);
    }
    boolean encrypted = isEncrypted(version);
    int headerLength = encrypted ? ENCRYPTED_HEADER_LENGTH : HEADER_LENGTH;
    if (length < headerLength) {
      throw new CorruptFileException(file, 0, "WAL header is truncated: the file has " + length
          + " bytes, the header needs " + headerLength);
    }
    int checksummed = headerLength - 4;
    int stored = buffer.getInt(checksummed);
    int computed = Crc32c.of(header, 0, checksummed);
    if (stored != computed) {
      throw new CorruptFileException(file, 0, String.format(
          "WAL header checksum mismatch: stored %08x, computed %08x", stored, computed));
    }
    long dataKeyId = encrypted ? buffer.getLong(16) : 0;
    if (encrypted && dataKeyId <= 0) {
      throw new CorruptFileException(file, 16, "encrypted WAL names data key " + dataKeyId);
    }
    return new Header(buffer.getLong(8), dataKeyId, headerLength, version);
  }
}
