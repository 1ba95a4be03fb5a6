package dev.sett.internal.lsm;

import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.Meta;
import dev.sett.internal.lsm.CompactionFixture.Version;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * A straightforward reference implementation of a compaction's result (reference §7.6): merge
 * every source into one sorted map, newest source winning, then walk each user key's versions,
 * newest first, and stop at the first version that ends the key. No splits, no table cuts.
 */
final class CompactionModel {

  /** The versions a compaction keeps, in order, and the bytes its tables count as stale. */
  record Result(List<Version> versions, long staleBytes) {
  }

  private CompactionModel() {
  }

  /** {@code sources} newest first; the bottom level is the last source. */
  static Result compact(List<List<Version>> sources, long discardTs, int numVersionsToKeep,
      boolean dataMayExistBelow, List<String> dropPrefixes, long nowSeconds) {
    TreeMap<byte[], Version> merged = new TreeMap<>(InternalKey::compare);
    for (List<Version> source : sources) {
      for (Version version : source) {
        merged.putIfAbsent(version.internalKey(), version);
      }
    }
    List<Version> kept = new ArrayList<>();
    long staleBytes = 0;
    List<Version> versionsOfKey = new ArrayList<>();
    for (Version version : merged.values()) {
      if (!versionsOfKey.isEmpty() && !versionsOfKey.get(0).key().equals(version.key())) {
        staleBytes += keep(versionsOfKey, discardTs, numVersionsToKeep, dataMayExistBelow,
            dropPrefixes, nowSeconds, kept);
        versionsOfKey.clear();
      }
      versionsOfKey.add(version);
    }
    if (!versionsOfKey.isEmpty()) {
      staleBytes += keep(versionsOfKey, discardTs, numVersionsToKeep, dataMayExistBelow,
          dropPrefixes, nowSeconds, kept);
    }
    return new Result(kept, staleBytes);
  }

  /** Adds the kept versions of one key (newest first) to {@code kept}; returns stale bytes. */
  private static long keep(List<Version> newestFirst, long discardTs, int numVersionsToKeep,
      boolean dataMayExistBelow, List<String> dropPrefixes, long nowSeconds, List<Version> kept) {
    String key = newestFirst.get(0).key();
    if (dropPrefixes.stream().anyMatch(key::startsWith)) {
      return 0;
    }
    boolean newestDiscardsEarlier = newestFirst.get(0).has(Meta.DISCARD_EARLIER_VERSIONS);
    long staleBytes = 0;
    int counted = 0;
    for (Version version : newestFirst) {
      boolean gone = version.has(Meta.DELETE)
          || (version.expiresAt() != 0 && version.expiresAt() <= nowSeconds);
      boolean stale = newestDiscardsEarlier || gone;
      boolean visibleToAll = Long.compareUnsigned(version.version(), discardTs) <= 0;
      if (!visibleToAll || version.has(Meta.MERGE_ENTRY)) {
        kept.add(version);
        staleBytes += stale ? version.staleBytes() : 0;
        continue;
      }
      counted++;
      if (gone) {
        if (dataMayExistBelow) {
          kept.add(version);
          staleBytes += version.staleBytes();
        }
        break;
      }
      kept.add(version);
      staleBytes += stale ? version.staleBytes() : 0;
      if (version.has(Meta.DISCARD_EARLIER_VERSIONS) || counted == numVersionsToKeep) {
        break;
      }
    }
    return staleBytes;
  }
}
