package dev.sett.internal.vlog;

import dev.sett.internal.codec.Crc32c;
import dev.sett.internal.codec.DataKey;
import dev.sett.internal.codec.LittleEndian;
import dev.sett.internal.codec.Varint;
import dev.sett.internal.fs.CorruptFileException;
import dev.sett.internal.fs.UnsupportedFormatException;
import dev.sett.internal.key.EntryHead;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValue;
import dev.sett.internal.key.Meta;
import dev.sett.internal.key.ValueStruct;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The value log file format ({@code .vlog} files): constants, the file header and the record
 * codec. The byte grammar, the rules and a worked example are in {@code docs/format/value-log.md};
 * every fixed-width integer is little-endian. The reserved header field is written as 0 and
 * ignored on read. Every constant here reaches disk: never renumber.
 *
 * <pre>
 * file   := header record*
 * header := magic "SVLG" (4) | version u16 = 1 | reserved u16 = 0 | file id u64
 *           | crc32c u32 of the previous 16 bytes
 * header v2 (encrypted) := magic "SVLG" | version u16 = 2 | reserved u16 = 0 | file id u32
 *           | data key id u32 | crc32c u32 of the previous 16 bytes
 * record := length u32 | crc32c u32 of (length bytes, body) | body[length]
 *           (encrypted: the stored body is iv[16] | AES-CTR ciphertext of the body; the length
 *           and checksum are those of the stored bytes)
 * body   := meta u8 | userMeta u8 | varint expiresAt | varint keyLength | internal key
 *           | value (the rest of the body)
 * </pre>
 *
 * <p>Thread-safety: stateless.
 */
public final class ValueLogFormat {
  /** The format version of plain value log files. */
  public static final int VERSION = 1;
  /** The format version of encrypted value log files, whose header names the data key. */
  public static final int ENCRYPTED_VERSION = 2;
  /** Bytes an encrypted record adds to its plain length: the IV. */
  public static final int SEALED_RECORD_OVERHEAD = DataKey.IV_LENGTH;
  /** Bytes of the file header; the first record starts here. */
  public static final int HEADER_LENGTH = 20;
  /** {@code length u32 | crc32c u32}. */
  public static final int RECORD_HEADER_LENGTH = 8;
  /** The smallest body: two bytes, two one-byte varints and an internal key of an empty user key. */
  public static final int MIN_BODY_LENGTH = 2 + 1 + 1 + InternalKey.SUFFIX_LENGTH;
  /** The smallest record. */
  public static final int MIN_RECORD_LENGTH = RECORD_HEADER_LENGTH + MIN_BODY_LENGTH;
  /** Files stay below 2 GiB so that one mapping covers them; pointers are u32 either way. */
  public static final long MAX_FILE_SIZE = Integer.MAX_VALUE;
  /** The largest body a record can have in a file of {@link #MAX_FILE_SIZE} bytes. */
  public static final long MAX_BODY_LENGTH = MAX_FILE_SIZE - HEADER_LENGTH - RECORD_HEADER_LENGTH;
  /** File ids are u32 in value pointers; 0 is the id of {@link ValuePointer#NONE}. */
  public static final long MAX_FILE_ID = 0xFFFF_FFFFL;

  /** "SVLG". */
  static final byte[] MAGIC = "SVLG".getBytes(StandardCharsets.US_ASCII);
  private static final int HEADER_CHECKSUMMED_LENGTH = 16;
  private static final int FILE_ID_OFFSET = 8;

  private ValueLogFormat() {
  }

  /** Bytes of the record that {@code entry} becomes: header and body. */
  public static long recordLength(KeyValue entry) {
    return RECORD_HEADER_LENGTH + EntryHead.length(entry) + entry.value().value().length;
  }

  /**
   * The length of the value in a record of {@code recordLength} bytes whose internal key has
   * {@code keyLength} bytes and whose entry expires at {@code expiresAt}: what {@link
   * #recordLength} adds up, solved for the value. Negative if the three cannot belong together.
   */
  public static long valueLength(long recordLength, int keyLength, long expiresAt) {
    return recordLength - RECORD_HEADER_LENGTH - 2L - Varint.length(expiresAt)
        - Varint.length(keyLength) - keyLength;
  }

  /** Bytes of the records that one transaction's {@code entries} become. */
  public static long transactionLength(List<KeyValue> entries) {
    long length = 0;
    for (KeyValue entry : entries) {
      length += recordLength(entry);
    }
    return length;
  }

  /** Throws {@link IllegalArgumentException} unless {@code fileId} is in [1, 2^32). */
  static long checkFileId(long fileId) {
    if (fileId < 1 || fileId > MAX_FILE_ID) {
      throw new IllegalArgumentException("value log file id " + fileId
          + " is outside [1, 2^32)");
    }
    return fileId;
  }

  /** The 20-byte header of file {@code fileId}. */
  static byte[] header(long fileId) {
    return header(fileId, 0);
  }

  /**
   * The 20-byte header of file {@code fileId}, naming {@code dataKeyId} (in [1, 2^32)) in an
   * encrypted file; 0 writes a plain (version 1) header.
   */
  static byte[] header(long fileId, long dataKeyId) {
    ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    if (dataKeyId == 0) {
      header.put(MAGIC).putShort((short) VERSION).putShort((short) 0).putLong(fileId);
    } else {
      if (dataKeyId < 0 || dataKeyId > 0xFFFF_FFFFL) {
        throw new IllegalArgumentException("data key id " + dataKeyId + " is outside [1, 2^32)");
      }
      header.put(MAGIC).putShort((short) ENCRYPTED_VERSION).putShort((short) 0)
          .putInt((int) fileId).putInt((int) dataKeyId);
    }
    header.putInt(Crc32c.of(header.array(), 0, HEADER_CHECKSUMMED_LENGTH));
    return header.array();
  }

  /**
   * Checks the header of {@code file}, whose first {@code length} bytes (at most
   * {@link #HEADER_LENGTH}) are in {@code header}, and that it names file {@code expectedFileId}.
   * The magic is checked first, then the version (another version may lay out the rest
   * differently), then the checksum, then the id.
   */
  static long checkHeader(Path file, byte[] header, int length, long expectedFileId)
      throws CorruptFileException, UnsupportedFormatException {
    if (length == 0) {
      throw new CorruptFileException(file, 0,
          "value log file is empty: its header was never written");
    }
    int magicLength = Math.min(length, MAGIC.length);
    if (!Arrays.equals(header, 0, magicLength, MAGIC, 0, magicLength)) {
      throw new CorruptFileException(file, 0,
          "not a Sett value log: the file does not start with magic \"SVLG\"");
    }
    if (length < HEADER_LENGTH) {
      throw new CorruptFileException(file, 0, "value log header is truncated: the file has "
          + length + " bytes, the header needs " + HEADER_LENGTH);
    }
    ByteBuffer buffer = ByteBuffer.wrap(header, 0, HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
    int version = Short.toUnsignedInt(buffer.getShort(4));
    if (version != VERSION && version != ENCRYPTED_VERSION) {
      throw new UnsupportedFormatException(file, "value log", version, ENCRYPTED_VERSION);
    }
    int stored = buffer.getInt(HEADER_CHECKSUMMED_LENGTH);
    int computed = Crc32c.of(header, 0, HEADER_CHECKSUMMED_LENGTH);
    if (stored != computed) {
      throw new CorruptFileException(file, 0, String.format(
          "value log header checksum mismatch: stored %08x, computed %08x", stored, computed));
    }
    boolean encrypted = version == ENCRYPTED_VERSION;
    long fileId = encrypted ? Integer.toUnsignedLong(buffer.getInt(FILE_ID_OFFSET))
        : buffer.getLong(FILE_ID_OFFSET);
    if (fileId != expectedFileId) {
      throw new CorruptFileException(file, FILE_ID_OFFSET, "the header names value log file "
          + Long.toUnsignedString(fileId) + ", expected " + expectedFileId);
    }
    long dataKeyId = encrypted ? Integer.toUnsignedLong(buffer.getInt(FILE_ID_OFFSET + 4)) : 0;
    if (encrypted && dataKeyId == 0) {
      throw new CorruptFileException(file, FILE_ID_OFFSET + 4,
          "encrypted value log file names data key 0");
    }
    return dataKeyId;
  }

  /**
   * Throws {@link IllegalArgumentException} unless {@code entry} can be stored: an internal key of
   * at least the version suffix, and a value that is not itself a value pointer.
   */
  static void checkEntry(KeyValue entry) {
    if (entry.key().length < InternalKey.SUFFIX_LENGTH) {
      throw new IllegalArgumentException("internal key of " + entry.key().length
          + " bytes is shorter than its version suffix: " + entry);
    }
    if ((entry.value().meta() & Meta.VALUE_POINTER) != 0) {
      throw new IllegalArgumentException("the value log stores values, not value pointers: "
          + entry);
    }
  }

  /**
   * Writes the record of {@code entry} at {@code destination[at]}, which has room for
   * {@link #recordLength} bytes; returns the offset after it.
   */
  static int encodeRecord(KeyValue entry, byte[] destination, int at) {
    return encodeRecord(entry, destination, at, null);
  }

  /**
   * As {@link #encodeRecord(KeyValue, byte[], int)}, sealing the body under {@code dataKey} (null:
   * plain); the record is then {@link #SEALED_RECORD_OVERHEAD} bytes longer.
   */
  static int encodeRecord(KeyValue entry, byte[] destination, int at, DataKey dataKey) {
    byte[] value = entry.value().value();
    int seal = dataKey == null ? 0 : SEALED_RECORD_OVERHEAD;
    int bodyStart = at + RECORD_HEADER_LENGTH + seal;
    int position = EntryHead.write(entry, destination, bodyStart);
    System.arraycopy(value, 0, destination, position, value.length);
    position += value.length;
    if (dataKey != null) {
      // The record's encode point: seal the body in place, its IV before it.
      dataKey.seal(destination, bodyStart, position - bodyStart, destination,
          at + RECORD_HEADER_LENGTH);
    }
    int bodyLength = position - at - RECORD_HEADER_LENGTH;
    LittleEndian.putInt(destination, at, bodyLength);
    LittleEndian.putInt(destination, at + 4, checksum(destination, at, bodyLength));
    return position;
  }

  /** The body length stored in the record header at {@code record[at]}, unsigned. */
  static long storedBodyLength(byte[] record, int at) {
    return LittleEndian.getUnsignedInt(record, at);
  }

  /**
   * Decodes the record that {@code pointer} names, whose {@code pointer.length()} bytes are in
   * {@code record}. Throws {@link CorruptFileException} at the record's offset when the stored
   * length disagrees with the pointer, the checksum does not match, or the body does not parse.
   * The key and value are fresh arrays. With {@code verifyChecksum} false the checksum is not
   * computed ({@code verifyValueChecksum} off); the framing is checked all the same.
   */
  static ValueLogRecord decodeRecord(Path file, ValuePointer pointer, byte[] record,
      boolean verifyChecksum) throws CorruptFileException {
    return decodeRecord(file, pointer, record, verifyChecksum, null);
  }

  /**
   * As {@link #decodeRecord(Path, ValuePointer, byte[], boolean)} for a record sealed under
   * {@code dataKey} (null: plain). The checksum covers the stored (sealed) bytes, so it is checked
   * before anything is decrypted; the body is then decrypted in place, in {@code record}.
   */
  static ValueLogRecord decodeRecord(Path file, ValuePointer pointer, byte[] record,
      boolean verifyChecksum, DataKey dataKey) throws CorruptFileException {
    long offset = pointer.offset();
    long storedBodyLength = storedBodyLength(record, 0);
    if (storedBodyLength != record.length - RECORD_HEADER_LENGTH) {
      throw new CorruptFileException(file, offset, "value log record length mismatch: the"
          + " pointer says " + record.length + " bytes, the record header says "
          + storedBodyLength + " + " + RECORD_HEADER_LENGTH);
    }
    int bodyLength = record.length - RECORD_HEADER_LENGTH;
    int stored = LittleEndian.getInt(record, 4);
    int computed = verifyChecksum ? checksum(record, 0, bodyLength) : stored;
    if (stored != computed) {
      throw new CorruptFileException(file, offset, String.format(
          "value log record checksum mismatch: stored %08x, computed %08x", stored, computed));
    }
    try {
      return parseBody(pointer, record, dataKey == null ? RECORD_HEADER_LENGTH
          : openBody(record, dataKey));
    } catch (IllegalArgumentException e) {
      throw new CorruptFileException(file, offset,
          "value log record does not parse: " + e.getMessage(), e);
    }
  }

  /** Decrypts the sealed body in place, after its IV; returns where the plaintext body starts. */
  private static int openBody(byte[] record, DataKey dataKey) {
    int sealed = record.length - RECORD_HEADER_LENGTH;
    if (sealed < SEALED_RECORD_OVERHEAD) {
      throw new IllegalArgumentException("an encrypted body of " + sealed
          + " bytes is shorter than its IV");
    }
    int bodyStart = RECORD_HEADER_LENGTH + SEALED_RECORD_OVERHEAD;
    dataKey.open(record, RECORD_HEADER_LENGTH, sealed, record, bodyStart);
    return bodyStart;
  }

  /** Parses the body from {@code record[bodyStart]} to the end of the record. */
  private static ValueLogRecord parseBody(ValuePointer pointer, byte[] record, int bodyStart) {
    int end = record.length;
    int position = bodyStart;
    if (end - position < MIN_BODY_LENGTH) {
      throw new IllegalArgumentException("a body of " + (end - position)
          + " bytes is shorter than the smallest, " + MIN_BODY_LENGTH);
    }
    byte meta = record[position++];
    byte userMeta = record[position++];
    long expiresAt = Varint.read(record, position, end);
    position = Varint.readEnd(record, position, end);
    long keyLength = Varint.read(record, position, end);
    position = Varint.readEnd(record, position, end);
    if (keyLength < InternalKey.SUFFIX_LENGTH || keyLength > end - position) {
      throw new IllegalArgumentException("key length " + Long.toUnsignedString(keyLength)
          + " is shorter than the version suffix or runs past the end of the record");
    }
    byte[] key = Arrays.copyOfRange(record, position, position + (int) keyLength);
    byte[] value = Arrays.copyOfRange(record, position + (int) keyLength, end);
    return new ValueLogRecord(pointer, key,
        new ValueStruct(meta, userMeta, expiresAt, InternalKey.version(key), value));
  }

  /** CRC-32C of the 4 length bytes at {@code record[at]} followed by the body after the CRC. */
  private static int checksum(byte[] record, int at, int bodyLength) {
    CRC32C crc = new CRC32C();
    crc.update(record, at, 4);
    crc.update(record, at + RECORD_HEADER_LENGTH, bodyLength);
    return (int) crc.getValue();
  }
}
