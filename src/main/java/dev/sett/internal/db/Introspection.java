package dev.sett.internal.db;

import dev.sett.LevelInfo;
import dev.sett.TableInfo;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.lsm.LevelStatus;
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

  /** Sizes, targets and compaction scores per level. */
  static List<LevelInfo> levels(LevelsController levels) {
    List<LevelInfo> infos = new ArrayList<>();
    for (LevelStatus level : levels.levelStatus()) {
      infos.add(new LevelInfo(level.level(), level.numTables(), level.size(), level.targetSize(),
          level.targetFileSize(), level.isBaseLevel(), level.score(), level.adjustedScore(),
          level.staleDataSize()));
    }
    return infos;
  }
}
