package dev.sett.internal.lsm;

import dev.sett.internal.key.Meta;
import dev.sett.internal.key.ValueStruct;

/**
 * Decides, version by version, which versions of a user key a compaction keeps (reference §7.6
 * step 4, Appendix C item 7). Versions arrive newest first; {@link #startUserKey()} opens each key.
 *
 * <ul>
 *   <li>A version above {@code discardTs} is always kept and not counted: a running transaction
 *       may still read it.
 *   <li>A version at or below {@code discardTs} that is not a merge operand is counted. It is the
 *       last one worth keeping when it carries {@link Meta#DISCARD_EARLIER_VERSIONS} or is the
 *       {@code numVersionsToKeep}-th counted version; then every older version is dropped, and so
 *       is every older version after a tombstone or an expired version.
 *   <li>A tombstone or expired version that ends the key is kept only while older versions may
 *       exist in a level below the compaction's target, where it still has something to hide.
 *   <li>A merge operand is never counted, but is dropped like any version once a newer one ended
 *       the key.
 * </ul>
 *
 * Kept versions are stale (reclaimable by a later compaction of the last level) when the key's
 * newest version carries the discard bit, or when they are themselves deleted or expired.
 *
 * <p>Thread-safety: not thread-safe; one per sub-compaction.
 */
final class VersionRetention {

  /** What to do with one version. */
  enum Decision {
    /** Keep it, as live data. */
    KEEP,
    /** Keep it, counted as stale data of the output table. */
    KEEP_STALE,
    /** Leave it out of the output. */
    DROP
  }

  private final long discardTs;
  private final int numVersionsToKeep;
  private final boolean dataMayExistBelow;
  private final long nowSeconds;

  private boolean atNewestVersion;
  private boolean newestHasDiscardBit;
  private int countedVersions;
  private boolean droppingOlderVersions;

  /**
   * @param discardTs versions at or below it (unsigned) are no longer visible to any reader except
   *     through the newest of them
   * @param numVersionsToKeep how many counted versions of a key to keep, at least 1
   * @param dataMayExistBelow whether a level below the target may hold older versions of the keys
   * @param nowSeconds the time, in Unix seconds, against which expiry is judged
   */
  VersionRetention(long discardTs, int numVersionsToKeep, boolean dataMayExistBelow,
      long nowSeconds) {
    if (numVersionsToKeep < 1) {
      throw new IllegalArgumentException("numVersionsToKeep must be at least 1: "
          + numVersionsToKeep);
    }
    this.discardTs = discardTs;
    this.numVersionsToKeep = numVersionsToKeep;
    this.dataMayExistBelow = dataMayExistBelow;
    this.nowSeconds = nowSeconds;
    startUserKey();
  }

  /** Forgets the previous key: the next {@link #decide} call sees a new key's newest version. */
  void startUserKey() {
    atNewestVersion = true;
    newestHasDiscardBit = false;
    countedVersions = 0;
    droppingOlderVersions = false;
  }

  /** Decides the fate of the next (older) version of the current key. */
  Decision decide(long version, ValueStruct value) {
    byte meta = value.meta();
    if (atNewestVersion) {
      atNewestVersion = false;
      newestHasDiscardBit = (meta & Meta.DISCARD_EARLIER_VERSIONS) != 0;
    }
    if (droppingOlderVersions) {
      return Decision.DROP;
    }
    boolean deletedOrExpired = value.isDeletedOrExpired(nowSeconds);
    if (Long.compareUnsigned(version, discardTs) <= 0 && (meta & Meta.MERGE_ENTRY) == 0) {
      countedVersions++;
      boolean lastWorthKeeping = (meta & Meta.DISCARD_EARLIER_VERSIONS) != 0
          || countedVersions == numVersionsToKeep;
      if (deletedOrExpired || lastWorthKeeping) {
        droppingOlderVersions = true;
        if (deletedOrExpired && !dataMayExistBelow) {
          return Decision.DROP;
        }
      }
    }
    return newestHasDiscardBit || deletedOrExpired ? Decision.KEEP_STALE : Decision.KEEP;
  }
}
