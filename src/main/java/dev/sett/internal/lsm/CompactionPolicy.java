package dev.sett.internal.lsm;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.sett.internal.key.InternalKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Which compaction to run next: a pure function from a snapshot of the levels and the compactions
 * in flight to a plan. No files, no clock, no threads: time ({@code nowMillis}), the discard
 * timestamp and the worker's identity come in as arguments, so every rule is tested from tables
 * of inputs and expected plans. Execution (merging, writing, the MANIFEST edit, swapping tables)
 * belongs to the caller.
 *
 * <p><b>Design.</b> This is Badger's policy (reference §7.2–7.5). Level size targets are dynamic:
 * they are derived from the size of the last level, so a small store compacts L0 straight into
 * Lmax and grows upward, which keeps write amplification low. A level's score is how far it is
 * over its target (L0: how many tables it has against {@code numLevelZeroTables}); the score is
 * then adjusted PebbleDB-style, dividing each level's score by the one below it, so that a full
 * lower level is drained before more is pushed into it. Worker 0 always looks after L0 first,
 * since a full L0 stalls writes; when the base level is too full to take L0, it merges small L0
 * tables into one (L0→L0) to keep the table count, and so read cost, down. Choosing a plan and
 * registering it in the {@link CompactionStatus} happen under the status's lock, so two workers
 * never pick colliding plans.
 *
 * <p><b>Differences from Badger</b>, each deliberate:
 * <ol>
 *   <li>L0→L0 merges a <em>contiguous</em> run of L0 (the longest run of eligible tables, the
 *       oldest on a tie), and the caller puts the output where the run was. Badger picks every
 *       eligible table, skipping the ones between, and re-sorts L0 by key afterwards, so L0 loses
 *       its age order and identical (key, version) copies can resolve the wrong way
 *       (reference §13 item 8).
 *   <li>The base level is never 0: if no level's target fits {@code baseLevelSize} (a last
 *       level more than multiplier^(maxLevels−1) times the base size) it is L1. Badger leaves it
 *       0 and would then fail on L0 compaction.
 *   <li>Ties are broken deterministically: candidates with equal adjusted scores by level, Li
 *       tables with equal max versions and Lmax tables with equal stale sizes by key order
 *       (Badger's sorts are unstable). Max versions and {@code discardTs} compare unsigned.
 *   <li>The max-level tick is the caller's to schedule, on any worker ({@code maxLevelTick});
 *       Badger runs it on worker 2 every 200 ticks.
 *   <li>Drop prefix decides from table bounds alone whether a table may hold a prefix
 *       ({@link KeyRange#mayContainPrefix}); Badger also seeks into the table when the prefix
 *       falls strictly inside it. A table the seek would have cleared is rewritten needlessly but
 *       correctly. The plans are returned together; see {@link #dropPrefixPlans} for the L0 one.
 *   <li>A forced compaction of Lmax (nothing below it) is refused with an exception.
 *   <li>The compaction status refuses a plan sharing a table with one in flight and releases
 *       exactly what a plan registered (see {@link CompactionStatus}). Its
 *       {@code deletingSize(0)} counts the L0 tables in flight, which Badger leaves at 0; the L0
 *       score counts tables, so no score changes.
 *   <li>An L0→L0 plan asks for {@link Long#MAX_VALUE}-byte output tables (Badger 2^32 − 1): one
 *       output table, within whatever cap the table writer enforces.
 * </ol>
 *
 * <p>Rejected: a stateful picker object holding the levels (Pebble's {@code compactionPicker}
 * keeps a version); here the caller passes each snapshot, so the policy holds nothing and a test
 * is one call.
 *
 * <p>Thread-safety: stateless; the methods that touch a {@link CompactionStatus} lock it.
 */
public final class CompactionPolicy {
  /** Artificial score of a Flatten compaction (reference §7.4). */
  public static final double FLATTEN_SCORE = 1.71;
  /** Artificial score of the L0 compaction run at close with {@code compactL0OnClose}. */
  public static final double COMPACT_L0_ON_CLOSE_SCORE = 1.73;
  /** Artificial score of the L0 compaction that ends a drop prefix. */
  public static final double DROP_PREFIX_SCORE = 1.74;
  /** Scores below this divide as this, so an empty level does not boost the one above to ∞. */
  private static final double MIN_DIVISOR_SCORE = 0.01;

  private CompactionPolicy() {
  }

  /**
   * The dynamic level targets (reference §7.2): (1) from Lmax up, each level's target is the
   * size of Lmax divided by the multiplier once per level, at least {@code baseLevelSize}; the
   * lowest level whose target is {@code baseLevelSize} is the tentative base. (2) Table sizes:
   * the memtable size for L0, {@code baseTableSize} down to the tentative base, then multiplied
   * by {@code tableSizeMultiplier} per level. (3) The base moves down past empty levels, stopping
   * above Lmax. (4) An empty base moves down one more when the level below is under its target.
   */
  public static LevelTargets levelTargets(List<List<TableSummary>> levels,
      CompactionSettings settings) {
    checkSnapshot(levels, settings);
    int maxLevel = settings.maxLevel();
    long[] targetSize = new long[settings.maxLevels()];
    long[] fileSize = new long[settings.maxLevels()];

    long size = levelSize(levels.get(maxLevel));
    int base = 0;
    for (int level = maxLevel; level > 0; level--) {
      targetSize[level] = Math.max(size, settings.baseLevelSize());
      if (base == 0 && targetSize[level] <= settings.baseLevelSize()) {
        base = level;
      }
      size /= settings.levelSizeMultiplier();
    }
    if (base == 0) {
      base = 1;
    }

    long tableSize = settings.baseTableSize();
    fileSize[0] = settings.memTableSize();
    for (int level = 1; level <= maxLevel; level++) {
      if (level > base) {
        tableSize = saturatedMultiply(tableSize, settings.tableSizeMultiplier());
      }
      fileSize[level] = tableSize;
    }

    for (int level = base + 1; level < maxLevel; level++) {
      if (levelSize(levels.get(level)) > 0) {
        break;
      }
      base = level;
    }
    if (base < maxLevel && levelSize(levels.get(base)) == 0
        && levelSize(levels.get(base + 1)) < targetSize[base + 1]) {
      base++;
    }
    return new LevelTargets(base, targetSize, fileSize);
  }

  /**
   * The score of every level, Lmax included (reference §7.3): L0 = table count /
   * {@code numLevelZeroTables}, counting tables being compacted; Li = (size − bytes being
   * compacted away) / target. Adjusted scores: walking from the base level to Lmax with
   * {@code previous} starting at L0, a previous level with adjusted score ≥ 1 is divided by the
   * level's score (by 0.01 if the score is below 0.01).
   */
  public static List<LevelScore> scores(List<List<TableSummary>> levels, CompactionStatus status,
      CompactionSettings settings) {
    LevelTargets targets = levelTargets(levels, settings);
    synchronized (status) {
      return scoresLocked(levels, status, settings, targets);
    }
  }

  /**
   * The levels worth compacting, most urgent first: every level but Lmax with a raw score of at
   * least 1, by adjusted score descending, then by level.
   */
  public static List<LevelScore> candidates(List<LevelScore> scores) {
    int maxLevel = scores.size() - 1;
    List<LevelScore> candidates = new ArrayList<>();
    for (LevelScore score : scores) {
      if (score.level() < maxLevel && score.score() >= 1.0) {
        candidates.add(score);
      }
    }
    candidates.sort(Comparator.comparingDouble(LevelScore::adjustedScore).reversed());
    return candidates;
  }

  /**
   * The plan worker {@code worker} should run now, already registered in {@code status}, or
   * empty (reference §7.4–7.5). With {@code maxLevelTick} and {@code lmaxCompaction}, only an
   * Lmax→Lmax stale-data rewrite is tried. Otherwise the candidates are tried in order; worker 0
   * tries L0 first whatever its adjusted score, the others stop at the first candidate with an
   * adjusted score below 1. L0 goes to the base level unless its adjusted score is strictly
   * between 0 and 1 or the run collides with a compaction in flight; then worker 0 (only) tries
   * L0→L0. A level Li goes to Li+1.
   *
   * @param worker the compactor asking, 0 being the one that looks after L0
   * @param discardTs versions above it are visible to some reader; Lmax tables holding one are
   *     not rewritten for stale data
   * @param nowMillis the current time, in the clock of {@link TableSummary#createdAtMillis}
   * @param maxLevelTick whether this is the periodic Lmax→Lmax attempt
   */
  public static Optional<CompactionPlan> pickAndRegister(int worker,
      List<List<TableSummary>> levels, CompactionStatus status, CompactionSettings settings,
      long discardTs, long nowMillis, boolean maxLevelTick) {
    if (worker < 0) {
      throw new IllegalArgumentException("worker must not be negative, got " + worker);
    }
    LevelTargets targets = levelTargets(levels, settings);
    synchronized (status) {
      List<LevelScore> scores = scoresLocked(levels, status, settings, targets);
      if (maxLevelTick && settings.lmaxCompaction()) {
        LevelScore maxLevel = scores.get(settings.maxLevel());
        return TableChooser.maxLevelStaleLocked(levels, status, targets, maxLevel.score(),
            maxLevel.adjustedScore(), discardTs, nowMillis);
      }
      List<LevelScore> candidates = candidates(scores);
      if (worker == 0) {
        moveLevelZeroToFront(candidates);
      }
      for (LevelScore candidate : candidates) {
        boolean levelZeroForWorkerZero = worker == 0 && candidate.level() == 0;
        if (!levelZeroForWorkerZero && candidate.adjustedScore() < 1.0) {
          break;
        }
        Optional<CompactionPlan> plan = candidate.level() == 0
            ? levelZeroLocked(worker, levels, status, targets, candidate, nowMillis)
            : TableChooser.levelToNextLocked(candidate.level(), levels, status, targets,
                CompactionKind.LEVEL_TO_NEXT, candidate.score(), candidate.adjustedScore());
        if (plan.isPresent()) {
          return plan;
        }
      }
      return Optional.empty();
    }
  }

  /**
   * The plan that rewrites one Lmax table in place to move its scattered values into key order
   * ({@link CompactionKind#RELOCATE_VALUES}), registered, or empty: the first of {@code
   * scattered} (table ids, judged by the caller) that is still on Lmax and that no compaction in
   * flight touches. Output tables are cut at Lmax's table size.
   */
  public static Optional<CompactionPlan> relocationPlanAndRegister(
      List<List<TableSummary>> levels, CompactionStatus status, CompactionSettings settings,
      java.util.Set<Long> scattered) {
    int maxLevel = settings.maxLevel();
    long wantedSize = levelTargets(levels, settings).fileSize(maxLevel);
    synchronized (status) {
      for (TableSummary table : levels.get(maxLevel)) {
        if (!scattered.contains(table.id())) {
          continue;
        }
        KeyRange range = table.keyRange();
        CompactionPlan plan = new CompactionPlan(CompactionKind.RELOCATE_VALUES, maxLevel,
            maxLevel, List.of(table), List.of(), range, range, wantedSize, 0.0, 0.0, List.of());
        if (status.tryRegisterLocked(plan)) {
          return Optional.of(plan);
        }
      }
    }
    return Optional.empty();
  }

  /**
   * A compaction of {@code level} whatever the scores, registered, or empty if it collides with
   * one in flight: L0→Lbase (never L0→L0), or Li→Li+1 choosing the table as
   * {@link #pickAndRegister} does.
   *
   * @param kind {@code FLATTEN} (score 1.71, any level but Lmax) or {@code LEVEL0_TO_BASE} (the
   *     compaction of L0 at close, score 1.73)
   * @throws IllegalArgumentException for another kind, for Lmax, or for {@code LEVEL0_TO_BASE}
   *     of a level other than 0
   */
  public static Optional<CompactionPlan> forcedPlanAndRegister(CompactionKind kind, int level,
      List<List<TableSummary>> levels, CompactionStatus status, CompactionSettings settings) {
    double score = switch (kind) {
      case FLATTEN -> FLATTEN_SCORE;
      case LEVEL0_TO_BASE -> {
        if (level != 0) {
          throw new IllegalArgumentException("LEVEL0_TO_BASE compacts L0, not L" + level);
        }
        yield COMPACT_L0_ON_CLOSE_SCORE;
      }
      default -> throw new IllegalArgumentException("cannot force a " + kind + " compaction");
    };
    if (level < 0 || level >= settings.maxLevel()) {
      throw new IllegalArgumentException("can force only L0..L" + (settings.maxLevel() - 1)
          + " into the level below, not L" + level);
    }
    LevelTargets targets = levelTargets(levels, settings);
    synchronized (status) {
      if (level == 0) {
        return TableChooser.levelZeroToBaseLocked(levels, status, targets, kind, score, 0.0,
            List.of());
      }
      return TableChooser.levelToNextLocked(level, levels, status, targets, kind, score, 0.0);
    }
  }

  /**
   * The compactions that remove {@code prefixes} (reference §1.15), in the order to run them: for
   * Lmax up to L1, each group of consecutive tables that may hold a prefix, rewritten within its
   * level (kind {@code DROP_PREFIX}, {@code top} empty, {@code bottom} the group); then all of L0
   * into the base level (score 1.74), if L0 has tables. None if {@code prefixes} is empty. Not
   * registered: the caller runs them one by one with compactions stopped.
   *
   * <p>Every plan is computed from this snapshot. If a group plan rewrites tables of the base
   * level, the L0 plan's {@code bottom} names tables that no longer exist by the time it runs:
   * recompute it then with {@link #levelZeroDropPrefixPlan} on a fresh snapshot.
   */
  public static List<CompactionPlan> dropPrefixPlans(List<List<TableSummary>> levels,
      List<byte[]> prefixes, CompactionSettings settings) {
    LevelTargets targets = levelTargets(levels, settings);
    List<CompactionPlan> plans = new ArrayList<>();
    if (prefixes.isEmpty()) {
      return plans;
    }
    for (int level = settings.maxLevel(); level >= 1; level--) {
      for (List<TableSummary> group : prefixGroups(levels.get(level), prefixes)) {
        plans.add(new CompactionPlan(CompactionKind.DROP_PREFIX, level, level, List.of(), group,
            KeyRange.empty(), KeyRange.covering(group), targets.fileSize(level), 0.0, 0.0,
            prefixes));
      }
    }
    levelZeroDropPrefixPlan(levels, targets, prefixes).ifPresent(plans::add);
    return plans;
  }

  /**
   * The last step of a drop prefix: all of L0 into the base level of this snapshot, kind
   * {@code DROP_PREFIX}, score 1.74; empty if L0 has no tables or {@code prefixes} is empty.
   * Not registered.
   */
  public static Optional<CompactionPlan> levelZeroDropPrefixPlan(List<List<TableSummary>> levels,
      List<byte[]> prefixes, CompactionSettings settings) {
    return levelZeroDropPrefixPlan(levels, levelTargets(levels, settings), prefixes);
  }

  private static Optional<CompactionPlan> levelZeroDropPrefixPlan(
      List<List<TableSummary>> levels, LevelTargets targets, List<byte[]> prefixes) {
    if (levels.get(0).isEmpty() || prefixes.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(TableChooser.levelZeroToBasePlan(levels, targets,
        CompactionKind.DROP_PREFIX, levels.get(0), DROP_PREFIX_SCORE, 0.0, prefixes));
  }

  @GuardedBy("status")
  private static Optional<CompactionPlan> levelZeroLocked(int worker,
      List<List<TableSummary>> levels, CompactionStatus status, LevelTargets targets,
      LevelScore levelZero, long nowMillis) {
    Optional<CompactionPlan> toBase = TableChooser.levelZeroToBaseLocked(levels, status, targets,
        CompactionKind.LEVEL0_TO_BASE, levelZero.score(), levelZero.adjustedScore(), List.of());
    if (toBase.isPresent() || worker != 0) {
      return toBase;
    }
    return TableChooser.levelZeroToLevelZeroLocked(levels, status, targets, levelZero.score(),
        levelZero.adjustedScore(), nowMillis);
  }

  @GuardedBy("status")
  private static List<LevelScore> scoresLocked(List<List<TableSummary>> levels,
      CompactionStatus status, CompactionSettings settings, LevelTargets targets) {
    assert Thread.holdsLock(status);
    int count = settings.maxLevels();
    double[] score = new double[count];
    score[0] = (double) levels.get(0).size() / settings.numLevelZeroTables();
    for (int level = 1; level < count; level++) {
      long size = levelSize(levels.get(level)) - status.deletingSizeLocked(level);
      score[level] = (double) size / targets.targetSize(level);
    }
    double[] adjusted = score.clone();
    int previous = 0;
    for (int level = targets.baseLevel(); level < count; level++) {
      if (adjusted[previous] >= 1.0) {
        adjusted[previous] /= score[level] >= MIN_DIVISOR_SCORE ? adjusted[level]
            : MIN_DIVISOR_SCORE;
      }
      previous = level;
    }
    List<LevelScore> scores = new ArrayList<>(count);
    for (int level = 0; level < count; level++) {
      scores.add(new LevelScore(level, score[level], adjusted[level]));
    }
    return scores;
  }

  private static void moveLevelZeroToFront(List<LevelScore> candidates) {
    for (int i = 0; i < candidates.size(); i++) {
      if (candidates.get(i).level() == 0) {
        candidates.add(0, candidates.remove(i));
        return;
      }
    }
  }

  /** Runs of consecutive tables that may hold one of {@code prefixes}. */
  private static List<List<TableSummary>> prefixGroups(List<TableSummary> level,
      List<byte[]> prefixes) {
    List<List<TableSummary>> groups = new ArrayList<>();
    List<TableSummary> group = new ArrayList<>();
    for (TableSummary table : level) {
      if (mayContainAny(table, prefixes)) {
        group.add(table);
      } else if (!group.isEmpty()) {
        groups.add(group);
        group = new ArrayList<>();
      }
    }
    if (!group.isEmpty()) {
      groups.add(group);
    }
    return groups;
  }

  private static boolean mayContainAny(TableSummary table, List<byte[]> prefixes) {
    KeyRange range = table.keyRange();
    for (byte[] prefix : prefixes) {
      if (range.mayContainPrefix(prefix)) {
        return true;
      }
    }
    return false;
  }

  private static long levelSize(List<TableSummary> level) {
    long size = 0;
    for (TableSummary table : level) {
      size += table.size();
    }
    return size;
  }

  private static long saturatedMultiply(long value, int factor) {
    long product = value * factor;
    return product / factor == value ? product : Long.MAX_VALUE;
  }

  /** The snapshot has one list per level; levels ≥ 1 are sorted and do not overlap. */
  private static void checkSnapshot(List<List<TableSummary>> levels, CompactionSettings settings) {
    if (levels.size() != settings.maxLevels()) {
      throw new IllegalArgumentException("snapshot has " + levels.size() + " levels, settings say "
          + settings.maxLevels());
    }
    assert sortedAndDisjoint(levels) : "levels >= 1 must be sorted and non-overlapping";
  }

  private static boolean sortedAndDisjoint(List<List<TableSummary>> levels) {
    for (int level = 1; level < levels.size(); level++) {
      List<TableSummary> tables = levels.get(level);
      for (int i = 1; i < tables.size(); i++) {
        if (InternalKey.compareUserKeys(tables.get(i - 1).biggestKey(),
            tables.get(i).smallestKey()) >= 0) {
          return false;
        }
      }
    }
    return true;
  }
}
