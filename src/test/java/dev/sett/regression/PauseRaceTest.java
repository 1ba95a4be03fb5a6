package dev.sett.regression;

import static dev.sett.testing.Bytes.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.sett.DB;
import dev.sett.Options;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A drop's flush wakes a compactor, which registers a plan after pause() saw none in flight. */
class PauseRaceTest {
  private static final int ROUNDS = 200;
  private static final int KEYS = 50;

  @TempDir Path dir;


  Options opts() {
    return Options.builder(dir).memTableSize(1 << 20).baseTableSize(64 << 10)
        .baseLevelSize(64 << 10).blockSize(1024)
        .numLevelZeroTables(1).numLevelZeroTablesStall(8).numCompactors(4).build();
  }

  @Test
  void dropPrefixRacingABackgroundCompaction() {
    try (DB db = DB.open(opts())) {
      for (int round = 0; round < ROUNDS; round++) {
        int r = round;
        db.update(txn -> {
          for (int i = 0; i < KEYS; i++) {
            txn.set(bytes("p-" + r + "-" + i), bytes("dropped"));
            txn.set(bytes("q-" + r + "-" + i), bytes("kept"));
          }
        });
        db.dropPrefix(bytes("p-")); // throws, failing the test, if it loses the race
        for (int i = 0; i < KEYS; i++) {
          assertNull(db.get(bytes("p-" + r + "-" + i)), "round " + r + ": a dropped key is back");
        }
      }
    }
    try (DB db = DB.open(opts())) {
      for (int r = 0; r < ROUNDS; r++) {
        for (int i = 0; i < KEYS; i++) {
          assertNull(db.get(bytes("p-" + r + "-" + i)), "after reopen: p-" + r + "-" + i + " is back");
          assertArrayEquals(bytes("kept"), db.get(bytes("q-" + r + "-" + i)), "after reopen: q-" + r + "-" + i);
        }
      }
    }
  }
}
