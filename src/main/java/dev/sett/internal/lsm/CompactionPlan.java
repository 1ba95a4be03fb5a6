package dev.sett.internal.lsm;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * One compaction the policy chose: which tables to merge and where the result goes. The executor
 * removes {@code top} from {@code level} and {@code bottom} from {@code targetLevel}, and puts the
 * output into {@code targetLevel}: in key order for levels ≥ 1; for L0→L0, as one table in the
 * place of the run, so L0 stays in age order.
 *
 * <p>By kind:
 * <ul>
 *   <li>{@code LEVEL0_TO_BASE} (and {@code FLATTEN} or {@code DROP_PREFIX} from L0): {@code top} is
 *       a contiguous run of L0 starting at its oldest table, oldest first; {@code bottom} the base
 *       level tables it overlaps, in key order.
 *   <li>{@code LEVEL0_TO_LEVEL0}: {@code top} a contiguous run of L0, oldest first;
 *       {@code bottom} empty; {@code topRange} infinite; {@code targetFileSize}
 *       {@link Long#MAX_VALUE} (one output table).
 *   <li>{@code LEVEL_TO_NEXT} (and {@code FLATTEN} from Li): {@code top} one table of Li,
 *       {@code bottom} the tables of Li+1 it overlaps.
 *   <li>{@code MAX_LEVEL_STALE}: {@code top} one table of Lmax, {@code bottom} the tables
 *       following it in key order that are merged with it; both on Lmax.
 *   <li>{@code DROP_PREFIX} within Li (as Badger): {@code top} empty, {@code bottom} a group of
 *       consecutive tables of Li, rewritten in place.
 * </ul>
 *
 * <p>{@link CompactionStatus} tracks plans by identity: release the very object that was
 * registered.
 *
 * @param kind what the compaction does
 * @param level the level {@code top} comes from
 * @param targetLevel the level {@code bottom} comes from and the output goes to
 * @param top tables leaving {@code level}
 * @param bottom tables of {@code targetLevel} merged with {@code top}
 * @param topRange the keys of {@code top}, registered on {@code level} (infinite for L0→L0)
 * @param bottomRange the keys registered on {@code targetLevel}: those of {@code bottom}, or
 *     {@code topRange} when {@code bottom} is empty; for Lmax→Lmax {@code topRange} extended by
 *     {@code bottom}; empty for L0→L0
 * @param targetFileSize size at which the executor starts a new output table
 * @param score the raw score of {@code level} that led here, or the artificial score of a forced
 *     compaction (Flatten 1.71, compact L0 on close 1.73, drop prefix 1.74)
 * @param adjustedScore the adjusted score of {@code level}; 0 for a forced compaction
 * @param dropPrefixes user-key prefixes whose keys the executor drops; empty unless
 *     {@code DROP_PREFIX}
 */
public record CompactionPlan(CompactionKind kind, int level, int targetLevel,
    List<TableSummary> top, List<TableSummary> bottom, KeyRange topRange, KeyRange bottomRange,
    long targetFileSize, double score, double adjustedScore, List<byte[]> dropPrefixes) {

  /** Copies the lists (and the prefixes) and checks the levels. */
  public CompactionPlan {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(topRange, "topRange");
    Objects.requireNonNull(bottomRange, "bottomRange");
    top = List.copyOf(top);
    bottom = List.copyOf(bottom);
    List<byte[]> prefixes = new ArrayList<>(dropPrefixes.size());
    for (byte[] prefix : dropPrefixes) {
      prefixes.add(prefix.clone());
    }
    dropPrefixes = Collections.unmodifiableList(prefixes);
    if (level < 0 || targetLevel < level) {
      throw new IllegalArgumentException("cannot compact L" + level + " into L" + targetLevel);
    }
    if (targetFileSize <= 0) {
      throw new IllegalArgumentException("target file size must be positive, got "
          + targetFileSize);
    }
  }

  /** The prefixes to drop; the arrays are shared, so callers must not change them. */
  @Override
  public List<byte[]> dropPrefixes() {
    return dropPrefixes;
  }

  /** {@code top} then {@code bottom}. */
  public List<TableSummary> tables() {
    List<TableSummary> all = new ArrayList<>(top.size() + bottom.size());
    all.addAll(top);
    all.addAll(bottom);
    return all;
  }

  /** Bytes of {@code top}: what leaves {@code level}. */
  public long topSize() {
    long sum = 0;
    for (TableSummary table : top) {
      sum += table.size();
    }
    return sum;
  }

  /** E.g. {@code LEVEL0_TO_BASE L0->L6 top=1,2 bottom=10,11}. */
  public String describe() {
    return kind + " L" + level + "->L" + targetLevel + " top=" + ids(top) + " bottom="
        + ids(bottom);
  }

  private static String ids(List<TableSummary> tables) {
    if (tables.isEmpty()) {
      return "-";
    }
    return tables.stream().map(t -> Long.toString(t.id())).collect(Collectors.joining(","));
  }

  @Override
  public String toString() {
    return describe() + " topRange=" + topRange + " bottomRange=" + bottomRange
        + " targetFileSize=" + targetFileSize + " score=" + score + "/" + adjustedScore
        + (dropPrefixes.isEmpty() ? "" : " dropPrefixes=" + dropPrefixes.stream()
            .map(KeyRange::printable).collect(Collectors.joining(",")));
  }
}
