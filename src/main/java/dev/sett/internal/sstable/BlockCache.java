package dev.sett.internal.sstable;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.concurrent.atomic.LongAdder;

/**
 * A cache of decompressed data blocks shared by all tables of a DB, bounded by bytes. Blocks stored
 * uncompressed never enter it: they are read straight from the table's mapping, which the page
 * cache already caches.
 *
 * <p>Keys pack the table id and the block index into one long ({@code tableId << 24 | block}), so a
 * lookup allocates no composite key object; {@link Table#open} rejects ids of 2^39 or more.
 *
 * <p>Thread-safety: safe for concurrent use. Caffeine's maintenance runs on the calling threads
 * (no background executor), so a cache creates no threads.
 */
public final class BlockCache {
  static final int BLOCK_INDEX_BITS = 24;

  private final long capacity;
  private final Cache<Long, Block> cache;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();

  /** A cache holding up to {@code maxBytes} bytes of blocks; 0 disables caching. */
  public BlockCache(long maxBytes) {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("block cache size must not be negative: " + maxBytes);
    }
    this.capacity = maxBytes;
    this.cache = maxBytes == 0 ? null : Caffeine.newBuilder()
        .maximumWeight(maxBytes)
        .weigher((Long key, Block block) -> block.heapSize())
        .executor(Runnable::run)
        .recordStats()
        .build();
  }

  /** A cache that holds nothing: every compressed block is decompressed on every read. */
  public static BlockCache disabled() {
    return new BlockCache(0);
  }

  /** Evicts every cached block of table {@code tableId}. Scans the cache once. */
  public void invalidateTable(long tableId) {
    if (cache != null) {
      cache.asMap().keySet().removeIf(key -> key >>> BLOCK_INDEX_BITS == tableId);
    }
  }

  /** Lookups that found their block. */
  public long hitCount() {
    return hits.sum();
  }

  /** Lookups that had to read and decompress the block. */
  public long missCount() {
    return misses.sum();
  }

  /** Blocks evicted to stay within the capacity (not those of closed tables, dropped on purpose). */
  public long evictionCount() {
    return cache == null ? 0 : cache.stats().evictionCount();
  }

  /** Bytes of blocks held now. */
  public long sizeBytes() {
    if (cache == null) {
      return 0;
    }
    cache.cleanUp();
    return cache.policy().eviction().orElseThrow().weightedSize().orElse(0);
  }

  /** The capacity in bytes; 0 when caching is off. */
  public long capacityBytes() {
    return capacity;
  }

  /** Evicts the blocks of a table of {@code blockCount} blocks, by key when that is cheaper. */
  void invalidateTable(long tableId, int blockCount) {
    if (cache == null) {
      return;
    }
    if (blockCount > cache.estimatedSize()) {
      invalidateTable(tableId);
      return;
    }
    for (int block = 0; block < blockCount; block++) {
      cache.invalidate(key(tableId, block));
    }
  }

  Block get(long tableId, int block) {
    if (cache == null) {
      return null;
    }
    Block cached = cache.getIfPresent(key(tableId, block));
    if (cached == null) {
      misses.increment();
    } else {
      hits.increment();
    }
    return cached;
  }

  void put(long tableId, int block, Block content) {
    if (cache != null) {
      cache.put(key(tableId, block), content);
    }
  }

  private static long key(long tableId, int block) {
    return tableId << BLOCK_INDEX_BITS | block;
  }
}
