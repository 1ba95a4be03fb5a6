package dev.sett.regression;

import static dev.sett.testing.Bytes.bytes;

import dev.sett.DB;
import dev.sett.Options;
import java.nio.file.Path;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DropAllRaceTest {
  @TempDir Path dir;


  @Test
  void dropAllRacingABackgroundCompaction() throws Exception {
    Options opts = Options.builder(dir).memTableSize(1 << 20).baseTableSize(64 << 10)
        .baseLevelSize(64 << 10).blockSize(1024)
        .numLevelZeroTables(1).numLevelZeroTablesStall(8).numCompactors(4).build();
    int resurrected = 0;
    try (DB db = DB.open(opts)) {
      for (int round = 0; round < 200; round++) {
        int r = round;
        db.update(txn -> { for (int i = 0; i < 200; i++) txn.set(bytes("k-" + r + "-" + i), new byte[64]); });
        db.dropAll();
        Thread.sleep(5);
        if (db.get(bytes("k-" + r + "-0")) != null) {
          resurrected++;
          System.out.println("round " + r + ": key written before dropAll is back");
        }
      }
    }
    Assertions.assertEquals(0, resurrected);
  }
}
