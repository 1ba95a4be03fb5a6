package dev.sett.internal.lsm;

import dev.sett.internal.sstable.Table;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a compaction produced: the new tables, open and synced but recorded nowhere yet, and
 * counters for metrics and logs.
 *
 * @param tables the new tables, sorted by key and non-overlapping, all versions of a user key in
 *     one table; each opened with one reference, which the caller owns and must release
 * @param bytesRead on-disk bytes of the input tables that were read
 * @param bytesWritten on-disk bytes of {@code tables}
 * @param entriesRead entries the merged inputs yielded (a version present in several inputs
 *     counts once: the newest source's copy hides the others)
 * @param entriesWritten entries written to {@code tables}
 * @param entriesDropped entries read but left out: dropped prefixes, versions no reader needs,
 *     tombstones and expired versions with nothing left to hide
 * @param valueLogDiscards value log garbage by file id: record bytes of the value pointers dropped
 */
public record CompactionOutput(List<Table> tables, long bytesRead, long bytesWritten,
    long entriesRead, long entriesWritten, long entriesDropped, Map<Long, Long> valueLogDiscards) {

  /** Copies {@code tables} and {@code valueLogDiscards}. */
  public CompactionOutput {
    tables = List.copyOf(Objects.requireNonNull(tables, "tables"));
    valueLogDiscards = Map.copyOf(Objects.requireNonNull(valueLogDiscards, "valueLogDiscards"));
  }
}
