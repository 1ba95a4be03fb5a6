package dev.sett.internal.lsm;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * The compactions in flight (reference §7.1): per level the key ranges being compacted and the
 * bytes being compacted away ("delSize"), and the ids of every table being compacted.
 *
 * <p>A plan registers {@code topRange} on its level and {@code bottomRange} on its target level
 * (an empty range is not registered). {@link #tryRegister} refuses a plan that shares a table with
 * one in flight, or whose ranges overlap a range in flight on the same level, except that an L0→L0
 * plan is checked by table only, as in Badger: its infinite range blocks every L0→Lbase while it
 * runs, but it may itself run beside one, on other tables.
 *
 * <p>Differences from Badger, both fixes: {@link #release} removes exactly the ranges its plan
 * registered, one instance each (Badger removes every equal range, so of two L0→L0 compactions
 * the first to finish unblocks L0 for both, and it never removes the range an Lmax→Lmax compaction
 * with bottom tables registers, which then blocks that key range of Lmax for good). And a plan
 * sharing a table with one in flight is refused outright (Badger relies on the ranges alone).
 *
 * <p>Thread-safety: every method holds this object's monitor. {@link CompactionPolicy} holds it
 * across choosing a plan and registering it, through the {@code *Locked} methods.
 */
public final class CompactionStatus {
  private final int maxLevels;
  /** Per level, the ranges in flight, with repeats. Guarded by this. */
  @GuardedBy("this")
  private final List<List<KeyRange>> ranges;
  /** Per level, bytes of top tables in flight. Guarded by this. */
  @GuardedBy("this")
  private final long[] deletingSizes;
  /** Guarded by this. */
  @GuardedBy("this")
  private final Set<Long> tableIds = new HashSet<>();
  /** Guarded by this. */
  @GuardedBy("this")
  private final Set<CompactionPlan> plans = Collections.newSetFromMap(new IdentityHashMap<>());

  /** An empty status for a store of {@code maxLevels} levels. */
  public CompactionStatus(int maxLevels) {
    if (maxLevels < 2) {
      throw new IllegalArgumentException("maxLevels must be at least 2, got " + maxLevels);
    }
    this.maxLevels = maxLevels;
    this.ranges = new ArrayList<>(maxLevels);
    for (int level = 0; level < maxLevels; level++) {
      ranges.add(new ArrayList<>());
    }
    this.deletingSizes = new long[maxLevels];
  }

  /**
   * Registers {@code plan} as in flight unless it collides with a compaction in flight.
   *
   * @return whether the plan was registered
   * @throws IllegalStateException if this very plan is already registered
   */
  public synchronized boolean tryRegister(CompactionPlan plan) {
    return tryRegisterLocked(plan);
  }

  /**
   * Forgets {@code plan}: its ranges, its bytes and its tables.
   *
   * @throws IllegalStateException if {@code plan} is not registered (compared by identity)
   */
  public synchronized void release(CompactionPlan plan) {
    if (!plans.remove(plan)) {
      throw new IllegalStateException("not registered: " + plan.describe());
    }
    removeRangeLocked(plan.level(), plan.topRange());
    removeRangeLocked(plan.targetLevel(), plan.bottomRange());
    deletingSizes[plan.level()] -= plan.topSize();
    for (TableSummary table : plan.tables()) {
      tableIds.remove(table.id());
    }
  }

  /** Bytes of the tables being compacted away from {@code level} (the top tables in flight). */
  public synchronized long deletingSize(int level) {
    return deletingSizeLocked(level);
  }

  /** Whether a compaction in flight reads the table {@code tableId}. */
  public synchronized boolean isCompacting(long tableId) {
    return isCompactingLocked(tableId);
  }

  /** Whether {@code range} overlaps a range in flight on {@code level}. */
  public synchronized boolean overlaps(int level, KeyRange range) {
    return overlapsLocked(level, range);
  }

  /** The number of compactions in flight. */
  public synchronized int inFlight() {
    return plans.size();
  }

  @GuardedBy("this")
  boolean tryRegisterLocked(CompactionPlan plan) {
    assert Thread.holdsLock(this);
    if (plan.targetLevel() >= maxLevels) {
      throw new IllegalArgumentException("plan for L" + plan.targetLevel() + " but only "
          + maxLevels + " levels: " + plan.describe());
    }
    if (plans.contains(plan)) {
      throw new IllegalStateException("already registered: " + plan.describe());
    }
    for (TableSummary table : plan.tables()) {
      if (tableIds.contains(table.id())) {
        return false;
      }
    }
    if (plan.kind() != CompactionKind.LEVEL0_TO_LEVEL0
        && (overlapsLocked(plan.level(), plan.topRange())
            || overlapsLocked(plan.targetLevel(), plan.bottomRange()))) {
      return false;
    }
    addRangeLocked(plan.level(), plan.topRange());
    addRangeLocked(plan.targetLevel(), plan.bottomRange());
    deletingSizes[plan.level()] += plan.topSize();
    for (TableSummary table : plan.tables()) {
      tableIds.add(table.id());
    }
    plans.add(plan);
    return true;
  }

  @GuardedBy("this")
  boolean overlapsLocked(int level, KeyRange range) {
    assert Thread.holdsLock(this);
    for (KeyRange inFlight : ranges.get(level)) {
      if (inFlight.overlaps(range)) {
        return true;
      }
    }
    return false;
  }

  @GuardedBy("this")
  boolean isCompactingLocked(long tableId) {
    assert Thread.holdsLock(this);
    return tableIds.contains(tableId);
  }

  @GuardedBy("this")
  long deletingSizeLocked(int level) {
    assert Thread.holdsLock(this);
    return deletingSizes[level];
  }

  @GuardedBy("this")
  private void addRangeLocked(int level, KeyRange range) {
    assert Thread.holdsLock(this);
    if (!range.isEmpty()) {
      ranges.get(level).add(range);
    }
  }

  @GuardedBy("this")
  private void removeRangeLocked(int level, KeyRange range) {
    assert Thread.holdsLock(this);
    if (!range.isEmpty() && !ranges.get(level).remove(range)) {
      throw new IllegalStateException("range " + range + " of L" + level + " is not in flight");
    }
  }

  @Override
  public synchronized String toString() {
    StringBuilder out = new StringBuilder("compactions in flight: ").append(plans.size());
    for (int level = 0; level < maxLevels; level++) {
      if (!ranges.get(level).isEmpty() || deletingSizes[level] != 0) {
        out.append("; L").append(level).append(' ').append(ranges.get(level))
            .append(" deleting ").append(deletingSizes[level]);
      }
    }
    return out.toString();
  }
}
