package dev.sett.internal.sstable;

import dev.sett.internal.codec.Varint;
import dev.sett.internal.fs.CorruptFileException;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.ValueStruct;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * The uncompressed content of one data block, read in place: either a range of the table's
 * mapping (blocks stored without compression) or a decompressed array held by the
 * {@link BlockCache}.
 *
 * <pre>
 * content = entry[k] | entryOffset u32[k] | k u32
 * entry   = overlap u16 | diffLength u16 | diff bytes | ValueStruct encoding
 * </pre>
 *
 * An entry's key is the first {@code overlap} bytes of the block's base key (entry 0's key) followed
 * by its diff; its value runs to the next entry's offset. Entries are checked as they are read, so a
 * damaged block that escaped checksum verification still fails with {@link CorruptFileException}
 * instead of an index error or a wrong key.
 *
 * <p>Thread-safety: immutable; only absolute reads touch the buffer, so one block may serve any
 * number of threads.
 */
final class Block {
  private static final int ENTRY_HEADER_SIZE = 4;
  /** The smallest value encoding: meta, user meta and a one-byte expiresAt. */
  private static final int MIN_VALUE_SIZE = 3;
  /** An entry after the first may share its whole key with the base key. */
  private static final int MIN_ENTRY_SIZE = ENTRY_HEADER_SIZE + MIN_VALUE_SIZE;
  /** The first entry spells out its key, which has at least the 8-byte version suffix. */
  private static final int MIN_FIRST_ENTRY_SIZE = MIN_ENTRY_SIZE + InternalKey.SUFFIX_LENGTH;

  private final ByteBuffer buffer;
  private final int start;
  private final int offsetsStart;
  private final int entryCount;
  private final int baseKeyPosition;
  private final int baseKeyLength;
  private final Path file;
  private final long fileOffset;

  private Block(ByteBuffer buffer, int start, int offsetsStart, int entryCount,
      int baseKeyLength, Path file, long fileOffset) {
    this.buffer = buffer;
    this.start = start;
    this.offsetsStart = offsetsStart;
    this.entryCount = entryCount;
    this.baseKeyPosition = start + ENTRY_HEADER_SIZE;
    this.baseKeyLength = baseKeyLength;
    this.file = file;
    this.fileOffset = fileOffset;
  }

  /**
   * Parses the block content at {@code buffer[start, start+length)}. {@code buffer} must be
   * little-endian; {@code file} and {@code fileOffset} (the stored block's offset) name the block in
   * errors.
   */
  static Block parse(ByteBuffer buffer, int start, int length, Path file, long fileOffset)
      throws CorruptFileException {
    if (length < MIN_FIRST_ENTRY_SIZE + 2 * Integer.BYTES) {
      throw new CorruptFileException(file, fileOffset, "block of " + length + " bytes is too short");
    }
    int entryCount = buffer.getInt(start + length - Integer.BYTES);
    if (entryCount < 1 || entryCount > (length - Integer.BYTES) / (MIN_ENTRY_SIZE + Integer.BYTES)) {
      throw new CorruptFileException(file, fileOffset, "block entry count " + entryCount
          + " does not fit its " + length + " bytes");
    }
    int offsetsStart = start + length - Integer.BYTES - entryCount * Integer.BYTES;
    if (buffer.getInt(offsetsStart) != 0 || buffer.getShort(start) != 0) {
      throw new CorruptFileException(file, fileOffset, "block does not start with its base key");
    }
    int baseKeyLength = buffer.getShort(start + 2) & 0xFFFF;
    Block block = new Block(buffer, start, offsetsStart, entryCount, baseKeyLength, file, fileOffset);
    block.checkEntry(0);
    return block;
  }

  /** Wraps decompressed content. */
  static Block parse(byte[] content, Path file, long fileOffset) throws CorruptFileException {
    return parse(ByteBuffer.wrap(content).order(ByteOrder.LITTLE_ENDIAN), 0, content.length,
        file, fileOffset);
  }

  int entryCount() {
    return entryCount;
  }

  /** Bytes this block holds on the heap, for the block cache's weigher. */
  int heapSize() {
    return buffer.hasArray() ? buffer.capacity() + 96 : 96;
  }

  /** Index of the first entry whose key is {@code >= key}, or {@link #entryCount()} if none. */
  int search(byte[] key) throws CorruptFileException {
    int low = 0;
    int high = entryCount;
    while (low < high) {
      int middle = (low + high) >>> 1;
      if (compareKey(middle, key) < 0) {
        low = middle + 1;
      } else {
        high = middle;
      }
    }
    return low;
  }

  /** Compares entry {@code index}'s key with {@code key}, in place. */
  int compareKey(int index, byte[] key) throws CorruptFileException {
    int entry = checkEntry(index);
    int overlap = overlap(entry);
    return KeyComparison.compareInternal(buffer, baseKeyPosition, overlap,
        entry + ENTRY_HEADER_SIZE, diffLength(entry), key);
  }

  /** Whether entry {@code index} is a version of {@code userKey}. */
  boolean hasUserKey(int index, byte[] userKey) throws CorruptFileException {
    int entry = checkEntry(index);
    return KeyComparison.hasUserKey(buffer, baseKeyPosition, overlap(entry),
        entry + ENTRY_HEADER_SIZE, diffLength(entry), userKey);
  }

  /** A copy of entry {@code index}'s internal key. */
  byte[] key(int index) throws CorruptFileException {
    int entry = checkEntry(index);
    int overlap = overlap(entry);
    int diffLength = diffLength(entry);
    byte[] key = new byte[overlap + diffLength];
    buffer.get(baseKeyPosition, key, 0, overlap);
    buffer.get(entry + ENTRY_HEADER_SIZE, key, overlap, diffLength);
    return key;
  }

  /** Entry {@code index}'s value, with the version taken from its key. */
  ValueStruct value(int index) throws CorruptFileException {
    int entry = checkEntry(index);
    int overlap = overlap(entry);
    int diffLength = diffLength(entry);
    long version = version(entry, overlap, diffLength);
    int position = entry + ENTRY_HEADER_SIZE + diffLength;
    int end = entryEnd(index);
    byte meta = buffer.get(position);
    byte userMeta = buffer.get(position + 1);
    long expiresAt;
    int valueStart;
    byte first = buffer.get(position + 2);
    if (first >= 0) {
      // The common case (no TTL, or a small one): a one-byte varint, read without a view.
      expiresAt = first;
      valueStart = position + 3;
    } else {
      ByteBuffer view = buffer.duplicate().limit(end).position(position + 2);
      try {
        expiresAt = Varint.read(view);
      } catch (IllegalArgumentException e) {
        throw corrupt("entry " + index + " has a malformed expiresAt: " + e.getMessage());
      }
      valueStart = view.position();
    }
    byte[] value = new byte[end - valueStart];
    buffer.get(valueStart, value);
    return new ValueStruct(meta, userMeta, expiresAt, version, value);
  }

  /** The version in the last eight bytes of a split key. */
  private long version(int entry, int overlap, int diffLength) {
    long inverted = 0;
    int keyLength = overlap + diffLength;
    for (int i = keyLength - InternalKey.SUFFIX_LENGTH; i < keyLength; i++) {
      byte b = i < overlap ? buffer.get(baseKeyPosition + i)
          : buffer.get(entry + ENTRY_HEADER_SIZE + i - overlap);
      inverted = (inverted << 8) | (b & 0xFF);
    }
    return ~inverted;
  }

  private int overlap(int entry) {
    return buffer.getShort(entry) & 0xFFFF;
  }

  private int diffLength(int entry) {
    return buffer.getShort(entry + 2) & 0xFFFF;
  }

  private int entryEnd(int index) {
    return index + 1 < entryCount
        ? start + buffer.getInt(offsetsStart + (index + 1) * Integer.BYTES) : offsetsStart;
  }

  /**
   * Checks that entry {@code index} lies inside the block and that its header is consistent with
   * its length and the base key; returns its position in the buffer.
   */
  private int checkEntry(int index) throws CorruptFileException {
    int entryOffset = buffer.getInt(offsetsStart + index * Integer.BYTES);
    int entry = start + entryOffset;
    int end = entryEnd(index);
    // Compared as distances from start so that a garbage offset cannot overflow past the checks.
    if (entryOffset < 0 || entryOffset > offsetsStart - start - MIN_ENTRY_SIZE
        || end - entry < MIN_ENTRY_SIZE || end > offsetsStart) {
      throw corrupt("entry " + index + " at block offset " + entryOffset + " is out of bounds");
    }
    int overlap = overlap(entry);
    int diffLength = diffLength(entry);
    int keyLength = overlap + diffLength;
    if (overlap > baseKeyLength || keyLength < InternalKey.SUFFIX_LENGTH
        || entry + ENTRY_HEADER_SIZE + diffLength + MIN_VALUE_SIZE > end) {
      throw corrupt("entry " + index + " has an inconsistent key header (overlap " + overlap
          + ", diff " + diffLength + ")");
    }
    return entry;
  }

  private CorruptFileException corrupt(String message) {
    return new CorruptFileException(file, fileOffset, message);
  }
}
