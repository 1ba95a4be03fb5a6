package dev.sett.internal.lsm;

import dev.sett.internal.key.InternalKey;
import dev.sett.internal.sstable.Table;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The user keys one sub-compaction covers: those after {@code afterUserKey} up to and including
 * {@code lastUserKey}; a null bound is open. Bounds are user keys, so every version of a boundary
 * key falls in the same split (the left one).
 *
 * @param afterUserKey the exclusive lower bound, or null for none
 * @param lastUserKey the inclusive upper bound, or null for none
 */
record SplitRange(byte[] afterUserKey, byte[] lastUserKey) {
  /** A compaction is divided into at most about this many splits. */
  static final int TARGET_SPLIT_COUNT = 5;
  /** Each split but the last covers at least this many bottom tables. */
  static final int MIN_TABLES_PER_SPLIT = 3;

  /** The whole key space. */
  static final SplitRange UNBOUNDED = new SplitRange(null, null);

  /**
   * Divides a compaction into key ranges that can run in parallel (reference §7.6 step 1): the
   * bottom tables go in groups of {@code max(3, ceil(#bottom / 5))}, each group's biggest user key
   * closes a split, and the last split is open-ended. A same-level compaction, or one with no
   * bottom tables, is one unbounded split.
   */
  static List<SplitRange> plan(CompactionInput input) {
    List<Table> bottom = input.bottom();
    if (input.level() == input.targetLevel() || bottom.isEmpty()) {
      return List.of(UNBOUNDED);
    }
    int width = Math.max(MIN_TABLES_PER_SPLIT,
        (bottom.size() + TARGET_SPLIT_COUNT - 1) / TARGET_SPLIT_COUNT);
    List<SplitRange> splits = new ArrayList<>();
    byte[] left = null;
    for (int i = width - 1; i < bottom.size() - 1; i += width) {
      byte[] right = InternalKey.userKey(bottom.get(i).biggestKey());
      splits.add(new SplitRange(left, right));
      left = right;
    }
    splits.add(new SplitRange(left, null));
    return splits;
  }

  /** The smallest internal key in the range, where its sub-compaction seeks; null: rewind. */
  byte[] seekKey() {
    if (afterUserKey == null) {
      return null;
    }
    // The smallest user key after afterUserKey is afterUserKey followed by a zero byte.
    return InternalKey.of(Arrays.copyOf(afterUserKey, afterUserKey.length + 1),
        InternalKey.MAX_VERSION);
  }

  /** Whether the user key of {@code internalKey} lies beyond the upper bound. */
  boolean endsBefore(byte[] internalKey) {
    return lastUserKey != null && InternalKey.compareUserKey(internalKey, lastUserKey) > 0;
  }

  /** Shows each bound as its user key's last internal key (version 0), or "open". */
  @Override
  public String toString() {
    return "SplitRange(" + describe(afterUserKey) + ", " + describe(lastUserKey) + "]";
  }

  private static String describe(byte[] userKey) {
    return userKey == null ? "open" : InternalKey.toString(InternalKey.of(userKey, 0));
  }
}
