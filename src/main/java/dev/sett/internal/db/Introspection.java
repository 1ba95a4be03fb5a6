package dev.sett.internal.db;

import dev.sett.LevelInfo;
import dev.sett.Options;
import dev.sett.TableInfo;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.lsm.LevelsController;
import dev.sett.internal.lsm.LevelsView;
import dev.sett.internal.sstable.Table;
import java.util.ArrayList;
import java.util.List;

/** Builds the {@link LevelInfo} and {@link TableInfo} pictures of the levels. */
final class Introspection {
  private Introspection() {
  }

  static List<TableInfo> tables(LevelsController levels) {
    List<TableInfo> infos = new ArrayList<>();
    try (LevelsView view = levels.acquire()) {
      List<List<Table>> all = view.levels();
      for (int level = 0; level < all.size(); level++) {
        List<Table> tables = new ArrayList<>(all.get(level));
        tables.sort((a, b) -> Long.compare(a.id(), b.id()));
        for (Table table : tables) {
          infos.add(new TableInfo(table.id(), level, InternalKey.userKey(table.smallestKey()),
              InternalKey.userKey(table.biggestKey()), table.keyCount(), table.onDiskSize(),
              table.staleDataSize(), table.maxVersion(), table.uncompressedSize(),
              table.indexSize(), table.bloomFilterSize()));
        }
      }
    }
    return infos;
  }

  /**
   * Sizes per level. Level 0's score is its table count over {@code numLevelZeroTables} (Badger's
   * rule); the targets and scores of the other levels come with compaction.
   */
  static List<LevelInfo> levels(LevelsController levels, Options options) {
    List<LevelInfo> infos = new ArrayList<>();
    try (LevelsView view = levels.acquire()) {
      List<List<Table>> all = view.levels();
      for (int level = 0; level < all.size(); level++) {
        long size = 0;
        long stale = 0;
        for (Table table : all.get(level)) {
          size += table.onDiskSize();
          stale += table.staleDataSize();
        }
        double score = level == 0 ? (double) all.get(0).size() / options.numLevelZeroTables() : 0;
        long targetFileSize = level == 0 ? options.memTableSize() : options.baseTableSize();
        infos.add(new LevelInfo(level, all.get(level).size(), size, 0, targetFileSize, false,
            score, score, stale));
      }
    }
    return infos;
  }
}
