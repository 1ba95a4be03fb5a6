package dev.sett.internal.sstable;

import dev.sett.internal.codec.Crc32c;
import dev.sett.internal.codec.LittleEndian;
import dev.sett.internal.fs.CorruptFileException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Constants and the fixed header of the SSTable format (docs/format/sstable.md). Every constant
 * here reaches disk: never renumber.
 *
 * <pre>
 * header (16 bytes) = magic u64 | format version u32 | crc32c u32 (of the previous 12 bytes)
 * </pre>
 */
final class TableFormat {
  /** ASCII {@code "SettSST\0"} read as a little-endian u64. Never renumber. */
  static final long MAGIC = 0x0054535374746553L;

  /** The format version of plain tables. Never renumber. */
  static final int FORMAT_VERSION = 1;

  /**
   * The format version of encrypted tables: every block and region is sealed under a data key,
   * and the footer names that key. Never renumber.
   */
  static final int ENCRYPTED_FORMAT_VERSION = 2;

  static final int HEADER_SIZE = 16;

  /** Bytes after every stored block's payload: compression type u8 and crc32c u32. */
  static final int BLOCK_TRAILER_SIZE = 5;

  /** Every region (index, bloom filter, properties) ends with a crc32c of its other bytes. */
  static final int REGION_CHECKSUM_SIZE = 4;

  /** Bytes a sealed region adds: the IV before it and a crc32c of IV and ciphertext after it. */
  static final int SEALED_REGION_OVERHEAD = 16 + REGION_CHECKSUM_SIZE;

  /** Bytes a sealed block adds to its payload: the IV before the ciphertext. */
  static final int SEALED_BLOCK_OVERHEAD = 16;

  /** Tables are mapped with one {@code MappedByteBuffer}, so they stay below 2 GiB. */
  static final long MAX_TABLE_SIZE = Integer.MAX_VALUE - 8;

  /** Block-cache keys pack the block index into the low 24 bits. */
  static final int MAX_BLOCK_COUNT = 1 << 24;

  /** Block-cache keys pack the table id into the bits above the block index. */
  static final long MAX_TABLE_ID = (1L << 39) - 1;

  /** Entry headers store key lengths as u16. */
  static final int MAX_KEY_LENGTH = 0xFFFF;

  private TableFormat() {
  }

  static byte[] header(int version) {
    ByteBuffer header = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    header.putLong(MAGIC).putInt(version);
    header.putInt(Crc32c.of(header.array(), 0, 12));
    return header.array();
  }

  /**
   * Checks the header's magic and checksum and returns its format version. The version is not
   * judged here: {@link TableFooter} compares it with the footer's.
   */
  static int readHeaderVersion(ByteBuffer file, Path path) throws CorruptFileException {
    if (file.getLong(0) != MAGIC) {
      throw new CorruptFileException(path, 0, "not a Sett table: bad header magic");
    }
    int stored = file.getInt(12);
    if (Crc32c.of(file, 0, 12) != stored) {
      throw new CorruptFileException(path, 0, "table header checksum mismatch");
    }
    return file.getInt(8);
  }
}
