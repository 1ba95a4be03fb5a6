package dev.sett.regression;

import static dev.sett.testing.Bytes.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sett.DB;
import dev.sett.LevelInfo;
import dev.sett.Options;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** L0 compacts into a base level that lies BELOW a non-empty level holding older versions. */
class BaseLevelSkipTest {
  @TempDir Path dir;


  Options opts() {
    return Options.builder(dir).maxLevels(3).memTableSize(1 << 20).baseTableSize(64 << 10)
        .baseLevelSize(64 << 10).levelSizeMultiplier(4).blockSize(1024)
        .numLevelZeroTables(1).numLevelZeroTablesStall(8).numCompactors(2).build();
  }

  static void awaitL0Empty(DB db) throws Exception {
    for (int i = 0; i < 500 && db.levels().get(0).numTables() > 0; i++) Thread.sleep(20);
  }

  static void dump(String when, DB db) {
    StringBuilder s = new StringBuilder(when + ":");
    for (LevelInfo l : db.levels()) s.append(" L").append(l.level()).append('=').append(l.numTables())
        .append('/').append(l.size()).append(l.isBaseLevel() ? "*" : "");
    System.out.println(s);
  }

  @Test
  void newerVersionCompactedBelowAnOlderOne() throws Exception {
    try (DB db = DB.open(opts())) {
      java.util.Random r = new java.util.Random(1);
      for (int batch = 0; batch < 40; batch++) {
        int from = batch;
        db.update(txn -> { for (int i = 0; i < 100; i++) { byte[] v = new byte[200]; r.nextBytes(v); txn.set(bytes("b" + from + "-" + i), v); } });
      }
      db.put(bytes("k"), bytes("v1"));
      db.flatten(1);                      // everything in L2; L2 > baseLevelSize, so base = L1
      dump("after flatten", db);
    }
    try (DB db = DB.open(opts())) {       // (reopen = flush without a drop; avoids the pause race)
      db.put(bytes("k"), bytes("v2"));
    }
    try (DB db = DB.open(opts())) {
      awaitL0Empty(db);                   // L0 -> L1: k=v2 now in L1
      dump("after v2", db);
      db.dropPrefix(bytes("b"));              // L2 shrinks to ~nothing: base moves down to L2
      dump("after dropPrefix b", db);
      db.put(bytes("k"), bytes("v3"));
    }
    try (DB db = DB.open(opts())) {
      awaitL0Empty(db);                   // L0 -> base (L2), below L1 that still holds k=v2
      dump("after v3", db);
      assertEquals("v3", new String(db.get(bytes("k")), StandardCharsets.UTF_8));
    }
  }
  @Test
  void deletedKeyComesBack() throws Exception {
    try (DB db = DB.open(opts())) {
      java.util.Random r = new java.util.Random(1);
      for (int batch = 0; batch < 40; batch++) {
        int from = batch;
        db.update(txn -> { for (int i = 0; i < 100; i++) { byte[] v = new byte[200]; r.nextBytes(v); txn.set(bytes("b" + from + "-" + i), v); } });
      }
      db.put(bytes("k"), bytes("v1"));
      db.flatten(1);                      // everything in L2; L2 > baseLevelSize, so base = L1
      dump("after flatten", db);
    }
    try (DB db = DB.open(opts())) {       // (reopen = flush without a drop; avoids the pause race)
      db.put(bytes("k"), bytes("v2"));
    }
    try (DB db = DB.open(opts())) {
      awaitL0Empty(db);                   // L0 -> L1: k=v2 now in L1
      dump("after v2", db);
      db.dropPrefix(bytes("b"));              // L2 shrinks to ~nothing: base moves down to L2
      dump("after dropPrefix b", db);
      db.delete(bytes("k"));
    }
    try (DB db = DB.open(opts())) {
      awaitL0Empty(db);                   // L0 -> base (L2), below L1 that still holds k=v2
      dump("after v3", db);
      byte[] got = db.get(bytes("k"));
      int[] seen = {0};
      db.view(txn -> { try (var it = txn.newIterator(dev.sett.IteratorOptions.DEFAULT)) { for (it.rewind(); it.valid(); it.next()) seen[0]++; } });
      System.out.println("get(k) after delete = " + (got == null ? null : new String(got)) + ", iterator sees " + seen[0] + " keys");
      org.junit.jupiter.api.Assertions.assertNull(got);
    }
  }
}
