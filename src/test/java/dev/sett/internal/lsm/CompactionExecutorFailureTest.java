package dev.sett.internal.lsm;

import static dev.sett.internal.lsm.CompactionFixture.NOW_SECONDS;
import static dev.sett.internal.lsm.CompactionFixture.input;
import static dev.sett.internal.lsm.CompactionFixture.put;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.fs.CorruptFileException;
import dev.sett.internal.fs.FaultInjectingFileSystem;
import dev.sett.internal.fs.FaultInjectingFileSystem.Call;
import dev.sett.internal.fs.InMemoryFileSystem;
import dev.sett.internal.lsm.CompactionFixture.Version;
import dev.sett.internal.sstable.Table;
import dev.sett.internal.sstable.TableOptions;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** A failed run leaves no file behind, releases what it opened and rethrows the first failure. */
class CompactionExecutorFailureTest {

  /**
   * The faults these tests arm on an in-memory {@link FaultInjectingFileSystem}: chosen operations
   * fail on chosen files, and the mappings released are noted.
   */
  static final class Faults {
    volatile Predicate<Path> failWrite = path -> false;
    volatile Predicate<Path> failFirstDelete = path -> false;
    volatile Predicate<Path> failMap = path -> false;
    volatile boolean failDirectorySync;
    volatile long createDelayMillis;
    final AtomicInteger created = new AtomicInteger();
    final Set<Path> failedDeletes = ConcurrentHashMap.newKeySet();
    final Set<Path> releasedMappings = ConcurrentHashMap.newKeySet();
    final FaultInjectingFileSystem fileSystem = new FaultInjectingFileSystem(new InMemoryFileSystem())
        .before(Call.CREATE_FILE, (path, unused) -> {
          created.incrementAndGet();
          sleep(createDelayMillis);
        })
        .after(Call.WRITE, (path, length) -> {
          if (failWrite.test(path)) {
            throw new IOException("injected write failure: " + path);
          }
        })
        .before(Call.DELETE, (path, unused) -> {
          if (failFirstDelete.test(path) && failedDeletes.add(path)) {
            throw new IOException("injected delete failure: " + path);
          }
        })
        .before(Call.MAP, (path, unused) -> {
          if (failMap.test(path)) {
            throw new IOException("injected map failure: " + path);
          }
        })
        .onMapped(mapping -> mapping.runAfterRelease(() -> releasedMappings.add(mapping.path())))
        .before(Call.SYNC_DIRECTORY, (dir, unused) -> {
          if (failDirectorySync) {
            throw new IOException("injected directory sync failure: " + dir);
          }
        });

    private static void sleep(long millis) {
      if (millis <= 0) {
        return;
      }
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Test
  void aFailedSecondOutputWriteLeavesNoOutputFileAndIsRethrown() throws IOException {
    Faults faults = new Faults();
    try (CompactionFixture fixture = new CompactionFixture(faults.fileSystem, TableOptions.defaults())) {
      CompactionInput input = manyTablesInput(fixture);
      List<String> before = fixture.files();
      Path second = fixture.tablePath(fixture.nextTableId.get() + 1);
      faults.failWrite = second::equals;
      IOException failure = assertThrows(IOException.class, () -> fixture.run(input));
      assertEquals("injected write failure: " + second, failure.getMessage());
      assertEquals(before, fixture.files());
      assertTrue(faults.created.get() >= before.size() + 2);
    }
  }

  @Test
  void aHalfWrittenOutputIsDeletedEvenWhenTheBuilderCouldNotDeleteIt() throws IOException {
    Faults faults = new Faults();
    try (CompactionFixture fixture = new CompactionFixture(faults.fileSystem, TableOptions.defaults())) {
      CompactionInput input = manyTablesInput(fixture);
      List<String> before = fixture.files();
      Path second = fixture.tablePath(fixture.nextTableId.get() + 1);
      faults.failWrite = second::equals;
      faults.failFirstDelete = second::equals;
      IOException failure = assertThrows(IOException.class, () -> fixture.run(input));
      assertEquals("injected write failure: " + second, failure.getMessage());
      assertEquals(Set.of(second), faults.failedDeletes, "the builder's own cleanup failed");
      assertEquals(before, fixture.files());
    }
  }

  @Test
  void aFailedOpenReleasesTheOpenedOutputsAndDeletesAll() throws IOException {
    Faults faults = new Faults();
    try (CompactionFixture fixture = new CompactionFixture(faults.fileSystem, TableOptions.defaults())) {
      CompactionInput input = manyTablesInput(fixture);
      List<String> before = fixture.files();
      long firstId = fixture.nextTableId.get();
      Path first = fixture.tablePath(firstId);
      Path second = fixture.tablePath(firstId + 1);
      faults.failMap = second::equals;
      IOException failure = assertThrows(IOException.class, () -> fixture.run(input));
      assertEquals("injected map failure: " + second, failure.getMessage());
      assertTrue(faults.releasedMappings.contains(first), "the first output was released");
      assertEquals(before, fixture.files());
    }
  }

  @Test
  void aFailedDirectorySyncDeletesEveryOutput() throws IOException {
    Faults faults = new Faults();
    try (CompactionFixture fixture = new CompactionFixture(faults.fileSystem, TableOptions.defaults())) {
      CompactionInput input = manyTablesInput(fixture);
      List<String> before = fixture.files();
      faults.failDirectorySync = true;
      assertThrows(IOException.class, () -> fixture.run(input));
      assertEquals(before, fixture.files());
    }
  }

  @Test
  void aCorruptInputFailsTheRunAfterEverySplitFinished() throws Exception {
    Faults faults = new Faults();
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try (CompactionFixture fixture = new CompactionFixture(faults.fileSystem, TableOptions.defaults())) {
      List<Table> bottom = new ArrayList<>();
      for (int table = 0; table < 12; table++) {
        String key = String.format("k%02d", table);
        bottom.add(table == 1
            ? fixture.tableWithDamagedBlock("damaged", put(key, 1, "damaged"))
            : fixture.table(put(key, 1)));
      }
      Table top = fixture.table(put("k00", 2), put("k05", 2), put("k11", 2));
      List<String> before = fixture.files();
      // The first split fails at once; the three others are still writing when it does.
      faults.createDelayMillis = 100;
      CompactionExecutor executor = fixture.executor(threads);
      assertThrows(CorruptFileException.class,
          () -> fixture.run(executor, input(1, 2, List.of(top), bottom, false, 10, 1)));
      assertEquals(before, fixture.files());
      Thread.sleep(300);
      assertEquals(before, fixture.files(), "no split wrote after the run returned");
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void aRejectedSplitFailsTheRunAndTheAcceptedOnesAreCleanedUp() throws IOException {
    try (CompactionFixture fixture = new CompactionFixture()) {
      List<Table> bottom = new ArrayList<>();
      for (int table = 0; table < 12; table++) {
        bottom.add(fixture.table(put(String.format("k%02d", table), 1)));
      }
      List<String> before = fixture.files();
      AtomicInteger accepted = new AtomicInteger();
      CompactionExecutor executor = fixture.executor(task -> {
        if (accepted.incrementAndGet() > 2) {
          throw new RejectedExecutionException("pool is shutting down");
        }
        task.run();
      });
      RejectedExecutionException failure = assertThrows(RejectedExecutionException.class,
          () -> fixture.run(executor, input(1, 2, List.of(), bottom, false, 10, 1)));
      assertEquals("pool is shutting down", failure.getMessage());
      assertEquals(before, fixture.files());
    }
  }

  @Test
  void aFileAlreadyAtAnOutputPathIsNeverDeleted() throws IOException {
    try (CompactionFixture fixture = new CompactionFixture()) {
      CompactionInput input = manyTablesInput(fixture);
      fixture.nextTableId.set(100);
      Table squatter = fixture.table(put("someone else's", 1));
      fixture.nextTableId.set(99); // the first output is table 99, the second collides
      List<String> before = fixture.files();
      assertThrows(FileAlreadyExistsException.class, () -> fixture.run(input));
      assertEquals(before, fixture.files());
      assertEquals(List.of(put("someone else's", 1)), CompactionFixture.read(List.of(squatter)));
    }
  }

  @Test
  void anInterruptBeforeTheRunDoesNotStopItAndIsKept() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try (CompactionFixture fixture = new CompactionFixture()) {
      CompactionInput input = manyTablesInput(fixture);
      Thread.currentThread().interrupt();
      CompactionOutput output = fixture.run(fixture.executor(threads), input);
      assertTrue(Thread.interrupted(), "the interrupt is kept for the caller");
      assertEquals(300, output.entriesWritten());
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void anInterruptWhileWaitingForSplitsDoesNotAbandonThem() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(2);
    Thread caller = Thread.currentThread();
    try (CompactionFixture fixture = new CompactionFixture()) {
      CompactionInput input = manyTablesInput(fixture);
      CompactionExecutor executor = fixture.executor(task -> threads.execute(() -> {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (caller.getState() != Thread.State.WAITING && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
        caller.interrupt(); // the caller waits for this split: interrupt it there
        task.run();
      }));
      CompactionOutput output = fixture.run(executor, input);
      assertTrue(Thread.interrupted(), "the interrupt is kept for the caller");
      assertEquals(300, output.entriesWritten());
      assertEquals(300, CompactionFixture.read(output.tables()).size());
    } finally {
      Thread.interrupted();
      threads.shutdownNow();
    }
  }

  /** One top table whose compaction makes several small output tables. */
  private static CompactionInput manyTablesInput(CompactionFixture fixture) throws IOException {
    List<Version> versions = new ArrayList<>();
    for (int key = 0; key < 300; key++) {
      versions.add(put(String.format("key%03d", key), 1, "value-" + key));
    }
    Table top = fixture.table(versions);
    return new CompactionInput(0, 1, List.of(top), List.of(), List.of(), false, 10, 1, 1024,
        List.of(), NOW_SECONDS);
  }
}
