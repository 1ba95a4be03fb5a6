package dev.sett.internal.vlog;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Which value log files garbage collection tries, and in what order: a pure function of the files,
 * their garbage counts (exact, from the MANIFEST's discard statistics) and the files a reader
 * pinned before. The mechanism that scans and rewrites a file lives in {@code internal.db}.
 */
public final class GcCandidates {
  private GcCandidates() {}

  /** A file as GC sees it: its size, how many of its payload bytes are garbage, whether active. */
  public record FileGarbage(long fileId, long size, long garbageBytes, boolean active) {
    /** The share of the file's payload (after its header) that is garbage, at most 1. */
    public double share() {
      long payload = size - ValueLogFormat.HEADER_LENGTH;
      return payload <= 0 ? 0 : Math.min(1.0, (double) garbageBytes / payload);
    }
  }

  /**
   * A file passed over because a reader pinned one of its records, with the discard timestamp and
   * the garbage count of that moment: it is not worth scanning again until one of them changes.
   */
  public record PassedOver(long discardTs, long garbageBytes) {}

  /**
   * The files to try: sealed files at or above the ratio, most garbage by share first (ties by
   * id); and, when no sealed file qualifies but the active one does, the active file, which the
   * caller seals before it can be collected.
   */
  public record Choice(List<Long> sealed, OptionalLong activeToSeal) {
    public Choice {
      sealed = List.copyOf(sealed);
    }
  }

  public static Choice choose(List<FileGarbage> files, double discardRatio, long discardTs,
      Map<Long, PassedOver> passedOver) {
    List<FileGarbage> qualifying = new ArrayList<>();
    OptionalLong active = OptionalLong.empty();
    for (FileGarbage file : files) {
      double share = file.share();
      if (share == 0 || share < discardRatio) {
        continue;
      }
      PassedOver pinned = passedOver.get(file.fileId());
      if (pinned != null && pinned.equals(new PassedOver(discardTs, file.garbageBytes()))) {
        continue; // nothing changed since a reader pinned it
      }
      if (file.active()) {
        active = OptionalLong.of(file.fileId());
      } else {
        qualifying.add(file);
      }
    }
    qualifying.sort(Comparator.comparingDouble(FileGarbage::share).reversed()
        .thenComparingLong(FileGarbage::fileId));
    List<Long> ids = qualifying.stream().map(FileGarbage::fileId).toList();
    return new Choice(ids, ids.isEmpty() ? active : OptionalLong.empty());
  }
}
