package dev.sett.internal.lsm;

import dev.sett.internal.fs.RefCounted;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.sstable.Table;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * An immutable picture of which tables live on which level. Readers retain a snapshot for the
 * length of a lookup or an iterator; the snapshot holds a reference on each of its tables, so a
 * table that a compaction or drop replaced stays mapped until the last snapshot that lists it is
 * released (LevelDB's {@code Version}).
 *
 * <p>Level 0 is in age order, oldest first: its tables may overlap and a newer one shadows an
 * older one. Levels 1 and up are sorted by key and do not overlap; all versions of a user key on a
 * level live in one table.
 *
 * <p>Thread-safety: immutable; reference counting is thread-safe.
 */
final class LevelsSnapshot extends RefCounted {
  private final List<List<Table>> levels;

  /** Takes a reference on every table it lists. */
  LevelsSnapshot(List<List<Table>> levels) {
    List<List<Table>> copy = new ArrayList<>(levels.size());
    for (List<Table> level : levels) {
      for (Table table : level) {
        table.retain();
      }
      copy.add(Collections.unmodifiableList(new ArrayList<>(level)));
    }
    this.levels = Collections.unmodifiableList(copy);
  }

  static LevelsSnapshot empty(int maxLevels) {
    List<List<Table>> levels = new ArrayList<>();
    for (int i = 0; i < maxLevels; i++) {
      levels.add(List.of());
    }
    return new LevelsSnapshot(levels);
  }

  int levelCount() {
    return levels.size();
  }

  /** The tables of {@code level}: age order for L0, key order above. */
  List<Table> level(int level) {
    return levels.get(level);
  }

  List<List<Table>> levels() {
    return levels;
  }

  /** A new snapshot with {@code table} appended to L0 as its newest table. */
  LevelsSnapshot withLevel0Table(Table table) {
    List<List<Table>> next = new ArrayList<>(levels);
    List<Table> level0 = new ArrayList<>(levels.get(0));
    level0.add(table);
    next.set(0, level0);
    return new LevelsSnapshot(next);
  }

  /**
   * A new snapshot in which the tables {@code removed} are gone and {@code added} are on
   * {@code targetLevel}. On levels 1 and up the result is sorted by key. On level 0, age order is
   * kept: the added tables (the output of an L0→L0 compaction, which merged a contiguous run of
   * L0) take the place of the first removed one.
   */
  LevelsSnapshot withCompaction(java.util.Set<Long> removed, int targetLevel, List<Table> added) {
    List<List<Table>> next = new ArrayList<>(levels.size());
    for (int level = 0; level < levels.size(); level++) {
      List<Table> tables = new ArrayList<>(levels.get(level).size() + added.size());
      boolean placed = level != targetLevel;
      for (Table table : levels.get(level)) {
        if (removed.contains(table.id())) {
          if (!placed && level == 0) {
            tables.addAll(added);
            placed = true;
          }
          continue;
        }
        tables.add(table);
      }
      if (!placed) {
        tables.addAll(added);
      }
      if (level > 0) {
        tables.sort((a, b) -> InternalKey.compare(a.smallestKey(), b.smallestKey()));
      }
      next.add(tables);
    }
    return new LevelsSnapshot(next);
  }

  /** A new snapshot with every table removed. */
  LevelsSnapshot emptied() {
    return empty(levels.size());
  }

  /**
   * In a sorted level, the only table whose key range may hold {@code userKey}, or null. All
   * versions of a user key live in one table, so comparing user keys is enough.
   */
  static Table findTable(List<Table> sortedLevel, byte[] userKey) {
    int low = 0;
    int high = sortedLevel.size() - 1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      if (sortedLevel.get(mid).compareBiggestUserKey(userKey) < 0) {
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    if (low >= sortedLevel.size()) {
      return null;
    }
    Table candidate = sortedLevel.get(low);
    return candidate.compareSmallestUserKey(userKey) <= 0 ? candidate : null;
  }

  @Override
  protected void deallocate() {
    for (List<Table> level : levels) {
      for (Table table : level) {
        table.release();
      }
    }
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder("LevelsSnapshot[");
    for (int i = 0; i < levels.size(); i++) {
      out.append(i == 0 ? "" : ", ").append("L").append(i).append('=').append(levels.get(i).size());
    }
    return out.append(']').toString();
  }
}
