package dev.sett;

/**
 * What a cache has done since the store was opened, as Badger's cache metrics report it: lookups
 * that found their entry ({@code hits}) or did not ({@code misses}), entries pushed out to stay
 * within the capacity ({@code evictions}; entries of deleted tables dropped on purpose do not
 * count), and the bytes held now against the capacity. A cache of capacity 0 is off and reports
 * zeros. Returned by {@link DB#blockCacheMetrics()} and {@link DB#indexCacheMetrics()}; a snapshot,
 * not a live view.
 *
 * @param hits lookups that found their entry
 * @param misses lookups that had to read (and decode) the entry from its table
 * @param evictions entries evicted to stay within {@code capacityBytes}
 * @param sizeBytes bytes the cache holds now (the weight of its entries)
 * @param capacityBytes the most bytes the cache may hold ({@code blockCacheSize} or
 *     {@code indexCacheSize})
 */
public record CacheMetrics(
    long hits, long misses, long evictions, long sizeBytes, long capacityBytes) {

  /** {@return hits divided by lookups, or 0 before the first lookup} */
  public double hitRatio() {
    long lookups = hits + misses;
    return lookups == 0 ? 0 : (double) hits / lookups;
  }
}
