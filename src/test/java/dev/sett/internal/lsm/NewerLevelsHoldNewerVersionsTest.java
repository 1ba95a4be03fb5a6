package dev.sett.internal.lsm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.DB;
import dev.sett.Options;
import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValueIterator;
import dev.sett.internal.manifest.Manifest;
import dev.sett.internal.sstable.BlockCache;
import dev.sett.internal.sstable.Table;
import dev.sett.internal.sstable.TableOptions;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guarantee that lets a point lookup stop at its first hit (docs/architecture.md): after any
 * amount of flushing and compaction, every version of a key in a newer source (L0 newer table, or
 * a smaller level number) is newer than every version of that key in an older source.
 */
class NewerLevelsHoldNewerVersionsTest {
  @TempDir
  Path dir;

  @Test
  void everyVersionInANewerSourceIsNewerThanAnyInAnOlderOne() throws Exception {
    long seed = new Random().nextLong();
    System.out.println("NewerLevelsHoldNewerVersionsTest seed " + seed);
    Random random = new Random(seed);
    Options options = Options.builder(dir).memTableSize(256 << 10).baseTableSize(64 << 10)
        .baseLevelSize(256 << 10).numLevelZeroTables(2).numLevelZeroTablesStall(6)
        .numVersionsToKeep(3).numCompactors(2).build();
    try (DB db = DB.open(options)) {
      for (int batch = 0; batch < 150; batch++) {
        db.update(txn -> {
          for (int i = 0; i < 50; i++) {
            txn.set(ByteBuffer.allocate(4).putInt(random.nextInt(3000)).array(), new byte[100]);
          }
        });
      }
    }
    try (Manifest manifest = Manifest.open(FileSystem.defaultFileSystem(), dir, 0, true);
        LevelsController levels = LevelsController.open(FileSystem.defaultFileSystem(), dir, manifest,
            TableOptions.defaults(), BlockCache.disabled(), TestLevelsOptions.withoutCompaction(), true);
        LevelsView view = levels.acquire()) {
      // Sources newest first: L0 newest to oldest, then L1, L2, ...
      List<List<Table>> all = view.levels();
      java.util.ArrayList<Table> sources = new java.util.ArrayList<>();
      for (int i = all.get(0).size() - 1; i >= 0; i--) {
        sources.add(all.get(0).get(i));
      }
      for (int level = 1; level < all.size(); level++) {
        sources.addAll(all.get(level));
      }
      // Walking from the newest source down, a key's versions must keep decreasing.
      Map<String, Long> oldestSeen = new HashMap<>();
      Map<String, Integer> seenInSource = new HashMap<>();
      int sourceIndex = 0;
      for (int level = 0; level < all.size(); level++) {
        List<Table> ordered = level == 0 ? sources.subList(0, all.get(0).size()) : all.get(level);
        for (Table table : ordered) {
          int source = level == 0 ? sourceIndex++ : 1000 + level; // a whole sorted level is one source
          Map<String, Long> newestHere = new HashMap<>();
          try (KeyValueIterator it = table.iterator(false)) {
            for (it.rewind(); it.valid(); it.next()) {
              String key = java.util.HexFormat.of().formatHex(InternalKey.userKey(it.key()));
              long version = InternalKey.version(it.key());
              newestHere.merge(key, version, Math::max);
            }
          }
          for (Map.Entry<String, Long> entry : newestHere.entrySet()) {
            Long older = oldestSeen.get(entry.getKey());
            Integer from = seenInSource.get(entry.getKey());
            assertTrue(older == null || from == source || entry.getValue() < older,
                "key " + entry.getKey() + " has version " + entry.getValue() + " in an older source than "
                    + older + "; seed " + seed);
          }
          try (KeyValueIterator it = table.iterator(false)) {
            for (it.rewind(); it.valid(); it.next()) {
              String key = java.util.HexFormat.of().formatHex(InternalKey.userKey(it.key()));
              oldestSeen.merge(key, InternalKey.version(it.key()), Math::min);
              seenInSource.put(key, source);
            }
          }
        }
      }
    }
  }
}
