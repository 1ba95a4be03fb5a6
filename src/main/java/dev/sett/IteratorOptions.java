package dev.sett;

import java.util.Arrays;

/**
 * How a {@link DbIterator} walks the keys of a transaction: direction, versions, a key prefix, a
 * lower version bound, and value prefetching. Immutable; {@link #DEFAULT} or a {@link Builder}.
 *
 * <pre>{@code
 * IteratorOptions options = IteratorOptions.builder().prefix(userPrefix).reverse(true).build();
 * }</pre>
 */
public final class IteratorOptions {
  private static final byte[] NO_PREFIX = new byte[0];

  /**
   * Forward, newest visible version of each key only, no prefix, no version bound, values
   * prefetched 100 items ahead: Badger's {@code DefaultIteratorOptions}.
   */
  public static final IteratorOptions DEFAULT = builder().build();

  private final boolean prefetchValues;
  private final int prefetchSize;
  private final boolean reverse;
  private final boolean allVersions;
  private final byte[] prefix;
  private final long sinceTs;

  private IteratorOptions(Builder builder) {
    prefetchValues = builder.prefetchValues;
    prefetchSize = builder.prefetchSize;
    reverse = builder.reverse;
    allVersions = builder.allVersions;
    prefix = builder.prefix;
    sinceTs = builder.sinceTs;
  }

  /**
   * Starts iterator options with every option at its default.
   *
   * @return a builder holding the defaults of {@link #DEFAULT}
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts a builder holding these options, to derive others from them.
   *
   * @return a builder whose {@link Builder#build()} returns options equal to these
   */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** {@return whether values are read ahead of the iterator} Default true. */
  public boolean prefetchValues() {
    return prefetchValues;
  }

  /** {@return how many items ahead values are read} Default 100. */
  public int prefetchSize() {
    return prefetchSize;
  }

  /** {@return whether keys come in descending order} Default false. */
  public boolean reverse() {
    return reverse;
  }

  /** {@return whether every version of each key is returned} Default false. */
  public boolean allVersions() {
    return allVersions;
  }

  /**
   * The prefix every returned key starts with. Default none (an empty array).
   *
   * @return a copy of the prefix; empty when there is none
   */
  public byte[] prefix() {
    return prefix.clone();
  }

  /** {@return the version at or below which versions are skipped; 0 for none} Default 0. */
  public long sinceTs() {
    return sinceTs;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof IteratorOptions that
        && prefetchValues == that.prefetchValues
        && prefetchSize == that.prefetchSize
        && reverse == that.reverse
        && allVersions == that.allVersions
        && Arrays.equals(prefix, that.prefix)
        && sinceTs == that.sinceTs;
  }

  @Override
  public int hashCode() {
    int hash = Boolean.hashCode(prefetchValues);
    hash = 31 * hash + prefetchSize;
    hash = 31 * hash + Boolean.hashCode(reverse);
    hash = 31 * hash + Boolean.hashCode(allVersions);
    hash = 31 * hash + Arrays.hashCode(prefix);
    return 31 * hash + Long.hashCode(sinceTs);
  }

  /** Every option, the prefix in printable form. */
  @Override
  public String toString() {
    return "IteratorOptions[prefetchValues=" + prefetchValues
        + ", prefetchSize=" + prefetchSize
        + ", reverse=" + reverse
        + ", allVersions=" + allVersions
        + ", prefix=" + PrintableBytes.of(prefix)
        + ", sinceTs=" + sinceTs
        + "]";
  }

  /**
   * Collects {@link IteratorOptions}. Each method validates its argument at once and throws
   * {@link IllegalArgumentException} naming the option and the bad value. Not thread-safe.
   */
  public static final class Builder {
    private boolean prefetchValues = true;
    private int prefetchSize = 100;
    private boolean reverse = false;
    private boolean allVersions = false;
    private byte[] prefix = NO_PREFIX;
    private long sinceTs = 0;

    private Builder() {}

    private Builder(IteratorOptions options) {
      prefetchValues = options.prefetchValues;
      prefetchSize = options.prefetchSize;
      reverse = options.reverse;
      allVersions = options.allVersions;
      prefix = options.prefix;
      sinceTs = options.sinceTs;
    }

    /**
     * Whether the iterator reads the values of the next {@link #prefetchSize} items ahead of the
     * caller, so that values in the value log are ready when {@code Item.value()} asks. Turn it
     * off for key-only scans. Default true.
     *
     * @param prefetchValues false to read each value only when asked for
     * @return this builder
     */
    public Builder prefetchValues(boolean prefetchValues) {
      this.prefetchValues = prefetchValues;
      return this;
    }

    /**
     * How many items ahead values are read when {@link #prefetchValues} is on. Default 100.
     *
     * @param prefetchSize at least 0
     * @return this builder
     */
    public Builder prefetchSize(int prefetchSize) {
      if (prefetchSize < 0) {
        throw new IllegalArgumentException("prefetchSize must be at least 0, was " + prefetchSize);
      }
      this.prefetchSize = prefetchSize;
      return this;
    }

    /**
     * Whether keys come in descending order; {@code seek(k)} then goes to the last key at or
     * below {@code k}. A reverse scan of a prefix should seek to the prefix followed by
     * {@code 0xFF} bytes. Default false.
     *
     * @param reverse true for descending order
     * @return this builder
     */
    public Builder reverse(boolean reverse) {
      this.reverse = reverse;
      return this;
    }

    /**
     * Whether every version of each key is returned, newest first, deletions and expired
     * versions included ({@code Item.isDeletedOrExpired()} tells them apart). Default false: only
     * the newest version visible to the transaction, and no key whose newest version is deleted
     * or expired.
     *
     * @param allVersions true for every version
     * @return this builder
     */
    public Builder allVersions(boolean allVersions) {
      this.allVersions = allVersions;
      return this;
    }

    /**
     * Restricts the iterator to keys starting with {@code prefix}: {@code valid()} is false past
     * them, and tables whose keys cannot start with it are skipped. Null or empty means no
     * restriction, the default. The array is copied.
     *
     * @param prefix the key prefix, or null for none
     * @return this builder
     */
    public Builder prefix(byte[] prefix) {
      this.prefix = prefix == null || prefix.length == 0 ? NO_PREFIX : prefix.clone();
      return this;
    }

    /**
     * Skips every version at or below this timestamp, and the tables holding only such versions:
     * an incremental scan of what changed since {@code sinceTs}. 0 (the default) skips nothing.
     *
     * @param sinceTs at least 0
     * @return this builder
     */
    public Builder sinceTs(long sinceTs) {
      if (sinceTs < 0) {
        throw new IllegalArgumentException("sinceTs must be at least 0, was " + sinceTs);
      }
      this.sinceTs = sinceTs;
      return this;
    }

    /**
     * Returns the options. Every combination of valid options is valid.
     *
     * @return the iterator options
     */
    public IteratorOptions build() {
      return new IteratorOptions(this);
    }
  }
}
