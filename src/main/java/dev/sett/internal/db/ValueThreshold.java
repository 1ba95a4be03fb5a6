package dev.sett.internal.db;

/**
 * The size from which a value goes to the value log. Fixed at {@code valueThreshold}, or, with
 * {@code vlogPercentile} p in (0, 1], following the sizes of the values written (Badger §4.3): a
 * histogram of 1024 equal buckets between the configured threshold and the largest threshold
 * allowed counts every value written, and every 1024 values the threshold moves to the upper
 * bound of the bucket holding the p-th percentile. So with p = 0.9, roughly the largest tenth of
 * the values written are separated.
 *
 * <p>Thread-safety: the writer thread calls {@link #observe}; {@link #current} may be read from
 * any thread.
 */
final class ValueThreshold {
  private static final int BUCKETS = 1024;
  private static final int RECOMPUTE_EVERY = 1024;

  private final int base;
  private final int max;
  private final double percentile;
  private final long[] counts;
  private long total;
  private long sinceRecompute;
  private volatile int current;

  /**
   * @param base the configured {@code valueThreshold}
   * @param max the largest threshold the dynamic one may reach
   * @param percentile {@code vlogPercentile}; 0 keeps the threshold at {@code base}
   */
  ValueThreshold(int base, int max, double percentile) {
    this.base = base;
    this.max = Math.max(base, max);
    this.percentile = percentile;
    this.counts = percentile > 0 ? new long[BUCKETS] : null;
    this.current = base;
  }

  /** The threshold in effect: values of at least this many bytes go to the value log. */
  int current() {
    return current;
  }

  /** Counts a written value's size (dynamic threshold only). Writer thread only. */
  void observe(int valueSize) {
    if (counts == null) {
      return;
    }
    counts[bucket(valueSize)]++;
    total++;
    if (++sinceRecompute >= RECOMPUTE_EVERY) {
      sinceRecompute = 0;
      recompute();
    }
  }

  private int bucket(int valueSize) {
    if (valueSize <= base) {
      return 0;
    }
    if (valueSize >= max) {
      return BUCKETS - 1;
    }
    return (int) ((long) (valueSize - base) * (BUCKETS - 1) / (max - base));
  }

  private void recompute() {
    long wanted = (long) Math.ceil(total * percentile);
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts[i];
      if (seen >= wanted) {
        current = upperBound(i);
        return;
      }
    }
    current = max;
  }

  /** The smallest size above every size counted in bucket {@code i}. */
  private int upperBound(int i) {
    if (max == base) {
      return base;
    }
    return (int) Math.min(max, base + ((long) (i + 1) * (max - base) + BUCKETS - 2) / (BUCKETS - 1));
  }

  /** Forgets the sizes seen (dropAll): the threshold returns to its configured value. */
  void reset() {
    if (counts != null) {
      java.util.Arrays.fill(counts, 0);
      total = 0;
      sinceRecompute = 0;
    }
    current = base;
  }
}
