package dev.sett.internal.manifest;

import static dev.sett.internal.manifest.Manifest.changeSet;
import static dev.sett.internal.manifest.Manifest.createTable;
import static dev.sett.internal.manifest.Manifest.deleteTable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.fs.FaultInjectingFileSystem;
import dev.sett.internal.fs.FaultInjectingFileSystem.Call;
import dev.sett.internal.fs.FileSystem;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Badger's regression for a past race: several compactors apply change sets while fsync is slow.
 * The file system here sleeps in every sync and counts writers inside a write or sync at once.
 */
class ManifestConcurrencyTest {
  private static final int THREADS = 4;
  private static final int STEPS = 20;

  @TempDir
  Path dir;

  @Test
  void concurrentAppliesWithASlowSyncNeverInterleave() throws Exception {
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger mostInside = new AtomicInteger();
    AtomicInteger syncs = new AtomicInteger();
    // Every sync sleeps; the hooks count the threads inside a write or a sync at once.
    FileSystem slowSync = new FaultInjectingFileSystem(FileSystem.defaultFileSystem())
        .before(Call.WRITE, (path, length) ->
            mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max))
        .after(Call.WRITE, (path, length) -> inside.decrementAndGet())
        .before(Call.SYNC, (path, unused) -> {
          mostInside.accumulateAndGet(inside.incrementAndGet(), Math::max);
          try {
            Thread.sleep(1);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted in a slow sync");
          }
        })
        .after(Call.SYNC, (path, unused) -> {
          syncs.incrementAndGet();
          inside.decrementAndGet();
        });

    // Threshold 5 makes the runs rewrite the log too, while other threads wait to append.
    Map<Long, TableManifest> expected = new HashMap<>();
    try (Manifest manifest = Manifest.open(slowSync, dir, 0, false, 5)) {
      CyclicBarrier start = new CyclicBarrier(THREADS);
      ExecutorService compactors = Executors.newFixedThreadPool(THREADS);
      try {
        List<Future<TableManifest>> lastTables = new ArrayList<>();
        for (int thread = 0; thread < THREADS; thread++) {
          int level = thread;
          lastTables.add(compactors.submit(() -> {
            start.await();
            long base = 1000L * (level + 1);
            manifest.apply(changeSet(createTable(base, level, 1, 0)));
            for (long step = 1; step < STEPS; step++) {
              manifest.apply(changeSet(
                  createTable(base + step, level, 1, 0), deleteTable(base + step - 1)));
            }
            return new TableManifest(base + STEPS - 1, level, 1, 0);
          }));
        }
        for (Future<TableManifest> last : lastTables) {
          TableManifest table = last.get(30, TimeUnit.SECONDS);
          expected.put(table.id(), table);
        }
      } finally {
        compactors.shutdown();
        assertTrue(compactors.awaitTermination(30, TimeUnit.SECONDS));
      }
      assertEquals(expected, manifest.tables());
      assertTrue(manifest.deletions() < THREADS * (STEPS - 1), "the log was rewritten");
    }
    assertEquals(1, mostInside.get(), "writes and syncs of different change sets overlapped");
    assertTrue(syncs.get() >= THREADS * STEPS);
    try (Manifest reopened = Manifest.open(FileSystem.defaultFileSystem(), dir, 0, true)) {
      assertEquals(expected, reopened.tables());
      assertEquals(1000L * THREADS + STEPS, reopened.nextTableId());
    }
  }
}
