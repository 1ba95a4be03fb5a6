package dev.sett.regression;

import static org.junit.jupiter.api.Assertions.assertNull;

import dev.sett.DB;
import dev.sett.Options;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A drop's flush wakes a compactor, which registers a plan after pause() saw none in flight. */
class PauseRaceTest {
  @TempDir Path dir;

  static byte[] b(String s) { return s.getBytes(StandardCharsets.UTF_8); }

  Options opts() {
    return Options.builder(dir).memTableSize(1 << 20).baseTableSize(64 << 10)
        .baseLevelSize(64 << 10).blockSize(1024)
        .numLevelZeroTables(1).numLevelZeroTablesStall(8).numCompactors(4).build();
  }

  @Test
  void dropPrefixRacingABackgroundCompaction() throws Exception {
    try (DB db = DB.open(opts())) {
      for (int round = 0; round < 200; round++) {
        int r = round;
        db.update(txn -> {
          for (int i = 0; i < 50; i++) {
            txn.set(b("p-" + r + "-" + i), b("dropped"));
            txn.set(b("q-" + r + "-" + i), b("kept"));
          }
        });
        try { db.dropPrefix(b("p-")); } catch (RuntimeException e) { System.out.println("dropPrefix failed in round " + r + ": " + e); break; }
        for (int i = 0; i < 50; i++) {
          if (db.get(b("p-" + r + "-" + i)) != null) { System.out.println("round " + r + ": dropped key is back"); }
        }
      }
    }
    try (DB db = DB.open(opts())) {
      System.out.println("reopened fine; p-0-0 = " + (db.get(b("p-0-0")) == null ? null : new String(db.get(b("p-0-0")))));
    }
  }
}
