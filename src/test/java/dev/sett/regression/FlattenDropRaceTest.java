package dev.sett.regression;

import static dev.sett.testing.Bytes.bytes;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.DB;
import dev.sett.Options;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No background compactor at all: flatten (outside dropLock) alone races dropAll / dropPrefix. */
class FlattenDropRaceTest {
  @TempDir Path dir;


  @Test
  void flattenRacingDrops() throws Exception {
    Options opts = Options.builder(dir).memTableSize(1 << 20).baseTableSize(16 << 10)
        .baseLevelSize(64 << 10).blockSize(1024).numCompactors(0).build();
    List<Throwable> flattenFailures = new CopyOnWriteArrayList<>();
    AtomicBoolean stop = new AtomicBoolean();
    try (DB db = DB.open(opts)) {
      Thread flattener = new Thread(() -> {
        while (!stop.get()) {
          try {
            db.flatten(2);
          } catch (RuntimeException e) {
            flattenFailures.add(e);
            return;
          }
        }
      }, "flattener");
      flattener.start();
      try {
        for (int round = 0; round < 300; round++) {
          int r = round;
          db.update(txn -> {
            for (int i = 0; i < 300; i++) {
              txn.set(bytes("p-" + r + "-" + i), new byte[40]);
              txn.set(bytes("q-" + r + "-" + i), new byte[40]);
            }
          });
          if (r % 2 == 0) {
            db.dropAll();
          } else {
            db.dropPrefix(bytes("p-"));
          }
          assertNull(db.get(bytes("p-" + r + "-7")), "round " + r + ": a dropped key is back");
        }
      } finally {
        stop.set(true);
        flattener.join();
      }
    }
    assertTrue(flattenFailures.isEmpty(), () -> "flatten failed while drops ran: " + flattenFailures);
  }
}
