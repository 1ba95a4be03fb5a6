package dev.sett.internal.lsm;

import dev.sett.internal.sstable.Table;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One compaction to run: merge {@code top} and {@code bottom} into new tables for
 * {@code targetLevel}. The caller owns every table listed and keeps it open for the whole run;
 * {@link CompactionExecutor} neither modifies nor releases them.
 *
 * @param level the level {@code top} comes from
 * @param targetLevel the level the output is for: the next level (for L0 the base level, which
 *     may be further down), or {@code level} itself for an L0→L0 or a same-level (stale data,
 *     drop prefix) compaction
 * @param top the tables being pushed down, newest source first: for L0 the newest table first,
 *     for a level of 1 or more in key order (they do not overlap)
 * @param bottom tables of {@code targetLevel} in key order, merged as the oldest source: those
 *     that overlap {@code top}; for a same-level compaction the level's further tables to merge
 *     (Lmax→Lmax) or to filter (a DropPrefix compaction, whose {@code top} is empty); empty for
 *     L0→L0. Tables a drop prefix covers entirely are not read at all
 * @param levelBelowTarget the tables of level {@code targetLevel + 1} in key order, for the
 *     overlap guard; empty if that level does not exist
 * @param dataMayExistBelow whether some level below {@code targetLevel} may hold older versions of
 *     these keys; while it does, tombstones and expired versions are kept to hide them
 * @param discardTs versions at or below it (unsigned) are visible to no reader except through the
 *     newest of them, so older ones may be dropped
 * @param numVersionsToKeep how many versions at or below {@code discardTs} to keep per key, at
 *     least 1 ({@link Integer#MAX_VALUE} keeps them all)
 * @param targetFileSize an output table is finished at the first user key at which it has reached
 *     this many bytes
 * @param dropPrefixes user-key prefixes whose keys are left out of the output (DropPrefix)
 * @param nowSeconds the time, in Unix seconds, against which expiry is judged
 */
public record CompactionInput(int level, int targetLevel, List<Table> top, List<Table> bottom,
    List<Table> levelBelowTarget, boolean dataMayExistBelow, long discardTs,
    int numVersionsToKeep, long targetFileSize, List<byte[]> dropPrefixes, long nowSeconds) {

  /** Checks the arguments and copies the lists (the prefixes too, so nobody changes them). */
  public CompactionInput {
    if (level < 0 || targetLevel < level) {
      throw new IllegalArgumentException("a compaction goes from level " + level
          + " to the same level or a lower one, not to " + targetLevel);
    }
    top = List.copyOf(Objects.requireNonNull(top, "top"));
    bottom = List.copyOf(Objects.requireNonNull(bottom, "bottom"));
    levelBelowTarget = List.copyOf(Objects.requireNonNull(levelBelowTarget, "levelBelowTarget"));
    if (numVersionsToKeep < 1) {
      throw new IllegalArgumentException("numVersionsToKeep must be at least 1: "
          + numVersionsToKeep);
    }
    if (targetFileSize <= 0) {
      throw new IllegalArgumentException("targetFileSize must be positive: " + targetFileSize);
    }
    List<byte[]> prefixes = new ArrayList<>();
    for (byte[] prefix : Objects.requireNonNull(dropPrefixes, "dropPrefixes")) {
      prefixes.add(Objects.requireNonNull(prefix, "drop prefix").clone());
    }
    dropPrefixes = Collections.unmodifiableList(prefixes);
  }
}
