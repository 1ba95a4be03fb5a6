package dev.sett.internal.lsm;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.sett.internal.key.InternalKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The table choices of reference §7.5 ({@code fillTables*} in Badger), each of which registers
 * the plan it builds in the compaction status. Every method requires the caller to hold the
 * status's monitor, so choosing and registering are one atomic step; the rationale and the
 * differences from Badger are in {@link CompactionPolicy}.
 */
final class TableChooser {
  /** L0→L0 needs at least this many tables. */
  static final int MIN_LEVEL0_TO_LEVEL0_TABLES = 4;
  /** L0→L0 leaves L0 tables younger than this alone (Badger's rule: "just created"). */
  static final long LEVEL0_TO_LEVEL0_MIN_AGE_MILLIS = 10_000;
  /** An Lmax table younger than this is not rewritten for its stale data. */
  static final long MAX_LEVEL_MIN_AGE_MILLIS = 3_600_000;
  /** An Lmax table with less stale data than this is not worth rewriting. */
  static final long MAX_LEVEL_MIN_STALE_SIZE = 10L << 20;

  private static final Comparator<TableSummary> OLDEST_DATA_FIRST =
      (a, b) -> Long.compareUnsigned(a.maxVersion(), b.maxVersion());
  private static final Comparator<TableSummary> MOST_STALE_FIRST =
      Comparator.comparingLong(TableSummary::staleDataSize).reversed();

  private TableChooser() {
  }

  /**
   * L0→Lbase: the run of L0 from its oldest table, extended while the next table overlaps the
   * keys gathered so far (all of L0 with drop prefixes). Refused when {@code adjustedScore} is
   * strictly between 0 and 1: the base level is fuller than L0 (0 means forced, not gated).
   */
  @GuardedBy("status")
  static Optional<CompactionPlan> levelZeroToBaseLocked(List<List<TableSummary>> levels,
      CompactionStatus status, LevelTargets targets, CompactionKind kind, double score,
      double adjustedScore, List<byte[]> dropPrefixes) {
    assert Thread.holdsLock(status);
    if (adjustedScore > 0.0 && adjustedScore < 1.0) {
      return Optional.empty();
    }
    List<TableSummary> levelZero = levels.get(0);
    if (levelZero.isEmpty()) {
      return Optional.empty();
    }
    List<TableSummary> top = new ArrayList<>();
    if (!dropPrefixes.isEmpty()) {
      top.addAll(levelZero);
    } else {
      KeyRange gathered = KeyRange.empty();
      for (TableSummary table : levelZero) {
        KeyRange range = table.keyRange();
        if (!gathered.overlaps(range)) {
          break;
        }
        top.add(table);
        gathered = gathered.extend(range);
      }
    }
    CompactionPlan plan = levelZeroToBasePlan(levels, targets, kind, top, score, adjustedScore,
        dropPrefixes);
    return registerLocked(status, plan);
  }

  /**
   * The plan moving {@code top} from L0 into the base level, not registered. If a level above the
   * base still holds data (the base moved down after the last level shrank), L0 goes into the first
   * such level instead: skipping it would put newer versions below older ones, which breaks the
   * guarantee that lets point lookups stop at the first hit.
   */
  static CompactionPlan levelZeroToBasePlan(List<List<TableSummary>> levels, LevelTargets targets,
      CompactionKind kind, List<TableSummary> top, double score, double adjustedScore,
      List<byte[]> dropPrefixes) {
    int base = targets.baseLevel();
    for (int level = 1; level < targets.baseLevel(); level++) {
      if (!levels.get(level).isEmpty()) {
        base = level;
        break;
      }
    }
    KeyRange topRange = KeyRange.covering(top);
    List<TableSummary> bottom = overlapping(levels.get(base), topRange);
    KeyRange bottomRange = bottom.isEmpty() ? topRange : KeyRange.covering(bottom);
    return new CompactionPlan(kind, 0, base, top, bottom, topRange, bottomRange,
        targets.fileSize(base), score, adjustedScore, dropPrefixes);
  }

  /**
   * L0→L0: the longest contiguous run of L0 tables, each not being compacted, smaller than twice
   * the L0 table size and at least 10 s old; the oldest such run on a tie; at least four tables.
   */
  @GuardedBy("status")
  static Optional<CompactionPlan> levelZeroToLevelZeroLocked(List<List<TableSummary>> levels,
      CompactionStatus status, LevelTargets targets, double score, double adjustedScore,
      long nowMillis) {
    assert Thread.holdsLock(status);
    List<TableSummary> levelZero = levels.get(0);
    long sizeLimit = 2 * targets.fileSize(0);
    int bestStart = 0;
    int bestLength = 0;
    int start = 0;
    for (int i = 0; i <= levelZero.size(); i++) {
      boolean eligible = i < levelZero.size()
          && isLevelZeroToLevelZeroCandidateLocked(levelZero.get(i), status, sizeLimit, nowMillis);
      if (eligible) {
        continue;
      }
      if (i - start > bestLength) {
        bestStart = start;
        bestLength = i - start;
      }
      start = i + 1;
    }
    if (bestLength < MIN_LEVEL0_TO_LEVEL0_TABLES) {
      return Optional.empty();
    }
    List<TableSummary> run = levelZero.subList(bestStart, bestStart + bestLength);
    CompactionPlan plan = new CompactionPlan(CompactionKind.LEVEL0_TO_LEVEL0, 0, 0, run,
        List.of(), KeyRange.infinite(), KeyRange.empty(), Long.MAX_VALUE, score, adjustedScore,
        List.of());
    return registerLocked(status, plan);
  }

  @GuardedBy("status")
  private static boolean isLevelZeroToLevelZeroCandidateLocked(TableSummary table,
      CompactionStatus status, long sizeLimit, long nowMillis) {
    return !status.isCompactingLocked(table.id())
        && table.size() < sizeLimit
        && nowMillis - table.createdAtMillis() >= LEVEL0_TO_LEVEL0_MIN_AGE_MILLIS;
  }

  /**
   * Li→Li+1: the first table, oldest data (lowest max version) first, whose range is free on Li
   * and whose overlapping tables of Li+1 are free too.
   */
  @GuardedBy("status")
  static Optional<CompactionPlan> levelToNextLocked(int level, List<List<TableSummary>> levels,
      CompactionStatus status, LevelTargets targets, CompactionKind kind, double score,
      double adjustedScore) {
    assert Thread.holdsLock(status);
    List<TableSummary> candidates = new ArrayList<>(levels.get(level));
    candidates.sort(OLDEST_DATA_FIRST);
    int next = level + 1;
    for (TableSummary table : candidates) {
      KeyRange topRange = table.keyRange();
      if (status.overlapsLocked(level, topRange)) {
        continue;
      }
      List<TableSummary> bottom = overlapping(levels.get(next), topRange);
      KeyRange bottomRange = bottom.isEmpty() ? topRange : KeyRange.covering(bottom);
      // Registration refuses a bottom range in flight on Li+1; then the next table is tried.
      CompactionPlan plan = new CompactionPlan(kind, level, next, List.of(table), bottom,
          topRange, bottomRange, targets.fileSize(next), score, adjustedScore, List.of());
      Optional<CompactionPlan> registered = registerLocked(status, plan);
      if (registered.isPresent()) {
        return registered;
      }
    }
    return Optional.empty();
  }

  /**
   * Lmax→Lmax: the table with the most stale data among those whose versions are all at or below
   * {@code discardTs}, at least an hour old, with at least 10 MiB stale and a free range; merged
   * with the tables following it while the total stays below the Lmax table size.
   */
  @GuardedBy("status")
  static Optional<CompactionPlan> maxLevelStaleLocked(List<List<TableSummary>> levels,
      CompactionStatus status, LevelTargets targets, double score, double adjustedScore,
      long discardTs, long nowMillis) {
    assert Thread.holdsLock(status);
    int maxLevel = levels.size() - 1;
    List<TableSummary> inKeyOrder = levels.get(maxLevel);
    List<TableSummary> candidates = new ArrayList<>(inKeyOrder);
    candidates.sort(MOST_STALE_FIRST);
    if (candidates.isEmpty() || candidates.get(0).staleDataSize() == 0) {
      return Optional.empty();
    }
    long wantedSize = targets.fileSize(maxLevel);
    for (TableSummary table : candidates) {
      if (Long.compareUnsigned(table.maxVersion(), discardTs) > 0
          || nowMillis - table.createdAtMillis() < MAX_LEVEL_MIN_AGE_MILLIS
          || table.staleDataSize() < MAX_LEVEL_MIN_STALE_SIZE) {
        continue;
      }
      KeyRange topRange = table.keyRange();
      if (status.overlapsLocked(maxLevel, topRange)) {
        continue;
      }
      List<TableSummary> bottom = new ArrayList<>();
      KeyRange bottomRange = topRange;
      long total = table.size();
      for (int i = inKeyOrder.indexOf(table) + 1; i < inKeyOrder.size(); i++) {
        TableSummary following = inKeyOrder.get(i);
        total += following.size();
        if (total >= wantedSize) {
          break;
        }
        bottom.add(following);
        bottomRange = bottomRange.extend(following.keyRange());
      }
      CompactionPlan plan = new CompactionPlan(CompactionKind.MAX_LEVEL_STALE, maxLevel,
          maxLevel, List.of(table), bottom, topRange, bottomRange, wantedSize, score,
          adjustedScore, List.of());
      Optional<CompactionPlan> registered = registerLocked(status, plan);
      if (registered.isPresent()) {
        return registered;
      }
    }
    return Optional.empty();
  }

  /**
   * The tables of a sorted, non-overlapping level that share a key with {@code range}: a
   * contiguous slice, found by binary search. None for an empty range, all for an infinite one.
   */
  static List<TableSummary> overlapping(List<TableSummary> level, KeyRange range) {
    if (range.isEmpty()) {
      return List.of();
    }
    if (range.isInfinite()) {
      return List.copyOf(level);
    }
    byte[] left = range.left();
    byte[] right = range.right();
    // First table whose biggest key reaches left; first table whose smallest key is past right.
    int from = firstIndex(level,
        table -> InternalKey.compareUserKey(table.biggestKey(), left) >= 0);
    int to = firstIndex(level,
        table -> InternalKey.compareUserKey(table.smallestKey(), right) > 0);
    return from < to ? List.copyOf(level.subList(from, to)) : List.of();
  }

  private static int firstIndex(List<TableSummary> level,
      Predicate<TableSummary> reached) {
    int low = 0;
    int high = level.size();
    while (low < high) {
      int middle = (low + high) >>> 1;
      if (reached.test(level.get(middle))) {
        high = middle;
      } else {
        low = middle + 1;
      }
    }
    return low;
  }

  @GuardedBy("status")
  private static Optional<CompactionPlan> registerLocked(CompactionStatus status, CompactionPlan plan) {
    return status.tryRegisterLocked(plan) ? Optional.of(plan) : Optional.empty();
  }
}
