package dev.sett.internal.memtable;

/**
 * The settings a memtable needs, derived from the DB options, and the pool of spare arena chunks
 * that the memtables of one store share: build one per store and hand it to every memtable the
 * store creates, so that a memtable reuses the off-heap chunks of the one flushed before it. The
 * pool keeps at most one memtable's worth of chunks ({@code ceil(memTableSize / arenaChunkSize)});
 * see {@link Arena} for what happens to the rest.
 *
 * <p>Thread-safety: immutable apart from the pool, which is thread-safe.
 */
public final class MemtableOptions {
  /** A sensible {@link #arenaChunkSize}. */
  public static final int DEFAULT_ARENA_CHUNK_SIZE = 1 << 20;

  /** The smallest chunk accepted: it must hold the skiplist's head node with room to spare. */
  public static final int MIN_ARENA_CHUNK_SIZE = 1 << 10;

  /** The largest chunk accepted. */
  public static final int MAX_ARENA_CHUNK_SIZE = 1 << 30;

  private final long memTableSize;
  private final int arenaChunkSize;
  private final Arena.Pool chunkPool;

  /**
   * Rejects sizes that cannot work, naming the option.
   *
   * @param memTableSize   a memtable is full once its arena or its WAL reaches this many bytes
   * @param arenaChunkSize bytes per arena chunk (rounded up to a multiple of 8); 1 MiB is a good
   *                       default: large enough that chunk bookkeeping is noise, small enough that
   *                       an idle memtable costs little memory
   */
  public MemtableOptions(long memTableSize, int arenaChunkSize) {
    if (memTableSize <= 0) {
      throw new IllegalArgumentException("memTableSize must be positive, was " + memTableSize);
    }
    if (arenaChunkSize < MIN_ARENA_CHUNK_SIZE || arenaChunkSize > MAX_ARENA_CHUNK_SIZE) {
      throw new IllegalArgumentException("arenaChunkSize must be between " + MIN_ARENA_CHUNK_SIZE
          + " and " + MAX_ARENA_CHUNK_SIZE + ", was " + arenaChunkSize);
    }
    this.memTableSize = memTableSize;
    this.arenaChunkSize = arenaChunkSize;
    long chunks = (memTableSize + arenaChunkSize - 1) / arenaChunkSize;
    this.chunkPool = new Arena.Pool(arenaChunkSize, (int) Math.min(chunks, Integer.MAX_VALUE));
  }

  /** A memtable is full once its arena or its WAL reaches this many bytes. */
  public long memTableSize() {
    return memTableSize;
  }

  /** Bytes per arena chunk. */
  public int arenaChunkSize() {
    return arenaChunkSize;
  }

  /** Spare chunks shared by every memtable built with these options. */
  Arena.Pool chunkPool() {
    return chunkPool;
  }

  @Override
  public String toString() {
    return "MemtableOptions[memTableSize=" + memTableSize + ", arenaChunkSize=" + arenaChunkSize
        + "]";
  }
}
