package dev.sett.internal.memtable;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * Append-only memory for one skiplist, in chunks of direct (off-heap) {@link ByteBuffer}s: the
 * skiplist's nodes, keys and values all live here, so a 64 MiB memtable is a few dozen buffer
 * objects on the Java heap and its bytes cost the garbage collector nothing. Nothing allocated
 * here is freed on its own; {@link #free} hands the whole arena back at once.
 *
 * <p><b>Why direct buffers.</b> Readers load node links and value references with acquire
 * semantics while the writer stores them with release semantics. A
 * {@link java.lang.invoke.MethodHandles#byteBufferViewVarHandle byte-buffer view var handle}
 * supports those modes for aligned {@code long}s in a <em>direct</em> buffer on every JDK from 9
 * on (heap buffers and {@code byte[]} views lost them in JDK 22), so one kind of chunk holds both
 * the concurrently read words and the bytes. Every chunk starts 8-byte aligned in memory (checked
 * when it is allocated) and every allocation starts at an 8-byte aligned offset, so a word at an
 * 8-aligned offset of an allocation is aligned. {@code MemorySegment} would do the same from JDK
 * 22 on; direct buffers keep the JDK 17 baseline with one code path.
 *
 * <p><b>Addresses.</b> An address is a {@code long}: the chunk index in the high 32 bits, the
 * byte offset within the chunk in the low 32 bits. Address 0 (chunk 0, offset 0) is never handed
 * out and means nil.
 *
 * <p><b>Chunks.</b> Allocated lazily, one at a time, so memory follows use. A regular chunk is
 * {@code chunkSize} bytes; an allocation larger than that gets a chunk of its own and does not
 * disturb the chunk that small allocations are being carved from. Regular chunks come from the
 * arena's {@link Pool} when it has one to spare and go back to it on {@link #free}: a memtable
 * reuses the chunks of the one flushed before it, so a store that writes steadily allocates no
 * new off-heap memory once it has warmed up. A chunk is <b>not zeroed</b> when it is reused:
 * callers write every byte they later read.
 *
 * <p><b>Release.</b> A chunk the pool has no room for, an oversized chunk, and the chunks of an
 * arena that is dropped without {@link #free} (a memtable still held by a leaked iterator, say)
 * are left to the garbage collector: the JDK frees a direct buffer's memory through its cleaner
 * once the buffer is unreachable. That is the only way this memory is returned to the OS.
 *
 * <p><b>Thread-safety.</b> One writer thread calls {@link #allocate}; any thread may call
 * {@link #chunk}, {@link #offset} and {@link #memoryUsed}. A chunk becomes visible to readers
 * through the volatile chunk table, which the writer writes before the allocation returns; the
 * skiplist stores an address where readers can find it only after that, with a release store, so
 * a reader that obtained an address through an acquire load (or from an earlier read of its own)
 * always finds its chunk in the table it then reads. {@link #free} must be called once, when
 * neither the writer nor any reader will touch the arena again (the memtable's reference count
 * decides that).
 */
final class Arena {
  /** Alignment of every allocation, in bytes; also the size of a word. */
  static final int ALIGNMENT = 8;

  private static final int INITIAL_CHUNK_SLOTS = 16;
  private static final ByteBuffer[] FREED = new ByteBuffer[0];

  /** Published chunk table; slots past the count are null. Written by the writer only. */
  private volatile ByteBuffer[] chunks = new ByteBuffer[INITIAL_CHUNK_SLOTS];

  /** Bytes handed out, counting the abandoned tails of full chunks; see {@link #memoryUsed}. */
  private volatile long memoryUsed;

  private final int chunkSize;
  /** Where regular chunks come from and go back to; null: always allocate, never keep. */
  private final Pool pool;

  // Writer-only state.
  private int chunkCount;
  private int currentChunk = -1;
  private int currentOffset;
  /** Bytes in chunks no longer allocated from: oversized ones and abandoned regular ones. */
  private long retiredBytes;

  /** An arena without a pool: its chunks are left to the garbage collector. */
  Arena(int chunkSize) {
    this(chunkSize, null);
  }

  /**
   * @param chunkSize bytes per regular chunk; rounded up to a multiple of {@link #ALIGNMENT}
   * @param pool      regular chunks come from and return to it (its chunk size must match);
   *                  null for none
   */
  Arena(int chunkSize, Pool pool) {
    if (chunkSize < ALIGNMENT || chunkSize > Integer.MAX_VALUE - ALIGNMENT) {
      throw new IllegalArgumentException("arena chunk size " + chunkSize + " is out of range");
    }
    this.chunkSize = align(chunkSize);
    if (pool != null && pool.chunkSize != this.chunkSize) {
      throw new IllegalArgumentException("pool of " + pool.chunkSize
          + "-byte chunks cannot serve an arena of " + this.chunkSize + "-byte chunks");
    }
    this.pool = pool;
  }

  /**
   * Returns the address of {@code size} bytes in a chunk, 8-byte aligned. The bytes are not
   * necessarily zero. Writer thread only.
   */
  long allocate(int size) {
    if (size < 0 || size > Integer.MAX_VALUE - ALIGNMENT) {
      throw new IllegalArgumentException("cannot allocate " + size + " bytes in an arena");
    }
    if (chunks == FREED) {
      throw new IllegalStateException("arena was freed");
    }
    int units = align(size);
    if (currentChunk < 0) {
      // Chunk 0 is a regular chunk whose first 8 bytes are reserved, so address 0 stays nil.
      currentChunk = addChunk(chunkSize);
      currentOffset = ALIGNMENT;
    }
    if (units > chunkSize) {
      int index = addChunk(units);
      retiredBytes += units;
      publishMemoryUsed();
      return address(index, 0);
    }
    if (currentOffset + units > chunkSize) {
      retiredBytes += chunkSize;
      currentChunk = addChunk(chunkSize);
      currentOffset = 0;
    }
    long address = address(currentChunk, currentOffset);
    currentOffset += units;
    publishMemoryUsed();
    return address;
  }

  /** The chunk an address lives in. Any thread. */
  ByteBuffer chunk(long address) {
    return chunks[chunkIndex(address)];
  }

  /** The byte offset of an address within its chunk. */
  static int offset(long address) {
    return (int) address;
  }

  /** The index of an address's chunk in the chunk table. */
  static int chunkIndex(long address) {
    return (int) (address >>> 32);
  }

  static long address(int chunkIndex, int offset) {
    return ((long) chunkIndex << 32) | (offset & 0xFFFF_FFFFL);
  }

  /**
   * Bytes allocated from this arena: every allocation rounded up to 8 bytes, plus the unused
   * tails of regular chunks that were left behind because the next allocation did not fit. This
   * is the off-heap memory the memtable has claimed for data, which is what memtable sizing cares
   * about. Any thread.
   */
  long memoryUsed() {
    return memoryUsed;
  }

  /** Number of chunks allocated so far. Writer thread (or tests) only. */
  int chunkCount() {
    return chunkCount;
  }

  /**
   * Gives every regular chunk back to the pool (as far as it has room) and drops the rest, for
   * the garbage collector to free; later {@link #allocate} and {@link #chunk} calls fail. Call
   * once, when nothing will read or write the arena again. Idempotent.
   */
  void free() {
    ByteBuffer[] table = chunks;
    if (table == FREED) {
      return;
    }
    chunks = FREED;
    if (pool != null) {
      for (ByteBuffer chunk : table) {
        if (chunk != null && chunk.capacity() == chunkSize) {
          pool.give(chunk);
        }
      }
    }
  }

  /** Adds a chunk of {@code size} bytes and publishes it. */
  private int addChunk(int size) {
    int index = chunkCount;
    ByteBuffer[] table = chunks;
    if (index == table.length) {
      table = Arrays.copyOf(table, table.length * 2);
    }
    ByteBuffer chunk = size == chunkSize && pool != null ? pool.take() : null;
    table[index] = chunk != null ? chunk : newChunk(size);
    chunks = table; // the volatile write publishes the new slot (and, if grown, the new table)
    chunkCount++;
    return index;
  }

  /**
   * A fresh chunk; when the JVM's direct memory is exhausted ({@code -XX:MaxDirectMemorySize},
   * which defaults to the maximum heap size), waits up to {@link #DIRECT_MEMORY_WAIT_MILLIS} for a
   * flushed memtable to give a regular chunk back to the pool: memory back-pressure on the writer,
   * like a write stall, rather than a failed store when the flusher is merely behind.
   */
  private ByteBuffer newChunk(int size) {
    try {
      return allocateAligned(size);
    } catch (OutOfMemoryError e) {
      ByteBuffer spare = pool != null && size == chunkSize
          ? pool.awaitSpare(DIRECT_MEMORY_WAIT_MILLIS) : null;
      if (spare != null) {
        return spare;
      }
      OutOfMemoryError failure = new OutOfMemoryError("a memtable needs another " + size
          + "-byte chunk of direct memory and none was freed within "
          + DIRECT_MEMORY_WAIT_MILLIS / 1000 + " s: memtables use up to (numMemtables + 1) x"
          + " memTableSize off the heap; raise -XX:MaxDirectMemorySize (default: the maximum"
          + " heap size) or lower memTableSize or numMemtables (" + e.getMessage() + ")");
      failure.initCause(e);
      throw failure;
    }
  }

  /** How long a writer waits for a pooled chunk when direct memory is exhausted. */
  static final long DIRECT_MEMORY_WAIT_MILLIS = 60_000;

  /** A fresh direct buffer of {@code size} bytes whose first byte is 8-byte aligned in memory. */
  static ByteBuffer allocateAligned(int size) {
    ByteBuffer buffer = ByteBuffer.allocateDirect(size);
    if (buffer.alignmentOffset(0, ALIGNMENT) == 0) {
      return buffer;
    }
    // Not seen on 64-bit JDKs (malloc aligns to 16), but atomic access modes require it.
    return ByteBuffer.allocateDirect(size + ALIGNMENT).alignedSlice(ALIGNMENT).limit(size).slice();
  }

  private void publishMemoryUsed() {
    memoryUsed = retiredBytes + currentOffset;
  }

  private static int align(int size) {
    return (size + ALIGNMENT - 1) & -ALIGNMENT;
  }

  /**
   * Spare regular chunks of one size, shared by the arenas of one store, holding at most
   * {@code maxChunks}: a freed arena's chunks wait here for the next arena instead of going to
   * the garbage collector, and chunks beyond the bound are dropped (left to the collector). The
   * pool never allocates; it only keeps what it is given. Thread-safe.
   */
  static final class Pool {
    private final int chunkSize;
    private final int maxChunks;
    private final ArrayDeque<ByteBuffer> spare = new ArrayDeque<>();

    /**
     * @param chunkSize bytes of every chunk it keeps; rounded up to a multiple of
     *                  {@link #ALIGNMENT}
     * @param maxChunks the most chunks it keeps, 0 or more
     */
    Pool(int chunkSize, int maxChunks) {
      if (maxChunks < 0) {
        throw new IllegalArgumentException("a chunk pool cannot keep " + maxChunks + " chunks");
      }
      this.chunkSize = align(chunkSize);
      this.maxChunks = maxChunks;
    }

    /** A spare chunk, or null if there is none. */
    synchronized ByteBuffer take() {
      return spare.pollLast(); // the most recently freed: likelier still in a CPU cache
    }

    /** Keeps {@code chunk} if there is room; otherwise drops it. */
    synchronized void give(ByteBuffer chunk) {
      if (chunk.capacity() != chunkSize) {
        throw new IllegalArgumentException("a " + chunk.capacity()
            + "-byte chunk does not belong in a pool of " + chunkSize + "-byte chunks");
      }
      if (spare.size() < maxChunks) {
        spare.addLast(chunk);
        notifyAll();
      }
    }

    /**
     * A spare chunk, waiting up to {@code millis} for one to be given back; null if none came in
     * time or the thread was interrupted (the interrupt is kept).
     */
    synchronized ByteBuffer awaitSpare(long millis) {
      long deadline = System.nanoTime() + millis * 1_000_000;
      while (spare.isEmpty() && maxChunks > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return null;
        }
        try {
          wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return null;
        }
      }
      return spare.pollLast();
    }

    /** Chunks waiting to be reused. */
    synchronized int size() {
      return spare.size();
    }

    int maxChunks() {
      return maxChunks;
    }

    int chunkSize() {
      return chunkSize;
    }
  }
}
