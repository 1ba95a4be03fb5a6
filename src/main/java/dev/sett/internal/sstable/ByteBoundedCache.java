package dev.sett.internal.sstable;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToIntFunction;

/**
 * What the block cache and the index cache share: a Caffeine cache keyed by a long, bounded by the
 * bytes its entries weigh, off (holding nothing) at capacity 0, counting the hits and misses of
 * its lookups. Maintenance runs on the calling threads (no background executor), so a cache
 * creates no threads.
 *
 * <p>Thread-safety: safe for concurrent use.
 */
public abstract class ByteBoundedCache<V> {
  private final long capacity;
  /** Null when the cache is off. */
  private final Cache<Long, V> cache;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();

  ByteBoundedCache(String what, long maxBytes, ToIntFunction<V> weight) {
    if (maxBytes < 0) {
      throw new IllegalArgumentException(what + " size must not be negative: " + maxBytes);
    }
    this.capacity = maxBytes;
    this.cache = maxBytes == 0 ? null : Caffeine.newBuilder()
        .maximumWeight(maxBytes)
        .weigher((Long key, V value) -> weight.applyAsInt(value))
        .executor(Runnable::run)
        .recordStats()
        .build();
  }

  /** Whether the cache is on (capacity above 0). */
  public final boolean enabled() {
    return cache != null;
  }

  /** Lookups that found their entry. */
  public final long hitCount() {
    return hits.sum();
  }

  /** Lookups that did not, so the caller read (and decoded) the entry from the file. */
  public final long missCount() {
    return misses.sum();
  }

  /** Entries evicted to stay within the capacity (not those dropped on purpose). */
  public final long evictionCount() {
    return cache == null ? 0 : cache.stats().evictionCount();
  }

  /** Bytes held now. */
  public final long sizeBytes() {
    if (cache == null) {
      return 0;
    }
    cache.cleanUp();
    return cache.policy().eviction().orElseThrow().weightedSize().orElse(0);
  }

  /** The capacity in bytes; 0 when the cache is off. */
  public final long capacityBytes() {
    return capacity;
  }

  /** The entry under {@code key}, counting a hit or a miss; null when absent or off. */
  final V lookup(long key) {
    if (cache == null) {
      return null;
    }
    V cached = cache.getIfPresent(key);
    if (cached == null) {
      misses.increment();
    } else {
      hits.increment();
    }
    return cached;
  }

  /** Stores {@code value} under {@code key}; nothing when off. */
  final void store(long key, V value) {
    if (cache != null) {
      cache.put(key, value);
    }
  }

  /** Drops the entry under {@code key}. */
  final void drop(long key) {
    if (cache != null) {
      cache.invalidate(key);
    }
  }

  /** The cache itself, for bulk removal; null when off. */
  final Cache<Long, V> entries() {
    return cache;
  }
}
