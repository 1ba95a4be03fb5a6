package dev.sett.internal.lsm;

import dev.sett.internal.sstable.Table;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * What compactions need of the tree of levels, and nothing more: a snapshot to plan from, the
 * summaries the policy reads, and the one edit they make.
 */
interface CompactionTarget {
  /** The current levels, pinned until the view is closed. */
  LevelsView acquire();

  /** Per level, the summaries of {@code view}'s tables, as the compaction policy reads them. */
  List<List<TableSummary>> summaries(LevelsView view);

  /**
   * Replaces {@code inputs} with {@code added} in one MANIFEST edit that also records the value
   * log garbage the compaction found; takes over the references to {@code added}.
   */
  void applyCompaction(CompactionPlan plan, List<Table> inputs, List<Table> added,
      Map<Long, Long> valueLogDiscards) throws IOException;

  /** The newest table id handed out so far. */
  long lastTableId();
}
