package dev.sett.internal.sstable;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.sett.internal.fs.CorruptFileException;
import java.util.concurrent.atomic.LongAdder;

/**
 * A cache of table indexes and bloom filters ({@link TableIndexes}), shared by the tables of a DB
 * and bounded by bytes: option {@code indexCacheSize}. A table whose indexes are not cached loads
 * them again from its file on its next lookup ({@link Table#loadIndexes}). With capacity 0 the
 * cache is off and every table keeps its own indexes, read in place from its mapping.
 *
 * <p>An entry is keyed by table id. A table evicts its entry when it is closed, since DropAll
 * restarts table ids and a later table may reuse the id.
 *
 * <p>Thread-safety: safe for concurrent use. Two threads that miss on the same table at once both
 * load it; one of the copies is kept. Maintenance runs on the calling threads.
 */
public final class IndexCache {
  /** Bytes an entry costs beyond its regions: the objects that hold them. */
  static final int ENTRY_OVERHEAD = 128;

  private final long capacity;
  private final Cache<Long, TableIndexes> cache;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();

  /** A cache of up to {@code maxBytes} bytes of indexes and filters; 0 turns it off. */
  public IndexCache(long maxBytes) {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("index cache size must not be negative: " + maxBytes);
    }
    this.capacity = maxBytes;
    this.cache = maxBytes == 0 ? null : Caffeine.newBuilder()
        .maximumWeight(maxBytes)
        .weigher((Long id, TableIndexes indexes) -> weight(indexes))
        .executor(Runnable::run)
        .recordStats()
        .build();
  }

  /** The cache that is off: tables keep their indexes resident. */
  public static IndexCache disabled() {
    return new IndexCache(0);
  }

  /** Whether the cache is on (capacity above 0). */
  public boolean enabled() {
    return cache != null;
  }

  /** Lookups that found the table's indexes. */
  public long hitCount() {
    return hits.sum();
  }

  /** Lookups that had to load them from the table's file. */
  public long missCount() {
    return misses.sum();
  }

  /** Entries evicted to stay within the capacity. */
  public long evictionCount() {
    return cache == null ? 0 : cache.stats().evictionCount();
  }

  /** Bytes held now. */
  public long sizeBytes() {
    if (cache == null) {
      return 0;
    }
    cache.cleanUp();
    return cache.policy().eviction().orElseThrow().weightedSize().orElse(0);
  }

  /** The capacity in bytes; 0 when off. */
  public long capacityBytes() {
    return capacity;
  }

  /** The indexes of table {@code tableId}, loaded by {@code loader} when they are not cached. */
  TableIndexes get(long tableId, Loader loader) throws CorruptFileException {
    TableIndexes cached = cache.getIfPresent(tableId);
    if (cached != null) {
      hits.increment();
      return cached;
    }
    misses.increment();
    TableIndexes loaded = loader.load();
    cache.put(tableId, loaded);
    return loaded;
  }

  /** Adds indexes a table loaded at open, without counting a lookup. */
  void put(long tableId, TableIndexes indexes) {
    cache.put(tableId, indexes);
  }

  /** Drops table {@code tableId}'s entry (the table is closed). */
  void invalidate(long tableId) {
    if (cache != null) {
      cache.invalidate(tableId);
    }
  }

  private static int weight(TableIndexes indexes) {
    return (int) Math.min(Integer.MAX_VALUE, indexes.sizeBytes() + ENTRY_OVERHEAD);
  }

  /** Loads a table's indexes from its file. */
  @FunctionalInterface
  interface Loader {
    TableIndexes load() throws CorruptFileException;
  }
}
