package dev.sett.reliability;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.DB;
import dev.sett.Options;
import dev.sett.SettException;
import dev.sett.internal.db.FaultyStores;
import dev.sett.internal.fs.FaultInjectingFileSystem;
import dev.sett.internal.fs.FaultInjectingFileSystem.Op;
import dev.sett.internal.fs.InMemoryFileSystem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Regression (found by {@link PowerLossTest}): when every compaction fails, L0 fills up, the
 * flush stalls waiting for room that never comes, the memtables fill, and commits used to wait
 * forever. They must fail instead, with the compaction's IOException as the cause.
 */
class PersistentCompactionFailureTest {
  @Test
  void commitsFailInsteadOfHangingWhenCompactionKeepsFailing() {
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(new InMemoryFileSystem());
    // Only compactions fail: the flusher may still write its L0 tables.
    fs.onlyFor(path -> path.toString().endsWith(".sst")
        && !Thread.currentThread().getName().contains("flusher")).failFromNth(Op.CREATE, 1);
    Options options = Options.builder(Path.of("/stuck/store")).memTableSize(64 << 10)
        .numMemtables(1).numLevelZeroTables(1).numLevelZeroTablesStall(2).build();
    DB db = FaultyStores.open(options, fs);
    SettException failure = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
      for (long i = 0; ; i++) {
        try {
          db.put(String.format("key%08d", i).getBytes(StandardCharsets.UTF_8), new byte[500]);
        } catch (SettException e) {
          return e;
        }
      }
    }, "commits hang while L0 is full and compaction keeps failing");
    boolean injected = false;
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      injected |= cause instanceof IOException && String.valueOf(cause.getMessage())
          .contains("injected fault");
    }
    assertTrue(injected, "the compaction's IOException is not the cause: " + failure);
    fs.clearFaults();
    try {
      db.close();
    } catch (SettException expected) {
      // the store is stopped by the error
    }
    try (DB reopened = FaultyStores.open(options, fs)) {
      reopened.verifyChecksum();
    }
  }
}
