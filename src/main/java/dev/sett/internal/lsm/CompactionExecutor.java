package dev.sett.internal.lsm;

import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.Namespaces;
import dev.sett.internal.key.KeyValueIterator;
import dev.sett.internal.sstable.BlockCache;
import dev.sett.internal.sstable.Table;
import dev.sett.internal.sstable.TableBuilder;
import dev.sett.internal.sstable.TableOptions;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongFunction;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one compaction: merges the input tables into new, synced and opened tables for the target
 * level, dropping what no reader can need any more.
 *
 * <p><b>Design.</b> The executor is the middle of three steps: a picker chooses the tables (pure
 * policy), the executor writes the new files, and the {@code LevelsController} records them in the
 * MANIFEST and swaps them into the levels. The executor touches neither the MANIFEST nor the
 * levels, so a failed run has one simple outcome: every file it created is gone and the inputs are
 * untouched. A run divides the key space at the bottom tables' boundaries ({@link SplitRange}) and
 * merges the splits in parallel on the sub-compaction pool ({@link Subcompaction}); which versions
 * survive is decided by {@link VersionRetention} alone, where the rules of reference §7.6 can be
 * read and tested in one place. Output tables are cut only between user keys, since levels 1 and
 * up promise that all versions of a key live in one table (a point lookup reads one table per
 * level). Each table is written and synced as soon as it is full, the directory is synced once
 * after all of them, and only then are they opened.
 *
 * <p>Rejected: building every output table in memory and writing them at the end with a separate
 * pool, as Badger does: memory would grow with the size of the compaction, while writing each
 * table when it is finished bounds it to one table per split. Rejected too: splitting by sampled
 * keys of the top tables; the bottom tables' boundaries cost nothing and keep output tables
 * aligned with the tables already below. Badger's compaction iterators bypass the block cache;
 * {@link Table} offers no such iterator yet, so compaction reads of compressed blocks go through
 * the cache.
 *
 * <p>Thread-safety: safe for concurrent runs; an executor keeps no state between runs.
 */
public final class CompactionExecutor {
  private static final Logger LOG = LoggerFactory.getLogger(CompactionExecutor.class);

  private final TableFiles tables;
  private final Executor subcompactionPool;
  private final Namespaces namespaces;

  /**
   * @param tables where output tables are written and how they are opened; its ids are handed out
   *     from the pool's threads
   * @param subcompactionPool runs the splits of a compaction; its size bounds their parallelism.
   *     The calling thread waits for them, so it must not be one the splits need in order to run
   */
  public CompactionExecutor(TableFiles tables, Executor subcompactionPool) {
    this(tables, subcompactionPool, Namespaces.none());
  }

  /** As {@link #CompactionExecutor(TableFiles, Executor)}; keys of banned {@code namespaces} are left out. */
  public CompactionExecutor(TableFiles tables, Executor subcompactionPool, Namespaces namespaces) {
    this.tables = Objects.requireNonNull(tables, "tables");
    this.subcompactionPool = Objects.requireNonNull(subcompactionPool, "subcompactionPool");
    this.namespaces = Objects.requireNonNull(namespaces, "namespaces");
  }

  /**
   * Writes and syncs the new table files, syncs their directory, and opens them. Touches neither
   * the MANIFEST nor the levels, and never modifies or releases the input tables. On any failure
   * deletes every file it created, releases every output it opened, and rethrows the first
   * failure (later ones are attached as suppressed); the splits still running when one fails are
   * waited for first. An interrupt does not stop a run: the flag is cleared while the run uses
   * the file system (an interrupted thread's channels close themselves) and restored when it
   * returns.
   */
  public CompactionOutput run(CompactionInput input) throws IOException {
    return run(input, null);
  }

  /**
   * As {@link #run(CompactionInput)}; with {@code relocation}, each split moves the scattered
   * values it keeps into key order, into files of {@code relocation} that the caller installs
   * with the tables (or abandons, on failure here or later).
   */
  CompactionOutput run(CompactionInput input, ValueRelocation.Run relocation) throws IOException {
    Objects.requireNonNull(input, "input");
    // A channel used by an interrupted thread closes itself: the flag is cleared for the run and
    // restored at its end, together with any interrupt that arrives while it waits for splits.
    boolean interrupted = Thread.interrupted();
    DropPrefixes dropPrefixes = new DropPrefixes(input.dropPrefixes(), namespaces);
    List<Table> bottomToRead = new ArrayList<>(input.bottom().size());
    RunOutputs outputs = new RunOutputs();
    for (Table table : input.bottom()) {
      if (!dropPrefixes.coversTable(table)) {
        bottomToRead.add(table);
      } else {
        countDroppedPointers(table, outputs.discards);
      }
    }
    List<FutureTask<Void>> splits = new ArrayList<>();
    List<Table> opened = new ArrayList<>();
    try {
      startSplits(input, bottomToRead, dropPrefixes, outputs, splits, relocation);
      interrupted |= outputs.awaitAll(splits);
      outputs.throwFirstFailure();
      List<TableFiles.Written> written = outputs.written();
      if (!written.isEmpty()) {
        tables.syncDirectory(); // the MANIFEST is about to name them
      }
      for (TableFiles.Written table : written) {
        opened.add(tables.open(table.id(), table.path()));
      }
      opened.sort((a, b) -> InternalKey.compare(a.smallestKey(), b.smallestKey()));
      checkDisjoint(opened);
      long bytesWritten = 0;
      for (Table table : opened) {
        bytesWritten += table.onDiskSize();
      }
      long entriesRead = outputs.entriesRead.sum();
      long entriesWritten = outputs.entriesWritten.sum();
      LOG.debug("compacted L{} -> L{}: {} + {} tables into {}, {} of {} entries kept",
          input.level(), input.targetLevel(), input.top().size(), bottomToRead.size(),
          opened.size(), entriesWritten, entriesRead);
      return new CompactionOutput(opened, bytesRead(input.top(), bottomToRead), bytesWritten,
          entriesRead, entriesWritten, entriesRead - entriesWritten, outputs.discards.snapshot());
    } catch (Throwable failure) {
      interrupted |= outputs.awaitAll(splits); // a split still running would write more files
      deleteOutputs(opened, outputs.created(), failure);
      throw failure;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Hands one sub-compaction per split to the pool and adds it to {@code started}. A split the
   * pool refuses is recorded as the run's failure and no further split is started.
   */
  private void startSplits(CompactionInput input, List<Table> bottomToRead,
      DropPrefixes dropPrefixes, RunOutputs outputs, List<FutureTask<Void>> started,
      ValueRelocation.Run relocation) {
    OverlapGuard overlapGuard = new OverlapGuard(input.targetLevel(), input.levelBelowTarget());
    for (SplitRange split : SplitRange.plan(input)) {
      Subcompaction subcompaction = new Subcompaction(split, input.top(), bottomToRead,
          tables::newBuilder, input.targetFileSize(),
          new VersionRetention(input.discardTs(), input.numVersionsToKeep(),
              input.dataMayExistBelow(), input.nowSeconds()),
          dropPrefixes, overlapGuard, outputs::write, outputs.discards,
          relocation == null ? null : relocation.newSplit());
      FutureTask<Void> task = new FutureTask<>(() -> outputs.runSplit(subcompaction), null);
      try {
        subcompactionPool.execute(task);
      } catch (RuntimeException refused) { // RejectedExecutionException, usually
        outputs.failures.add(refused);
        return;
      }
      started.add(task);
    }
  }

  /**
   * Counts the value pointers of a table that a drop prefix removes whole (it is not merged, so
   * its entries never reach a {@link Subcompaction}): its values become value log garbage too.
   * The table is being dropped, so damage in it only costs the count: it is logged, not thrown.
   */
  private static void countDroppedPointers(Table table, ValueLogDiscards discards) {
    ValueLogDiscards counted = new ValueLogDiscards();
    try (KeyValueIterator entries = table.iterator(false)) {
      for (entries.rewind(); entries.valid(); entries.next()) {
        counted.dropped(entries.value());
      }
    } catch (RuntimeException e) {
      LOG.warn("cannot count the value log garbage of dropped table {}; its share of the value"
          + " log statistics is left out", table, e);
      return;
    }
    discards.addAll(counted);
  }

  /** Turns a recorded failure back into something {@link #run} may throw. */
  private static IOException rethrowable(Throwable failure) {
    if (failure instanceof IOException io) {
      return io;
    }
    if (failure instanceof RuntimeException runtime) {
      throw runtime;
    }
    if (failure instanceof Error error) {
      throw error;
    }
    return new IOException("sub-compaction failed", failure);
  }

  private static long bytesRead(List<Table> top, List<Table> bottomRead) {
    long bytes = 0;
    for (Table table : top) {
      bytes += table.onDiskSize();
    }
    for (Table table : bottomRead) {
      bytes += table.onDiskSize();
    }
    return bytes;
  }

  /** Fails if two sorted output tables share a user key: a split or cut went wrong. */
  private static void checkDisjoint(List<Table> sorted) {
    for (int i = 1; i < sorted.size(); i++) {
      byte[] previousBiggest = sorted.get(i - 1).biggestKey();
      byte[] smallest = sorted.get(i).smallestKey();
      if (InternalKey.compareUserKeys(previousBiggest, smallest) >= 0) {
        throw new IllegalStateException("compaction output " + sorted.get(i - 1) + " ends at "
            + InternalKey.toString(previousBiggest) + " but " + sorted.get(i) + " starts at "
            + InternalKey.toString(smallest));
      }
    }
  }

  /** Releases the opened outputs and deletes every file created; problems join {@code failure}. */
  private void deleteOutputs(List<Table> opened, Collection<Path> created, Throwable failure) {
    for (Table table : opened) {
      try {
        table.release();
      } catch (RuntimeException releaseFailure) {
        failure.addSuppressed(releaseFailure);
      }
    }
    for (Path path : created) {
      try {
        tables.delete(path);
      } catch (IOException | RuntimeException deleteFailure) {
        failure.addSuppressed(deleteFailure);
      }
    }
  }

  /**
   * What the splits of one run produce: files, counters and failures. A file a failed write left
   * half-written is deleted by {@link TableFiles#write}; the files written are deleted here when
   * the run fails.
   *
   * <p>Thread-safety: safe for the concurrent sub-compactions of one run.
   */
  private final class RunOutputs {
    private final Queue<TableFiles.Written> written = new ConcurrentLinkedQueue<>();
    /** In the order they happened: the first is the one the run throws. */
    private final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
    private final LongAdder entriesRead = new LongAdder();
    private final LongAdder entriesWritten = new LongAdder();
    private final ValueLogDiscards discards = new ValueLogDiscards();

    /** Runs one split on a pool thread, recording its counts or its failure. */
    void runSplit(Subcompaction subcompaction) {
      try {
        Subcompaction.Counts counts = subcompaction.run();
        entriesRead.add(counts.entriesRead());
        entriesWritten.add(counts.entriesWritten());
      } catch (Throwable failure) {
        failures.add(failure);
      }
    }

    /** Waits until every split is done, through interrupts; returns whether one arrived. */
    boolean awaitAll(List<FutureTask<Void>> splits) {
      boolean interrupted = false;
      for (FutureTask<Void> split : splits) {
        while (true) {
          try {
            split.get();
            break;
          } catch (InterruptedException e) {
            interrupted = true; // the split writes files: wait for it all the same
          } catch (ExecutionException e) {
            failures.add(e.getCause()); // runSplit records its own failures: only in an emergency
            break;
          }
        }
      }
      return interrupted;
    }

    /** Writes {@code builder} as a new table with a fresh id; the file is synced. */
    void write(TableBuilder builder) throws IOException {
      written.add(tables.write(builder));
    }

    /** Throws the first recorded failure, with the later ones attached as suppressed. */
    void throwFirstFailure() throws IOException {
      Throwable first = failures.poll();
      if (first != null) {
        for (Throwable later : failures) {
          first.addSuppressed(later);
        }
        throw rethrowable(first);
      }
    }

    List<Path> created() {
      return written.stream().map(TableFiles.Written::path).toList();
    }

    List<TableFiles.Written> written() {
      return List.copyOf(written);
    }
  }
}
