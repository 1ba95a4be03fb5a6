package dev.sett.internal.memtable;

/**
 * The settings a memtable needs, derived from the DB options.
 *
 * @param memTableSize   a memtable is full once its arena or its WAL reaches this many bytes
 * @param arenaChunkSize bytes per arena chunk (rounded up to a multiple of 8); 1 MiB is a good
 *                       default: large enough that chunk bookkeeping is noise, small enough that
 *                       an idle memtable costs little heap
 */
public record MemtableOptions(long memTableSize, int arenaChunkSize) {
  /** A sensible {@link #arenaChunkSize}. */
  public static final int DEFAULT_ARENA_CHUNK_SIZE = 1 << 20;

  /** The smallest chunk accepted: it must hold the skiplist's head node with room to spare. */
  public static final int MIN_ARENA_CHUNK_SIZE = 1 << 10;

  /** The largest chunk accepted. */
  public static final int MAX_ARENA_CHUNK_SIZE = 1 << 30;

  /** Rejects sizes that cannot work, naming the option. */
  public MemtableOptions {
    if (memTableSize <= 0) {
      throw new IllegalArgumentException("memTableSize must be positive, was " + memTableSize);
    }
    if (arenaChunkSize < MIN_ARENA_CHUNK_SIZE || arenaChunkSize > MAX_ARENA_CHUNK_SIZE) {
      throw new IllegalArgumentException("arenaChunkSize must be between " + MIN_ARENA_CHUNK_SIZE
          + " and " + MAX_ARENA_CHUNK_SIZE + ", was " + arenaChunkSize);
    }
  }
}
