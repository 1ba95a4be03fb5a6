package dev.sett.internal.sstable;

import dev.sett.internal.codec.Crc32c;
import dev.sett.internal.codec.LittleEndian;
import dev.sett.internal.fs.CorruptFileException;
import dev.sett.internal.key.InternalKey;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The block index, read in place from the table's mapping: opening a table creates no object per
 * block, and a lookup binary-searches the stored first keys directly.
 *
 * <pre>
 * index region = blockCount u32 | entryOffset u32[blockCount] | entry[blockCount] | crc32c u32
 * entry        = blockOffset u64 | storedBlockLength u32 | keyLength u16 | first internal key
 * </pre>
 * {@code entryOffset} is relative to the start of the region.
 *
 * <p>Thread-safety: immutable; absolute reads only.
 */
final class TableIndex {
  private static final int ENTRY_FIXED_SIZE = Long.BYTES + Integer.BYTES + Short.BYTES;

  private final ByteBuffer buffer;
  private final int regionStart;
  private final int blockCount;

  private TableIndex(ByteBuffer buffer, int regionStart, int blockCount) {
    this.buffer = buffer;
    this.regionStart = regionStart;
    this.blockCount = blockCount;
  }

  /**
   * Verifies the region's checksum and structure: every entry inside the region, and the blocks
   * contiguous from the end of the header to the start of the index.
   */
  static TableIndex read(ByteBuffer buffer, int offset, int length, Path file)
      throws CorruptFileException {
    return read(buffer, offset, length, offset, file);
  }

  /**
   * As {@link #read(ByteBuffer, int, int, Path)}, for a region at {@code offset} of {@code buffer}
   * that sits at {@code fileOffset} in the table file (a copy of the region on the heap, or a
   * decrypted index in a buffer of its own).
   */
  static TableIndex read(ByteBuffer buffer, int offset, int length, long fileOffset, Path file)
      throws CorruptFileException {
    int body = length - TableFormat.REGION_CHECKSUM_SIZE;
    if (body < Integer.BYTES
        || Crc32c.of(buffer, offset, body) != buffer.getInt(offset + body)) {
      throw new CorruptFileException(file, fileOffset, "table index checksum mismatch");
    }
    int blockCount = buffer.getInt(offset);
    if (blockCount < 1 || blockCount >= TableFormat.MAX_BLOCK_COUNT
        || blockCount > (body - Integer.BYTES) / (Integer.BYTES + ENTRY_FIXED_SIZE)) {
      throw new CorruptFileException(file, fileOffset, "table index has a bad block count " + blockCount);
    }
    TableIndex index = new TableIndex(buffer, offset, blockCount);
    long expectedBlockOffset = TableFormat.HEADER_SIZE;
    for (int i = 0; i < blockCount; i++) {
      int entryOffset = buffer.getInt(offset + Integer.BYTES * (1 + i));
      if (entryOffset < Integer.BYTES * (1 + blockCount)
          || entryOffset > body - ENTRY_FIXED_SIZE
          || entryOffset + ENTRY_FIXED_SIZE + index.keyLength(i) > body
          || index.keyLength(i) < InternalKey.SUFFIX_LENGTH) {
        throw new CorruptFileException(file, fileOffset, "table index entry " + i + " is out of bounds");
      }
      if (index.blockOffset(i) != expectedBlockOffset
          || index.storedLength(i) <= TableFormat.BLOCK_TRAILER_SIZE) {
        throw new CorruptFileException(file, fileOffset, "table index entry " + i
            + " does not follow the previous block");
      }
      expectedBlockOffset += index.storedLength(i);
    }
    if (expectedBlockOffset != fileOffset) {
      throw new CorruptFileException(file, fileOffset, "table blocks end at " + expectedBlockOffset
          + ", not at the index");
    }
    return index;
  }

  int blockCount() {
    return blockCount;
  }

  /** Offset of block {@code block}'s stored bytes in the file. */
  int blockOffset(int block) {
    // Checked at open to be contiguous from the header, so it fits an int.
    return (int) buffer.getLong(entry(block));
  }

  /** Stored length of block {@code block}: payload, type and checksum. */
  int storedLength(int block) {
    return buffer.getInt(entry(block) + Long.BYTES);
  }

  /** A copy of block {@code block}'s first internal key. */
  byte[] firstKey(int block) {
    byte[] key = new byte[keyLength(block)];
    buffer.get(entry(block) + ENTRY_FIXED_SIZE, key);
    return key;
  }

  /**
   * The last block whose first key is {@code <= key}, or -1 when {@code key} sorts before the first
   * block. A key at or after that block's first key and before the next block's can only be in it.
   */
  int findBlock(byte[] key) {
    int low = 0;
    int high = blockCount;
    while (low < high) {
      int middle = (low + high) >>> 1;
      int entry = entry(middle);
      int keyLength = buffer.getShort(entry + Long.BYTES + Integer.BYTES) & 0xFFFF;
      if (KeyComparison.compareInternal(buffer, entry + ENTRY_FIXED_SIZE, keyLength, key) <= 0) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    return low - 1;
  }

  private int keyLength(int block) {
    return buffer.getShort(entry(block) + Long.BYTES + Integer.BYTES) & 0xFFFF;
  }

  private int entry(int block) {
    return regionStart + buffer.getInt(regionStart + Integer.BYTES * (1 + block));
  }

  /**
   * Accumulates index entries while a table is built and encodes the region.
   *
   * <p>Thread-safety: not thread-safe; owned by one {@link TableBuilder}.
   */
  static final class Builder {
    private byte[] entries = new byte[1024];
    private int entriesLength;
    private int[] entryStarts = new int[64];
    private int blockCount;

    int blockCount() {
      return blockCount;
    }

    void add(long blockOffset, int storedLength, byte[] firstKey, int keyLength) {
      int needed = entriesLength + ENTRY_FIXED_SIZE + keyLength;
      if (needed > entries.length) {
        entries = Arrays.copyOf(entries, Math.max(needed, 2 * entries.length));
      }
      if (blockCount == entryStarts.length) {
        entryStarts = Arrays.copyOf(entryStarts, 2 * blockCount);
      }
      entryStarts[blockCount++] = entriesLength;
      ByteBuffer out = ByteBuffer.wrap(entries, entriesLength, ENTRY_FIXED_SIZE)
          .order(ByteOrder.LITTLE_ENDIAN);
      out.putLong(blockOffset).putInt(storedLength).putShort((short) keyLength);
      System.arraycopy(firstKey, 0, entries, entriesLength + ENTRY_FIXED_SIZE, keyLength);
      entriesLength = needed;
    }

    /** Region size after adding one more block whose first key has {@code nextKeyLength} bytes. */
    long regionSizeWith(int nextKeyLength) {
      return regionSize() + Integer.BYTES + ENTRY_FIXED_SIZE + nextKeyLength;
    }

    long regionSize() {
      return Integer.BYTES * (1L + blockCount) + entriesLength + TableFormat.REGION_CHECKSUM_SIZE;
    }

    /** The encoded region, checksum included. */
    byte[] encode() {
      byte[] region = new byte[(int) regionSize()];
      int headerSize = Integer.BYTES * (1 + blockCount);
      LittleEndian.putInt(region, 0, blockCount);
      for (int i = 0; i < blockCount; i++) {
        LittleEndian.putInt(region, Integer.BYTES * (1 + i), headerSize + entryStarts[i]);
      }
      System.arraycopy(entries, 0, region, headerSize, entriesLength);
      int body = region.length - TableFormat.REGION_CHECKSUM_SIZE;
      LittleEndian.putInt(region, body, Crc32c.of(region, 0, body));
      return region;
    }
  }
}
