package dev.sett.internal.lsm;

import dev.sett.internal.key.InternalKey;
import dev.sett.internal.sstable.Table;
import java.util.List;

/**
 * Keeps an output table from spanning too many tables of the level below its target (Badger's
 * {@code exceedsAllowedOverlap}): compacting such a table later would have to rewrite all of them.
 * Checking costs a binary search, so sub-compactions ask only every {@link #CHECK_INTERVAL_KEYS}
 * distinct keys.
 *
 * <p>As in Badger the guard is off for L0→L0 (the level below is L1, which L0 compacts into
 * anyway) and when the level below the target does not exist.
 *
 * <p>Thread-safety: immutable after construction; shared by the sub-compactions of a run.
 */
final class OverlapGuard {
  /** How many distinct keys of an output table pass between two checks. */
  static final int CHECK_INTERVAL_KEYS = 5000;
  /** An output table overlapping this many tables of the level below its target is finished. */
  static final int MAX_OVERLAPPING_TABLES = 10;

  /** The level's tables' smallest and biggest internal keys, in key order. */
  private final byte[][] smallestKeys;
  private final byte[][] biggestKeys;

  OverlapGuard(int targetLevel, List<Table> levelBelowTarget) {
    int count = targetLevel >= 1 ? levelBelowTarget.size() : 0;
    smallestKeys = new byte[count][];
    biggestKeys = new byte[count][];
    for (int i = 0; i < count; i++) {
      smallestKeys[i] = levelBelowTarget.get(i).smallestKey();
      biggestKeys[i] = levelBelowTarget.get(i).biggestKey();
    }
  }

  /** Whether the guard can ever fire. */
  boolean enabled() {
    return smallestKeys.length >= MAX_OVERLAPPING_TABLES;
  }

  /**
   * Whether the user keys from {@code firstKey}'s to {@code lastKey}'s (internal keys) overlap at
   * least {@link #MAX_OVERLAPPING_TABLES} tables of the level below the target.
   */
  boolean exceeded(byte[] firstKey, byte[] lastKey) {
    return enabled()
        && overlappingTables(firstKey, lastKey) >= MAX_OVERLAPPING_TABLES;
  }

  /** Tables whose user-key range meets [first, last]; the level is sorted and non-overlapping. */
  int overlappingTables(byte[] firstKey, byte[] lastKey) {
    int start = firstIndex(biggestKeys, firstKey, false);
    int end = firstIndex(smallestKeys, lastKey, true);
    return Math.max(0, end - start);
  }

  /**
   * The first table whose key in {@code keys} has a user key above {@code internalKey}'s, or at
   * least equal to it when {@code strictlyAbove} is false.
   */
  private static int firstIndex(byte[][] keys, byte[] internalKey, boolean strictlyAbove) {
    int low = 0;
    int high = keys.length;
    while (low < high) {
      int middle = (low + high) >>> 1;
      int order = InternalKey.compareUserKeys(keys[middle], internalKey);
      if (order > 0 || (order == 0 && !strictlyAbove)) {
        high = middle;
      } else {
        low = middle + 1;
      }
    }
    return low;
  }
}
