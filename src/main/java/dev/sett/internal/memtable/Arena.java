package dev.sett.internal.memtable;

import java.util.Arrays;

/**
 * Append-only memory for one skiplist: a growable list of on-heap {@code byte[]} chunks. Nothing
 * allocated here is ever freed on its own; the whole arena goes to the garbage collector with its
 * memtable, so a memtable of millions of entries is a few dozen arrays, not millions of objects.
 *
 * <p>An address is a {@code long}: the chunk index in the high 32 bits, the offset within the
 * chunk in the low 32 bits. Address 0 (chunk 0, offset 0) is never handed out and means nil.
 * Every allocation starts 8-byte aligned, so {@code long} fields at aligned offsets inside it can
 * be read and written atomically through a byte-array view {@link java.lang.invoke.VarHandle}.
 *
 * <p>Chunks are allocated lazily, one at a time, so memory follows use. An allocation larger than
 * the chunk size gets a chunk of its own (rounded up to 8 bytes) and does not disturb the chunk
 * that small allocations are being carved from.
 *
 * <p>Thread-safety: one writer thread calls {@link #allocate}; any thread may call
 * {@link #chunk}, {@link #offset} and {@link #memoryUsed}. A chunk becomes visible to readers
 * through the volatile {@code chunks} field, which the writer publishes before {@code allocate}
 * returns; the skiplist links a node only after that, with release semantics, so a reader that
 * reached an address through an acquire load always finds its chunk.
 */
final class Arena {
  /** Alignment of every allocation. */
  static final int ALIGNMENT = 8;

  private static final int INITIAL_CHUNK_SLOTS = 16;

  private final int chunkSize;

  /** Published chunk table; slots past {@code chunkCount} are null. Written by the writer only. */
  private volatile byte[][] chunks = new byte[INITIAL_CHUNK_SLOTS][];

  /** Bytes handed out, counting the abandoned tails of full chunks; see {@link #memoryUsed}. */
  private volatile long memoryUsed;

  // Writer-only state.
  private int chunkCount;
  private int currentChunk = -1;
  private int currentOffset;
  private long retiredBytes;

  /**
   * @param chunkSize bytes per regular chunk; rounded up to a multiple of {@link #ALIGNMENT}
   */
  Arena(int chunkSize) {
    if (chunkSize < ALIGNMENT || chunkSize > Integer.MAX_VALUE - ALIGNMENT) {
      throw new IllegalArgumentException("arena chunk size " + chunkSize + " is out of range");
    }
    this.chunkSize = align(chunkSize);
  }

  /** Returns the address of {@code size} fresh zeroed bytes, 8-byte aligned. Writer thread only. */
  long allocate(int size) {
    if (size < 0 || size > Integer.MAX_VALUE - ALIGNMENT) {
      throw new IllegalArgumentException("cannot allocate " + size + " bytes in an arena");
    }
    int aligned = align(size);
    if (currentChunk < 0) {
      // Chunk 0 is always a regular chunk whose first word is reserved, so address 0 stays nil.
      startRegularChunk();
      currentOffset = ALIGNMENT;
    }
    if (aligned > chunkSize) {
      int index = addChunk(new byte[aligned]);
      retiredBytes += aligned;
      publishMemoryUsed();
      return address(index, 0);
    }
    if (currentOffset + aligned > chunkSize) {
      retiredBytes += chunkSize;
      startRegularChunk();
    }
    long address = address(currentChunk, currentOffset);
    currentOffset += aligned;
    publishMemoryUsed();
    return address;
  }

  /** The chunk an address lives in. Any thread. */
  byte[] chunk(long address) {
    return chunks[(int) (address >>> 32)];
  }

  /** The offset of an address within its chunk. */
  static int offset(long address) {
    return (int) address;
  }

  static long address(int chunkIndex, int offset) {
    return ((long) chunkIndex << 32) | (offset & 0xFFFF_FFFFL);
  }

  /**
   * Bytes allocated from this arena: every allocation rounded up to 8 bytes, plus the unused
   * tails of regular chunks that were left behind because the next allocation did not fit. This is
   * the heap the memtable has claimed for data, which is what memtable sizing cares about. Any
   * thread.
   */
  long memoryUsed() {
    return memoryUsed;
  }

  /** Number of chunks allocated so far. Writer thread (or tests) only. */
  int chunkCount() {
    return chunkCount;
  }

  private void startRegularChunk() {
    currentChunk = addChunk(new byte[chunkSize]);
    currentOffset = 0;
  }

  private int addChunk(byte[] chunk) {
    byte[][] table = chunks;
    if (chunkCount == table.length) {
      table = Arrays.copyOf(table, table.length * 2);
    }
    table[chunkCount] = chunk;
    // The volatile write publishes the new slot (and, if grown, the new table) to readers.
    chunks = table;
    return chunkCount++;
  }

  private void publishMemoryUsed() {
    memoryUsed = retiredBytes + currentOffset;
  }

  private static int align(int size) {
    return (size + ALIGNMENT - 1) & -ALIGNMENT;
  }
}
