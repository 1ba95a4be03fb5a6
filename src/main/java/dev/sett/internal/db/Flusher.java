package dev.sett.internal.db;

import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.key.KeyValueIterator;
import dev.sett.internal.lsm.LevelsController;
import dev.sett.internal.lsm.TableFiles;
import dev.sett.internal.memtable.Memtable;
import dev.sett.internal.sstable.Table;
import dev.sett.internal.sstable.TableBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns sealed memtables into L0 tables, oldest first, on one background thread.
 *
 * <p>Order of a flush, each step durable before the next: write and sync the table file; record it
 * in the MANIFEST (forced to disk) and publish it on L0; drop the memtable from the read path;
 * delete its WAL. A crash between any two steps loses nothing: before the MANIFEST edit the table
 * file is an orphan that the next open deletes and the WAL is replayed; after it, the WAL may be
 * replayed again, and its entries are identical to the table's, so the duplicate is harmless.
 *
 * <p>A failure is sticky (see {@link StickyError}): the flusher stops and later writes fail, rather
 * than acknowledging writes that could fill memory without ever reaching a table.
 *
 * <p>Thread-safety: runs on its own thread; {@link #flushOne} may also be called by close after the
 * thread has stopped.
 */
final class Flusher {
  private static final Logger LOG = LoggerFactory.getLogger(Flusher.class);

  private final Memtables memtables;
  private final TableFiles tables;
  private final Level0 level0;
  private final FileSystem fileSystem;
  private final StickyError stickyError;
  private final Thread thread;
  private final AtomicLong flushedTables = new AtomicLong();
  private final AtomicLong flushedBytes = new AtomicLong();
  private volatile boolean stopping;
  private volatile boolean aborting;

  /** Where a flushed table goes: {@link LevelsController#addLevel0Table}. */
  interface Level0 {
    /** Records {@code table} as the newest L0 table and publishes it; takes over the reference. */
    void add(Table table) throws IOException;
  }

  Flusher(Memtables memtables, TableFiles tables, Level0 level0, FileSystem fileSystem,
      StickyError stickyError, ThreadFactory threads) {
    this.memtables = memtables;
    this.tables = tables;
    this.level0 = level0;
    this.fileSystem = fileSystem;
    this.stickyError = stickyError;
    this.thread = threads.newThread(this::run);
  }

  void start() {
    thread.start();
  }

  /** Flushes what is sealed, then stops; waits even if interrupted, then restores the interrupt. */
  void stop() {
    stopping = true;
    memtables.wakeAll();
    Uninterruptibly.join(thread);
  }

  /**
   * Stops without flushing anything more, waiting for a flush in progress: the store failed while
   * closing, so what is sealed stays in its WALs for the next open (a table written now could point
   * at value log bytes that never reached the disk). No table file appears after this returns.
   */
  void abort() {
    aborting = true;
    stop();
  }

  long flushedTables() {
    return flushedTables.get();
  }

  long flushedBytes() {
    return flushedBytes.get();
  }

  private void run() {
    while (true) {
      Memtable memtable;
      try {
        memtable = memtables.awaitOldestImmutable(() -> stopping);
      } catch (InterruptedException e) {
        LOG.warn("flusher interrupted; it keeps running until the store closes");
        continue;
      }
      if (memtable == null || aborting) {
        return;
      }
      try {
        flushOne(memtable);
      } catch (IOException | RuntimeException | Error e) { // an Error must not strand the writer
        LOG.error("flush of memtable {} failed; writes are stopped until the store is reopened",
            memtable.id(), e);
        stickyError.set(e);
        memtables.abandon();
        return;
      }
    }
  }

  /** Flushes {@code memtable}, which must be the oldest sealed one. */
  void flushOne(Memtable memtable) throws IOException {
    if (!memtable.isEmpty()) {
      TableBuilder builder = tables.newBuilder();
      try (KeyValueIterator entries = memtable.iterator(false)) {
        for (entries.rewind(); entries.valid(); entries.next()) {
          builder.add(entries.key(), entries.value()); // streams finished blocks to the file
        }
      } catch (IOException | RuntimeException | Error e) {
        try {
          builder.abandon();
        } catch (IOException | RuntimeException abandonFailure) {
          e.addSuppressed(abandonFailure);
        }
        throw e;
      }
      // The MANIFEST is about to name this file: its directory entry is made durable first.
      Table table = tables.writeDurableAndOpen(builder);
      long size = table.onDiskSize();
      level0.add(table);
      flushedTables.incrementAndGet();
      flushedBytes.addAndGet(size);
    }
    memtables.removeFlushed(memtable);
    Path wal = memtable.walPath();
    memtable.deleteWal();
    if (wal != null) {
      fileSystem.syncDirectory(wal.getParent());
    }
  }
}
