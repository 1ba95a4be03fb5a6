package dev.sett.internal.sstable;

import dev.sett.internal.codec.LittleEndian;
import dev.sett.internal.key.ValueStruct;
import java.util.Arrays;

/**
 * Encodes the block being built (layout in {@link Block}). Keys are prefix-compressed against the
 * block's first key, as in Badger, so that any entry decodes from the base key alone and a reader
 * can binary-search the entry offsets.
 *
 * <p>Thread-safety: not thread-safe; owned by one {@link TableBuilder}.
 */
final class BlockWriter {
  private static final int ENTRY_HEADER_SIZE = 4;
  private static final int SHRINK_ABOVE = 1 << 20;

  private byte[] buffer = new byte[4096];
  private int length;
  private int[] entryOffsets = new int[64];
  private int entryCount;
  private byte[] baseKey = new byte[64];
  private int baseKeyLength;

  boolean isEmpty() {
    return entryCount == 0;
  }

  /** The first key of the block; valid until {@link #reset()}. */
  byte[] baseKey() {
    return baseKey;
  }

  int baseKeyLength() {
    return baseKeyLength;
  }

  /** Content size if the block were finished now. */
  long contentSize() {
    return length + (long) Integer.BYTES * entryCount + Integer.BYTES;
  }

  /** Content size after adding an entry with {@code key} and a value of {@code valueSize} bytes. */
  long contentSizeWith(byte[] key, int valueSize) {
    int diffLength = key.length - overlap(key);
    return length + ENTRY_HEADER_SIZE + diffLength + (long) valueSize
        + (long) Integer.BYTES * (entryCount + 1) + Integer.BYTES;
  }

  void add(byte[] key, ValueStruct value) {
    if (entryCount == 0) {
      baseKey = ensureCapacity(baseKey, 0, key.length);
      System.arraycopy(key, 0, baseKey, 0, key.length);
      baseKeyLength = key.length;
    }
    int overlap = overlap(key);
    int diffLength = key.length - overlap;
    int entrySize = ENTRY_HEADER_SIZE + diffLength + value.encodedSize();
    buffer = ensureCapacity(buffer, length, entrySize);
    if (entryCount == entryOffsets.length) {
      entryOffsets = Arrays.copyOf(entryOffsets, entryCount * 2);
    }
    entryOffsets[entryCount++] = length;
    int position = length;
    buffer[position] = (byte) overlap;
    buffer[position + 1] = (byte) (overlap >>> 8);
    buffer[position + 2] = (byte) diffLength;
    buffer[position + 3] = (byte) (diffLength >>> 8);
    System.arraycopy(key, overlap, buffer, position + ENTRY_HEADER_SIZE, diffLength);
    length = value.encode(buffer, position + ENTRY_HEADER_SIZE + diffLength);
  }

  /**
   * Appends the entry offsets and count; returns the content length. The buffer has at least
   * {@link TableFormat#BLOCK_TRAILER_SIZE} spare bytes after the content, so a block stored without
   * compression gets its trailer written in place.
   */
  int finish() {
    int trailer = Integer.BYTES * (entryCount + 1);
    buffer = ensureCapacity(buffer, length, trailer + TableFormat.BLOCK_TRAILER_SIZE);
    int position = length;
    for (int i = 0; i < entryCount; i++) {
      LittleEndian.putInt(buffer, position, entryOffsets[i]);
      position += Integer.BYTES;
    }
    LittleEndian.putInt(buffer, position, entryCount);
    return position + Integer.BYTES;
  }

  /** The encoded block after {@link #finish()}. */
  byte[] buffer() {
    return buffer;
  }

  void reset() {
    if (buffer.length > SHRINK_ABOVE) {
      // A huge value made the buffer huge; do not keep that memory for the ordinary blocks after it.
      buffer = new byte[4096];
    }
    length = 0;
    entryCount = 0;
    baseKeyLength = 0;
  }

  private int overlap(byte[] key) {
    if (entryCount == 0) {
      return 0;
    }
    int mismatch = Arrays.mismatch(baseKey, 0, baseKeyLength, key, 0, key.length);
    return mismatch < 0 ? key.length : mismatch;
  }

  private static byte[] ensureCapacity(byte[] array, int used, int extra) {
    long needed = (long) used + extra;
    if (needed <= array.length) {
      return array;
    }
    if (needed > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("block of " + needed + " bytes exceeds the 2 GiB table limit");
    }
    return Arrays.copyOf(array, (int) Math.max(needed, Math.min(Integer.MAX_VALUE - 8,
        2L * array.length)));
  }
}
