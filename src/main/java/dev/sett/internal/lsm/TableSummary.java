package dev.sett.internal.lsm;

import dev.sett.internal.key.InternalKey;
import java.util.Arrays;
import java.util.Objects;

/**
 * What the compaction policy needs to know about one table. The keys are <em>internal</em> keys
 * (user key + 8-byte version suffix, {@link InternalKey}); they are not copied, so callers must not
 * change them.
 *
 * @param id the table's id, unique in the store
 * @param smallestKey the table's smallest internal key
 * @param biggestKey the table's biggest internal key
 * @param size bytes on disk
 * @param staleDataSize bytes of versions the table knows to be shadowed or deleted
 * @param maxVersion the highest version in the table (compared unsigned, like all versions)
 * @param createdAtMillis when the table was written, in the clock of {@code nowMillis}
 */
public record TableSummary(long id, byte[] smallestKey, byte[] biggestKey, long size,
    long staleDataSize, long maxVersion, long createdAtMillis) {

  /** Rejects keys without a version suffix, keys out of order and negative sizes. */
  public TableSummary {
    Objects.requireNonNull(smallestKey, "smallestKey");
    Objects.requireNonNull(biggestKey, "biggestKey");
    if (smallestKey.length < InternalKey.SUFFIX_LENGTH
        || biggestKey.length < InternalKey.SUFFIX_LENGTH) {
      throw new IllegalArgumentException("table " + id + ": keys must end in an "
          + InternalKey.SUFFIX_LENGTH + "-byte version suffix");
    }
    if (InternalKey.compare(smallestKey, biggestKey) > 0) {
      throw new IllegalArgumentException("table " + id + ": smallest key "
          + InternalKey.toString(smallestKey) + " is after biggest key "
          + InternalKey.toString(biggestKey));
    }
    if (size < 0 || staleDataSize < 0) {
      throw new IllegalArgumentException("table " + id + ": negative size " + size
          + " or stale data size " + staleDataSize);
    }
  }

  /** The user keys of this table, all versions. */
  public KeyRange keyRange() {
    return KeyRange.of(this);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TableSummary other && id == other.id && size == other.size
        && staleDataSize == other.staleDataSize && maxVersion == other.maxVersion
        && createdAtMillis == other.createdAtMillis
        && Arrays.equals(smallestKey, other.smallestKey)
        && Arrays.equals(biggestKey, other.biggestKey);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(id) * 31 + Arrays.hashCode(smallestKey);
  }

  @Override
  public String toString() {
    return "table " + id + " [" + InternalKey.toString(smallestKey) + ", "
        + InternalKey.toString(biggestKey) + "] size " + size + " stale " + staleDataSize
        + " maxVersion " + Long.toUnsignedString(maxVersion) + " createdAt " + createdAtMillis;
  }
}
