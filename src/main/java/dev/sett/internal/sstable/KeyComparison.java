package dev.sett.internal.sstable;

import dev.sett.internal.key.InternalKey;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Compares an internal key stored in a table buffer with one in a {@code byte[]}, in place. A
 * stored key may be split in two segments, as block entries are: the first {@code overlap} bytes
 * of the block's base key, then the entry's own suffix. Comparing without reassembling the key is
 * what keeps binary searches in the index and in blocks allocation-free.
 *
 * <p>Table buffers are little-endian; chunks of eight bytes are byte-swapped so that comparing them
 * as unsigned longs orders them like unsigned byte strings.
 */
final class KeyComparison {
  private static final VarHandle BIG_ENDIAN_LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private KeyComparison() {
  }

  /** Compares the whole internal key at {@code buffer[position, position+length)} with {@code key}. */
  static int compareInternal(ByteBuffer buffer, int position, int length, byte[] key) {
    return compareInternal(buffer, position, length, position + length, 0, key);
  }

  /**
   * Compares the internal key {@code buffer[firstPosition, +firstLength) ++
   * buffer[secondPosition, +secondLength)} with {@code key}: user keys ascending, then versions
   * descending (see {@link InternalKey#compare}).
   */
  static int compareInternal(ByteBuffer buffer, int firstPosition, int firstLength,
      int secondPosition, int secondLength, byte[] key) {
    int storedLength = firstLength + secondLength;
    int storedUser = storedLength - InternalKey.SUFFIX_LENGTH;
    int keyUser = key.length - InternalKey.SUFFIX_LENGTH;
    int c = compareRange(buffer, firstPosition, firstLength, secondPosition,
        0, storedUser, key, 0, keyUser);
    if (c != 0) {
      return c;
    }
    return compareRange(buffer, firstPosition, firstLength, secondPosition,
        storedUser, storedLength, key, keyUser, key.length);
  }

  /** Whether the split internal key has exactly the user key {@code userKey}. */
  static boolean hasUserKey(ByteBuffer buffer, int firstPosition, int firstLength,
      int secondPosition, int secondLength, byte[] userKey) {
    int storedUser = firstLength + secondLength - InternalKey.SUFFIX_LENGTH;
    return storedUser == userKey.length && compareRange(buffer, firstPosition, firstLength,
        secondPosition, 0, storedUser, userKey, 0, userKey.length) == 0;
  }

  /**
   * Compares bytes {@code [from, to)} of the split key with {@code key[keyFrom, keyTo)} as unsigned
   * byte strings; the split key's bytes {@code [0, firstLength)} are at {@code firstPosition}, the
   * rest at {@code secondPosition}.
   */
  private static int compareRange(ByteBuffer buffer, int firstPosition, int firstLength,
      int secondPosition, int from, int to, byte[] key, int keyFrom, int keyTo) {
    int storedLength = to - from;
    int keyLength = keyTo - keyFrom;
    int common = Math.min(storedLength, keyLength);
    int inFirst = from < firstLength ? Math.min(firstLength, from + common) - from : 0;
    int c = compareSameLength(buffer, firstPosition + from, key, keyFrom, inFirst);
    if (c != 0) {
      return c;
    }
    int inSecond = common - inFirst;
    if (inSecond > 0) {
      int secondFrom = from + inFirst - firstLength;
      c = compareSameLength(buffer, secondPosition + secondFrom, key, keyFrom + inFirst, inSecond);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(storedLength, keyLength);
  }

  /**
   * Compares {@code length} bytes, eight at a time; a tail shorter than eight (of a run of at least
   * eight) is compared as the last eight bytes, overlapping bytes already known to be equal, so
   * that only runs shorter than eight bytes go byte by byte.
   */
  private static int compareSameLength(ByteBuffer buffer, int position, byte[] key, int keyOffset,
      int length) {
    int i = 0;
    for (; i + Long.BYTES <= length; i += Long.BYTES) {
      long stored = Long.reverseBytes(buffer.getLong(position + i));
      long wanted = (long) BIG_ENDIAN_LONGS.get(key, keyOffset + i);
      if (stored != wanted) {
        return Long.compareUnsigned(stored, wanted);
      }
    }
    if (i < length && i > 0) {
      int last = length - Long.BYTES;
      long stored = Long.reverseBytes(buffer.getLong(position + last));
      long wanted = (long) BIG_ENDIAN_LONGS.get(key, keyOffset + last);
      return stored == wanted ? 0 : Long.compareUnsigned(stored, wanted);
    }
    for (; i < length; i++) {
      int c = Integer.compare(buffer.get(position + i) & 0xFF, key[keyOffset + i] & 0xFF);
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }
}
