package dev.sett.regression;

import dev.sett.DB;
import dev.sett.Options;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CloseDuringFlattenTest {
  @TempDir Path dir;

  Set<String> tables() throws Exception {
    try (var s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sst")).collect(Collectors.toSet());
    }
  }

  @Test
  void closeReturnsWhileFlattenStillRuns() throws Exception {
    Options opts = Options.builder(dir).memTableSize(4 << 20).baseTableSize(256 << 10)
        .baseLevelSize(1 << 20).numCompactors(0).compression(dev.sett.Compression.NONE).build();
    DB db = DB.open(opts);
    Random r = new Random(3);
    for (int batch = 0; batch < 300; batch++) {
      db.update(txn -> { for (int i = 0; i < 200; i++) { byte[] k = new byte[16]; r.nextBytes(k); byte[] v = new byte[500]; r.nextBytes(v); txn.set(k, v); } });
    }
    Thread flattener = new Thread(() -> {
      try { db.flatten(1); System.out.println("flatten returned normally"); }
      catch (Throwable e) { System.out.println("flatten threw " + e); }
    });
    flattener.start();
    Thread.sleep(300);
    db.close();
    Set<String> atClose = tables();
    // close() waits for a running flatten to stop; the flattener thread itself may still be on its
    // way out of flatten() (printing), so what must hold is that flatten did nothing after close.
    flattener.join(10_000);
    Assertions.assertFalse(flattener.isAlive(), "flatten still runs 10 s after close() returned");
    Set<String> later = tables();
    later.removeAll(atClose);
    Assertions.assertEquals(Set.of(), later, "table files created after close() returned");
  }
}
