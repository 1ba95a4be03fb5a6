package dev.sett.internal.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.DbClosedException;
import dev.sett.SettException;
import dev.sett.internal.fs.FaultInjectingFileSystem;
import dev.sett.internal.fs.FaultInjectingFileSystem.Call;
import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValue;
import dev.sett.internal.key.ValueStruct;
import dev.sett.internal.lsm.LevelsController;
import dev.sett.internal.lsm.TestLevelsOptions;
import dev.sett.internal.manifest.Manifest;
import dev.sett.internal.memtable.Memtable;
import dev.sett.internal.memtable.MemtableOptions;
import dev.sett.internal.memtable.OpenedMemtables;
import dev.sett.internal.sstable.BlockCache;
import dev.sett.internal.sstable.TableOptions;
import dev.sett.internal.txn.Oracle;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write pipeline: committers that write their own commits, group commit under contention, and
 * what a failed commit may and may not leave behind.
 */
class WritePipelineTest {

  @RegisterExtension
  final OpenedMemtables openedMemtables = new OpenedMemtables();
  private static final ValueSeparation NO_VALUE_LOG =
      new ValueSeparation(null, new ValueThreshold(1024, 1024, 0));

  @TempDir
  Path dir;

  /** The real disk, whose file syncs fail while {@code failSync} is set. */
  private static FaultInjectingFileSystem failingSyncs(AtomicBoolean failSync) {
    return new FaultInjectingFileSystem(FileSystem.defaultFileSystem())
        .before(Call.SYNC, (path, unused) -> {
          if (failSync.get()) {
            throw new IOException("injected fsync failure");
          }
        });
  }

  private static KeyValue entry(String key, long version, int valueSize) {
    return new KeyValue(InternalKey.of(key.getBytes(StandardCharsets.UTF_8), version),
        new ValueStruct((byte) 0, (byte) 0, 0, version, new byte[valueSize]));
  }

  /**
   * Commits one entry the way {@code Txn.commit} does: slot, oracle, submit, then write it on this
   * thread unless another thread is writing.
   */
  private static CompletableFuture<Void> commitHere(Oracle oracle, WritePipeline pipeline,
      String key) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    pipeline.reserve();
    oracle.commit(oracle.readTimestamp(), new long[0], new long[] {1},
        ts -> pipeline.submit(new WritePipeline.Request(List.of(entry(key, ts, 10)), ts, done, true)));
    pipeline.writeQueued();
    return done;
  }

  /** Commits one entry the way {@code Txn.commitAsync} does: slot, oracle, submit. */
  private static CompletableFuture<Void> commit(Oracle oracle, WritePipeline pipeline, String key,
      int valueSize) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    pipeline.reserve();
    // A blind write needs no registered snapshot (and begin() would wait for queued commits,
    // which one test deliberately leaves unapplied).
    oracle.commit(oracle.readTimestamp(), new long[0], new long[] {1},
        ts -> pipeline.submit(new WritePipeline.Request(List.of(entry(key, ts, valueSize)), ts, done, false)));
    return done;
  }

  @Test
  void committersWritingTheirOwnCommitsFromManyThreadsApplyEveryCommitInOrder() throws Exception {
    MemtableOptions memtableOptions = new MemtableOptions(8 << 20, 1 << 16);
    Path walPath = dir.resolve("000001.mem");
    Memtable memtable = openedMemtables.track(Memtable.create(FileSystem.defaultFileSystem(),
        walPath, 1, memtableOptions, new SplittableRandom(1)));
    Memtables memtables = new Memtables(2);
    memtables.initialize(memtable, List.of());
    Oracle oracle = new Oracle(0, true);
    WritePipeline pipeline = new WritePipeline(memtables, () -> {
      throw new IOException("no rotation in this test");
    }, NO_VALUE_LOG, oracle, false, new StickyError(), DaemonThreads.named("writer"));
    pipeline.start();
    int threads = 8;
    int perThread = 2_000;
    List<Thread> workers = new ArrayList<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    try {
      for (int t = 0; t < threads; t++) {
        int id = t;
        workers.add(new Thread(() -> {
          try {
            for (int i = 0; i < perThread; i++) {
              commitHere(oracle, pipeline, id + "/" + i).get(30, TimeUnit.SECONDS);
              // A returned commit is visible: the applied prefix reaches it.
              if (oracle.readTimestamp() < 1) {
                throw new AssertionError("a returned commit is not visible");
              }
            }
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
        }));
      }
      workers.forEach(Thread::start);
      for (Thread worker : workers) {
        worker.join();
      }
    } finally {
      pipeline.stop();
    }
    if (failure.get() != null) {
      throw new AssertionError("a committer failed", failure.get());
    }
    assertEquals((long) threads * perThread, oracle.readTimestamp());
    for (int t = 0; t < threads; t++) {
      for (int i = 0; i < perThread; i += 97) {
        assertTrue(memtable.get((t + "/" + i).getBytes(StandardCharsets.UTF_8),
            oracle.readTimestamp()) != null, "commit " + t + "/" + i + " is missing");
      }
    }
    // The WAL holds the commits in commit-timestamp order, one record each: replay sees versions
    // 1, 2, 3, ... (a crash keeps a prefix of the commit order).
    memtable.closeWal();
    List<Long> versions = new ArrayList<>();
    openedMemtables.track(Memtable.recover(FileSystem.defaultFileSystem(), walPath,
        memtableOptions, new SplittableRandom(2), true, batch -> {
          versions.add(InternalKey.version(batch.get(0).key()));
          return true;
        }));
    assertEquals(threads * perThread, versions.size());
    for (int i = 0; i < versions.size(); i++) {
      assertEquals(i + 1, versions.get(i), "WAL record " + i);
    }
  }

  @Test
  void anInterruptedCommitterIsWrittenByTheWriterThreadAndLeavesTheWalUsable() throws Exception {
    MemtableOptions memtableOptions = new MemtableOptions(1 << 20, 1 << 16);
    Memtable memtable = openedMemtables.track(Memtable.create(FileSystem.defaultFileSystem(),
        dir.resolve("000001.mem"), 1, memtableOptions, new SplittableRandom(1)));
    Memtables memtables = new Memtables(2);
    memtables.initialize(memtable, List.of());
    Oracle oracle = new Oracle(0, true);
    StickyError sticky = new StickyError();
    WritePipeline pipeline = new WritePipeline(memtables, () -> {
      throw new IOException("no rotation in this test");
    }, NO_VALUE_LOG, oracle, true, sticky, DaemonThreads.named("writer"));
    pipeline.start();
    try {
      // Interrupted after it took its slot (an interrupt before that fails the commit at once).
      CompletableFuture<Void> interrupted = new CompletableFuture<>();
      pipeline.reserve();
      Thread.currentThread().interrupt();
      oracle.commit(oracle.readTimestamp(), new long[0], new long[] {1}, ts -> pipeline.submit(
          new WritePipeline.Request(List.of(entry("interrupted", ts, 10)), ts, interrupted, true)));
      pipeline.writeQueued();
      assertTrue(Thread.interrupted(), "the committer's interrupt is kept");
      interrupted.get(5, TimeUnit.SECONDS);
      commitHere(oracle, pipeline, "after").get(5, TimeUnit.SECONDS);
      assertEquals(2, oracle.readTimestamp());
      assertTrue(memtable.get("after".getBytes(StandardCharsets.UTF_8), 2) != null);
    } finally {
      Thread.interrupted();
      pipeline.stop();
    }
  }

  @Test
  void aCommitWhoseSyncFailedIsNeverVisibleAndTheFailureIsSticky() throws Exception {
    AtomicBoolean failSync = new AtomicBoolean();
    FaultInjectingFileSystem disk = failingSyncs(failSync);
    MemtableOptions memtableOptions = new MemtableOptions(1 << 20, 1 << 16);
    Memtable memtable = openedMemtables.track(Memtable.create(disk, dir.resolve("000001.mem"), 1, memtableOptions,
        new SplittableRandom(1)));
    Memtables memtables = new Memtables(2);
    memtables.initialize(memtable, List.of());
    Oracle oracle = new Oracle(0, true);
    StickyError sticky = new StickyError();
    WritePipeline pipeline = new WritePipeline(memtables, () -> {
      throw new IOException("no rotation in this test");
    }, NO_VALUE_LOG, oracle, true, sticky, DaemonThreads.named("writer"));
    pipeline.start();
    try {
      commit(oracle, pipeline, "ok", 10).get(5, TimeUnit.SECONDS);
      assertEquals(1, oracle.readTimestamp());

      failSync.set(true);
      CompletableFuture<Void> failed = commit(oracle, pipeline, "k", 10);
      ExecutionException e = assertThrows(ExecutionException.class, () -> failed.get(5, TimeUnit.SECONDS));
      assertTrue(e.getCause().getMessage().contains("injected fsync failure"), e.getCause().toString());
      assertEquals(1, oracle.readTimestamp(), "the failed commit must not advance the read timestamp");
      assertNull(memtable.get("k".getBytes(StandardCharsets.UTF_8), oracle.readTimestamp()));

      failSync.set(false);
      CompletableFuture<Void> later = commit(oracle, pipeline, "later", 10);
      ExecutionException stuck = assertThrows(ExecutionException.class, () -> later.get(5, TimeUnit.SECONDS));
      assertTrue(stuck.getCause().getMessage().contains("earlier background failure"), stuck.getCause().toString());
    } finally {
      pipeline.stop();
    }
  }

  @Test
  void aFlusherThatDiesOfAnErrorDoesNotStrandTheWriter() throws Exception {
    FaultInjectingFileSystem disk = new FaultInjectingFileSystem(FileSystem.defaultFileSystem())
        .before(Call.CREATE_FILE, (path, unused) -> {
          if (path.toString().endsWith(".sst")) {
            throw new OutOfMemoryError("simulated: out of memory while flushing");
          }
        });
    MemtableOptions memtableOptions = new MemtableOptions(4096, 1 << 16);
    long[] ids = {0};
    WritePipeline.MemtableFactory factory = () -> {
      long id = ++ids[0];
      return openedMemtables.track(Memtable.create(disk, dir.resolve(String.format("%06d.mem", id)), id, memtableOptions,
          new SplittableRandom(id)));
    };
    Memtables memtables = new Memtables(1);
    memtables.initialize(factory.newMemtable(), List.of());
    try (Manifest manifest = Manifest.open(disk, dir, 0, false);
        LevelsController levels = LevelsController.open(disk, dir, manifest, TableOptions.defaults(),
            BlockCache.disabled(), TestLevelsOptions.withoutCompaction(), false)) {
      Oracle oracle = new Oracle(0, false);
      StickyError sticky = new StickyError();
      WritePipeline pipeline = new WritePipeline(memtables, factory, NO_VALUE_LOG, oracle, false, sticky, DaemonThreads.named("writer"));
      Flusher flusher = new Flusher(memtables, levels.tableFiles(), levels::addLevel0Table, disk,
          sticky, DaemonThreads.named("flusher"));
      flusher.start();
      pipeline.start();
      CompletableFuture<Void> last = null;
      for (int i = 0; i < 20; i++) {
        last = commit(oracle, pipeline, "k" + i, 2000);
      }
      CompletableFuture<Void> outcome = last;
      // It must complete one way or the other; the flusher's Error makes it fail.
      ExecutionException e = assertThrows(ExecutionException.class, () -> outcome.get(10, TimeUnit.SECONDS));
      assertInstanceOf(IOException.class, e.getCause());
      assertInstanceOf(OutOfMemoryError.class, sticky.get());
      pipeline.stop();
      flusher.stop();
    }
  }

  @Test
  void aCommitterWaitingForASlotCanBeInterruptedWithoutExposingQueuedCommits() throws Exception {
    Memtables memtables = new Memtables(1);
    memtables.initialize(Memtable.inMemory(1, new MemtableOptions(1 << 20, 1 << 16), new SplittableRandom(1)),
        List.of());
    Oracle oracle = new Oracle(0, true);
    WritePipeline pipeline = new WritePipeline(memtables, () -> {
      throw new IOException("no rotation in this test");
    }, NO_VALUE_LOG, oracle, false, new StickyError(), DaemonThreads.named("writer"));
    // The writer is not started: fill every slot.
    for (int i = 0; i < WritePipeline.MAX_IN_FLIGHT; i++) {
      commit(oracle, pipeline, "k" + i, 1);
    }
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread blocked = new Thread(() -> {
      try {
        commit(oracle, pipeline, "one too many", 1);
      } catch (Throwable e) {
        thrown.set(e);
      }
    });
    blocked.start();
    Thread.sleep(100);
    blocked.interrupt();
    blocked.join(5000);
    assertInstanceOf(SettException.class, thrown.get());
    assertEquals(0, oracle.readTimestamp(), "queued, unapplied commits must stay invisible");
    oracle.discardTimestamp(); // the oracle's lock is free: a waiting committer does not hold it
    pipeline.start();
    pipeline.stop();
    assertEquals(WritePipeline.MAX_IN_FLIGHT, oracle.readTimestamp(), "stop applies what was queued");
  }

  @Test
  void aCommitSubmittedAfterStopFailsAsClosed() throws Exception {
    Memtables memtables = new Memtables(1);
    memtables.initialize(Memtable.inMemory(1, new MemtableOptions(1 << 20, 1 << 16), new SplittableRandom(1)),
        List.of());
    Oracle oracle = new Oracle(0, true);
    WritePipeline pipeline = new WritePipeline(memtables, () -> {
      throw new IOException("no rotation in this test");
    }, NO_VALUE_LOG, oracle, false, new StickyError(), DaemonThreads.named("writer"));
    pipeline.start();
    commit(oracle, pipeline, "before", 1).get(5, TimeUnit.SECONDS);
    pipeline.stop();
    CompletableFuture<Void> after = commit(oracle, pipeline, "after", 1);
    ExecutionException e = assertThrows(ExecutionException.class, () -> after.get(5, TimeUnit.SECONDS));
    assertInstanceOf(DbClosedException.class, e.getCause());
  }
}
