package dev.sett.internal.memtable;

import java.util.Arrays;

/**
 * Append-only memory for one skiplist, in two kinds of on-heap chunks: {@code long[]} <i>word
 * chunks</i> for the skiplist's nodes, and {@code byte[]} <i>byte chunks</i> for key and value
 * bytes. Nothing allocated here is ever freed on its own; the whole arena goes to the garbage
 * collector with its memtable, so a memtable of millions of entries is a few dozen arrays, not
 * millions of objects.
 *
 * <p><b>Why two kinds.</b> Readers load node links and value references with acquire semantics
 * while the writer stores them with release semantics. Those modes are supported for elements of
 * a {@code long[]} ({@link java.lang.invoke.MethodHandles#arrayElementVarHandle}) on every JDK,
 * but not for {@code long}s viewed inside a {@code byte[]}: byte-array view var handles support
 * only plain access since JDK 22. So every word that is read concurrently lives in a word chunk,
 * and byte chunks hold only bytes that are written once, with plain stores, before a release
 * store publishes them (see {@link SkipList}). One arena with two kinds of chunks, rather than two
 * arenas, keeps a single owner for the chunk size, the lazy allocation and the
 * {@link #memoryUsed} account that memtable sizing reads.
 *
 * <p><b>Addresses.</b> An address is a {@code long}: the chunk index in the high 32 bits, the
 * offset within the chunk in the low 32 bits, counted in elements of that chunk kind (words for
 * {@link #allocateWords}, bytes for {@link #allocate}). Each kind has its own chunk table, so an
 * address only means something together with its kind. Address 0 (chunk 0, offset 0) is never
 * handed out in either kind and means nil. Byte allocations start 8-byte aligned, as they always
 * have; no access depends on that any more (the only multi-byte fields in byte chunks are read
 * with plain loads, which may be misaligned), and it costs at most 7 bytes an allocation.
 *
 * <p><b>Chunks.</b> Allocated lazily, one at a time and only for a kind that is used, so memory
 * follows use. A regular chunk is {@code chunkSize} bytes of either kind ({@code chunkSize / 8}
 * words). An allocation larger than that gets a chunk of its own and does not disturb the chunk
 * that small allocations of its kind are being carved from.
 *
 * <p><b>Thread-safety.</b> One writer thread calls {@link #allocate} and {@link #allocateWords};
 * any thread may call {@link #chunk}, {@link #words}, {@link #offset} and {@link #memoryUsed}. A
 * chunk becomes visible to readers through the volatile table field of its kind, which the writer
 * writes before the allocation returns; the skiplist stores an address where readers can find it
 * only after that, with a release store, so a reader that obtained an address through an acquire
 * load (or from an earlier read of its own) always finds its chunk in the table it then reads.
 */
final class Arena {
  /** Alignment of every byte allocation, in bytes; also the size of a word. */
  static final int ALIGNMENT = 8;

  private static final int INITIAL_CHUNK_SLOTS = 16;

  /** Published word-chunk table; slots past the count are null. Written by the writer only. */
  private volatile long[][] wordChunks = new long[INITIAL_CHUNK_SLOTS][];

  /** Published byte-chunk table; slots past the count are null. Written by the writer only. */
  private volatile byte[][] byteChunks = new byte[INITIAL_CHUNK_SLOTS][];

  /** Bytes handed out, counting the abandoned tails of full chunks; see {@link #memoryUsed}. */
  private volatile long memoryUsed;

  // Writer-only state, one cursor per kind; sizes in that kind's elements.
  private final Cursor wordCursor;
  private final Cursor byteCursor;

  /**
   * @param chunkSize bytes per regular chunk of either kind; rounded up to a multiple of
   *                  {@link #ALIGNMENT}
   */
  Arena(int chunkSize) {
    if (chunkSize < ALIGNMENT || chunkSize > Integer.MAX_VALUE - ALIGNMENT) {
      throw new IllegalArgumentException("arena chunk size " + chunkSize + " is out of range");
    }
    int aligned = align(chunkSize);
    this.wordCursor = new Cursor(aligned / Long.BYTES, Long.BYTES);
    this.byteCursor = new Cursor(aligned, 1);
  }

  /**
   * Returns the address of {@code size} fresh zeroed bytes in a byte chunk, 8-byte aligned. Writer
   * thread only.
   */
  long allocate(int size) {
    if (size < 0 || size > Integer.MAX_VALUE - ALIGNMENT) {
      throw new IllegalArgumentException("cannot allocate " + size + " bytes in an arena");
    }
    return allocate(byteCursor, align(size));
  }

  /** Returns the address of {@code count} fresh zeroed words in a word chunk. Writer thread only. */
  long allocateWords(int count) {
    if (count < 0 || count > (Integer.MAX_VALUE - ALIGNMENT) / Long.BYTES) {
      throw new IllegalArgumentException("cannot allocate " + count + " words in an arena");
    }
    return allocate(wordCursor, count);
  }

  /** The byte chunk a byte address lives in. Any thread. */
  byte[] chunk(long address) {
    return byteChunks[chunkIndex(address)];
  }

  /** The word chunk a word address lives in. Any thread. */
  long[] words(long address) {
    return wordChunks[chunkIndex(address)];
  }

  /** The offset of an address within its chunk, in elements of the chunk's kind. */
  static int offset(long address) {
    return (int) address;
  }

  /** The index of an address's chunk in the table of its kind. */
  static int chunkIndex(long address) {
    return (int) (address >>> 32);
  }

  static long address(int chunkIndex, int offset) {
    return ((long) chunkIndex << 32) | (offset & 0xFFFF_FFFFL);
  }

  /**
   * Bytes allocated from this arena, both kinds together: every byte allocation rounded up to 8
   * bytes, every word as 8 bytes, plus the unused tails of regular chunks that were left behind
   * because the next allocation did not fit. This is the heap the memtable has claimed for data,
   * which is what memtable sizing cares about. Any thread.
   */
  long memoryUsed() {
    return memoryUsed;
  }

  /** Number of chunks allocated so far, both kinds together. Writer thread (or tests) only. */
  int chunkCount() {
    return wordCursor.chunkCount + byteCursor.chunkCount;
  }

  /** Number of word chunks allocated so far. Writer thread (or tests) only. */
  int wordChunkCount() {
    return wordCursor.chunkCount;
  }

  private long allocate(Cursor cursor, int units) {
    if (cursor.currentChunk < 0) {
      // Chunk 0 of each kind is a regular chunk whose first 8 bytes are reserved, so address 0
      // stays nil.
      cursor.currentChunk = addChunk(cursor, cursor.chunkUnits);
      cursor.currentOffset = ALIGNMENT / cursor.unitBytes;
    }
    if (units > cursor.chunkUnits) {
      int index = addChunk(cursor, units);
      cursor.retiredUnits += units;
      publishMemoryUsed();
      return address(index, 0);
    }
    if (cursor.currentOffset + units > cursor.chunkUnits) {
      cursor.retiredUnits += cursor.chunkUnits;
      cursor.currentChunk = addChunk(cursor, cursor.chunkUnits);
      cursor.currentOffset = 0;
    }
    long address = address(cursor.currentChunk, cursor.currentOffset);
    cursor.currentOffset += units;
    publishMemoryUsed();
    return address;
  }

  /** Adds a chunk of {@code units} elements of the cursor's kind and publishes it. */
  private int addChunk(Cursor cursor, int units) {
    int index = cursor.chunkCount;
    // Each volatile table write publishes the new slot (and, if grown, the new table) to readers.
    if (cursor == wordCursor) {
      long[][] table = wordChunks;
      if (index == table.length) {
        table = Arrays.copyOf(table, table.length * 2);
      }
      table[index] = new long[units];
      wordChunks = table;
    } else {
      byte[][] table = byteChunks;
      if (index == table.length) {
        table = Arrays.copyOf(table, table.length * 2);
      }
      table[index] = new byte[units];
      byteChunks = table;
    }
    cursor.chunkCount++;
    return index;
  }

  private void publishMemoryUsed() {
    memoryUsed = wordCursor.usedBytes() + byteCursor.usedBytes();
  }

  private static int align(int size) {
    return (size + ALIGNMENT - 1) & -ALIGNMENT;
  }

  /** Where the next allocation of one kind goes. Writer thread only; sizes in elements. */
  private static final class Cursor {
    final int chunkUnits;
    final int unitBytes;
    int chunkCount;
    int currentChunk = -1;
    int currentOffset;
    /** Elements in chunks no longer allocated from: oversized ones and abandoned regular ones. */
    long retiredUnits;

    Cursor(int chunkUnits, int unitBytes) {
      this.chunkUnits = chunkUnits;
      this.unitBytes = unitBytes;
    }

    long usedBytes() {
      return (retiredUnits + currentOffset) * unitBytes;
    }
  }
}
