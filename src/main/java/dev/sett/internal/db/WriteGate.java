package dev.sett.internal.db;

import dev.sett.SettException;
import java.io.IOException;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Holds commits back while maintenance needs a quiet store. Commits pass through the read side
 * while they enter the write queue ({@link #enterCommit}/{@link #exitCommit}); drops, the flush
 * before flatten, and close take the write side, so they see a quiet writer, and commits wait
 * (rather than fail) until they are done.
 *
 * <p>The read side is taken <em>before</em> the oracle's commit lock, so a drop's compactions,
 * which ask the oracle for the discard timestamp, cannot deadlock against a waiting committer.
 *
 * <p>Thread-safety: safe for concurrent use.
 */
final class WriteGate {
  /** Something to run against the levels that may fail with an I/O error. */
  interface Work {
    void run() throws IOException;
  }

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Runnable checkOpen;
  private final WritePipeline pipeline;
  private final Memtables memtables;
  private final StickyError stickyError;
  /** Non-null while commits are refused (a bulk load owns the store): why. */
  private volatile String refusal;

  WriteGate(Runnable checkOpen, WritePipeline pipeline, Memtables memtables,
      StickyError stickyError) {
    this.checkOpen = checkOpen;
    this.pipeline = pipeline;
    this.memtables = memtables;
    this.stickyError = stickyError;
  }

  void enterCommit() {
    lock.readLock().lock();
    String refused = refusal;
    if (refused != null) {
      lock.readLock().unlock();
      throw new IllegalStateException(refused + "; nothing was written");
    }
  }

  /**
   * Makes commits fail with {@code reason} from now on, lets the queued ones finish, flushes every
   * memtable, then runs {@code work}; if {@code work} fails, commits are allowed again.
   */
  void refuseCommits(String reason, Work work) {
    synchronized (this) {
      if (refusal != null) {
        throw new IllegalStateException(refusal);
      }
      refusal = reason;
    }
    try {
      withWritesBlocked(work);
    } catch (RuntimeException | Error e) {
      refusal = null;
      throw e;
    }
  }

  /** Ends {@link #refuseCommits}. */
  void allowCommits() {
    refusal = null;
  }

  void exitCommit() {
    lock.readLock().unlock();
  }

  /** The write side, for close: a drop in progress finishes first. */
  Lock closeLock() {
    return lock.writeLock();
  }

  /**
   * Holds commits back, lets the queued ones finish, flushes every memtable, then runs
   * {@code work}.
   */
  void withWritesBlocked(Work work) {
    lock.writeLock().lock();
    try {
      checkOpen.run();
      pipeline.awaitIdle();
      flushMemtables();
      work.run();
    } catch (IOException e) {
      throw Errors.convert(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SettException("interrupted while waiting for writes to drain", e);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Has the writer seal the mutable memtable (if it holds anything), as it seals a full one, and
   * waits until every memtable is flushed.
   */
  private void flushMemtables() throws IOException, InterruptedException {
    WritePipeline.await(pipeline.submitTask(WritePipeline.Writer::sealMutable));
    memtables.awaitFlushed();
    stickyError.throwIfSet();
  }
}
