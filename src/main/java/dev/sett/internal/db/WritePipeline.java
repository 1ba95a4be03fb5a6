package dev.sett.internal.db;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.sett.DbClosedException;
import dev.sett.SettException;
import dev.sett.internal.key.KeyValue;
import dev.sett.internal.memtable.Memtable;
import dev.sett.internal.txn.Oracle;
import dev.sett.internal.vlog.ValueLog;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer: takes every queued commit (group commit), appends each commit's values of
 * {@code valueThreshold} bytes or more to the value log ({@link ValueSeparation}: pointers take
 * their place), appends the commit to the active memtable's WAL and skiplist, forces the value log
 * and then the WAL once for the whole group when {@code syncWrites} is on, and only then
 * completes the commits, advances the read timestamp and hands them to the subscriptions.
 *
 * <p>One writer means commits reach the WAL in commit-timestamp order, which is what lets the
 * {@link Oracle} publish a read timestamp with a single volatile and lets WAL replay restore a
 * prefix of the commit order.
 *
 * <p>Back-pressure: a committer takes one of {@link #MAX_IN_FLIGHT} slots ({@link #reserve})
 * <em>before</em> it enters the oracle's commit lock, so {@link #submit}, which runs under that
 * lock, never blocks.
 *
 * <p>Errors: a failed append or sync fails the commits of its group that were not yet completed.
 * A failed commit is never marked applied, so no reader is given a read timestamp that would show
 * its entries. The failure is sticky: later commits fail at once and the store must be reopened.
 *
 * <p>Thread-safety: {@link #submit} and {@link #stop} serialize on {@link #submitLock}; the writer
 * thread owns everything else.
 */
final class WritePipeline {
  private static final Logger LOG = LoggerFactory.getLogger(WritePipeline.class);
  static final int MAX_IN_FLIGHT = 1000;
  private static final int MAX_GROUP = 3000;

  /**
   * One commit: its entries (versions assigned) and the future its committer waits on; or, with a
   * {@code task}, work that must run on the writer thread in order with the commits around it.
   */
  record Request(List<KeyValue> entries, long commitTs, CompletableFuture<Void> done,
      WriterTask task) {
    Request(List<KeyValue> entries, long commitTs, CompletableFuture<Void> done) {
      this(entries, commitTs, done, null);
    }
  }

  /**
   * Work for the writer thread (value log GC's rewrites, for instance): it sees the store between
   * two commits, and nothing is written while it runs. It keeps its own results.
   */
  interface WriterTask {
    void run(Writer writer) throws IOException, InterruptedException;
  }

  /** What a {@link WriterTask} may do. */
  interface Writer {
    /**
     * Writes entries whose versions are already assigned, as one WAL record (values at or above
     * the threshold go to the value log first).
     */
    void write(List<KeyValue> entries) throws IOException, InterruptedException;

    /**
     * Forces the value log and the mutable memtable's WAL to disk (a sealed memtable's WAL was
     * forced when it was sealed).
     */
    void sync() throws IOException;

    /** Seals the mutable memtable for flushing, unless it is empty, and starts a new one. */
    void sealMutable() throws IOException, InterruptedException;

    /** The value log, or null when the store has none. */
    ValueLog valueLog();
  }

  /** Creates the next mutable memtable (and its WAL). */
  interface MemtableFactory {
    Memtable newMemtable() throws IOException;
  }

  private static final Request STOP = new Request(List.of(), -1, new CompletableFuture<>());

  private final Memtables memtables;
  private final MemtableFactory memtableFactory;
  private final ValueSeparation separation;
  private final Oracle oracle;
  private final boolean syncWrites;
  private final StickyError stickyError;
  private final BlockingQueue<Request> queue = new LinkedBlockingQueue<>();
  private final Semaphore slots = new Semaphore(MAX_IN_FLIGHT);
  private final Object submitLock = new Object();
  /** Guarded by {@link #submitLock}: once set, no request is queued any more. */
  @GuardedBy("submitLock")
  private boolean closing;
  private final Thread thread;
  private final AtomicLong stallNanos = new AtomicLong();
  private final AtomicLong submitted = new AtomicLong();
  private final AtomicLong finished = new AtomicLong();
  /** Set before {@link #start}: told of every applied commit, in commit order, on the writer thread. */
  private Subscriptions subscriptions;

  WritePipeline(Memtables memtables, MemtableFactory memtableFactory, ValueSeparation separation,
      Oracle oracle, boolean syncWrites, StickyError stickyError, ThreadFactory threads) {
    this.memtables = memtables;
    this.memtableFactory = memtableFactory;
    this.separation = separation;
    this.oracle = oracle;
    this.syncWrites = syncWrites;
    this.stickyError = stickyError;
    this.thread = threads.newThread(this::run);
  }

  void start() {
    thread.start();
  }

  /** Publishes every applied commit to {@code subscriptions}; call before {@link #start}. */
  void publishTo(Subscriptions subscriptions) {
    this.subscriptions = subscriptions;
  }

  /** Takes a commit slot, waiting while {@link #MAX_IN_FLIGHT} commits are queued. */
  void reserve() {
    try {
      slots.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SettException("interrupted while waiting to commit; nothing was written", e);
    }
  }

  /** Gives back a slot taken by {@link #reserve} for a commit that was not submitted. */
  void unreserve() {
    slots.release();
  }

  /**
   * Queues a commit that holds a slot. Never blocks. Once the store is closing the commit fails
   * with {@link DbClosedException} instead; nothing of it is written.
   */
  void submit(Request request) {
    synchronized (submitLock) {
      if (!closing) {
        submitted.incrementAndGet();
        queue.add(request);
        return;
      }
    }
    slots.release();
    request.done().completeExceptionally(new DbClosedException("the store closed before the commit"));
  }

  /**
   * Queues {@code task} for the writer thread; the returned future completes when it has run (or
   * failed). Once the store is closing it fails with {@link DbClosedException}. Never blocks.
   */
  CompletableFuture<Void> submitTask(WriterTask task) {
    Request request = new Request(List.of(), -1, new CompletableFuture<>(), task);
    synchronized (submitLock) {
      if (!closing) {
        submitted.incrementAndGet();
        queue.add(request);
        return request.done();
      }
    }
    request.done().completeExceptionally(new DbClosedException("the store is closing"));
    return request.done();
  }

  /**
   * Waits for a task's future, through interrupts (a queued task's outcome must be known before
   * its caller goes on; the interrupt is restored), and rethrows its failure.
   */
  static void await(CompletableFuture<Void> done) throws IOException {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          done.get();
          return;
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (java.util.concurrent.ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof IOException io) {
            throw io;
          }
          if (cause instanceof RuntimeException runtime) {
            throw runtime;
          }
          throw new SettException("the writer failed: " + cause, cause);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Total time the writer waited for a memtable to be flushed. */
  long stallNanos() {
    return stallNanos.get();
  }

  /**
   * Applies everything queued so far, then stops the writer thread. Later submits fail. Waits for
   * the thread even if interrupted (the store's files must not be closed under a running writer),
   * then restores the interrupt.
   */
  void stop() {
    synchronized (submitLock) {
      closing = true;
      queue.add(STOP);
    }
    Uninterruptibly.join(thread);
  }

  private void run() {
    List<Request> group = new ArrayList<>();
    while (true) {
      group.clear();
      try {
        Request first = queue.poll(1, TimeUnit.SECONDS);
        if (first == null) {
          continue;
        }
        group.add(first);
        queue.drainTo(group, MAX_GROUP - 1);
      } catch (InterruptedException e) {
        LOG.warn("writer thread interrupted; it keeps running until the store closes");
        continue;
      }
      int stop = group.indexOf(STOP);
      List<Request> work = stop < 0 ? group : group.subList(0, stop);
      try {
        writeGroup(work);
      } catch (Throwable e) { // an Error must not leave committers waiting forever
        stickyError.set(e);
        complete(work, e);
        LOG.error("writer failed; writes are stopped until the store is reopened", e);
      }
      if (stop >= 0) {
        // Nothing can be queued behind STOP (submit checks `closing` under the same lock).
        return;
      }
    }
  }

  private void writeGroup(List<Request> group) {
    int written = 0;
    try {
      stickyError.throwIfSet();
      WriterImpl writer = new WriterImpl();
      for (Request request : group) {
        if (request.task() != null) {
          runTask(request, writer);
        } else {
          writer.write(request.entries());
        }
        written++;
      }
      if (syncWrites) {
        writer.sync(); // once for the group
      }
    } catch (IOException | RuntimeException | InterruptedException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      stickyError.set(e);
      if (written > 0 && !syncWrites) {
        // The first `written` requests reached the WAL and the memtable before the failure; with
        // syncWrites off that is all they were promised.
        complete(group.subList(0, written), null);
        group = group.subList(written, group.size());
      }
      complete(group, e);
      return;
    }
    complete(group, null);
  }

  /**
   * Runs a task; it completes at once, not with its group. A failure of its writes is sticky, as
   * for a commit (the WAL or memtable may hold part of them); other failures are only its own.
   */
  private void runTask(Request request, WriterImpl writer)
      throws IOException, InterruptedException {
    try {
      request.task().run(writer);
    } catch (IOException | InterruptedException e) {
      request.done().completeExceptionally(e);
      finished.incrementAndGet();
      throw e;
    } catch (RuntimeException e) {
      request.done().completeExceptionally(e);
      finished.incrementAndGet();
      return;
    }
    request.done().complete(null);
    finished.incrementAndGet();
  }

  /** The writer's operations, for commits and {@link WriterTask}s alike. */
  private final class WriterImpl implements Writer {
    @Override
    public void write(List<KeyValue> entries) throws IOException, InterruptedException {
      memtableWithRoom().write(separation.separate(entries));
    }

    /** Values before the pointers to them: the value log first, then the WAL. */
    @Override
    public void sync() throws IOException {
      if (separation.valueLog() != null) {
        separation.valueLog().sync();
      }
      memtables.mutable().sync();
    }

    @Override
    public void sealMutable() throws IOException, InterruptedException {
      Memtable mutable = memtables.mutable();
      if (!mutable.isEmpty()) {
        seal(mutable);
      }
    }

    @Override
    public ValueLog valueLog() {
      return separation.valueLog();
    }
  }

  /** Completes requests in order; only successful ones advance the read timestamp. */
  private void complete(List<Request> requests, Throwable error) {
    for (Request request : requests) {
      if (request.done().isDone()) {
        continue; // already completed before a later failure in the same group
      }
      if (request.task() != null) {
        // Not run: a failure before it. It holds no slot and no timestamp.
        request.done().completeExceptionally(error != null ? error
            : new IllegalStateException("the writer skipped a task"));
        finished.incrementAndGet();
        continue;
      }
      if (error == null) {
        oracle.markApplied(request.commitTs());
        if (subscriptions != null && !subscriptions.isEmpty()) {
          // Before the committer is released: a commit that returned is in every feed. May wait
          // for a slow subscriber (back-pressure, see Subscriptions).
          subscriptions.publish(request.entries());
        }
        request.done().complete(null);
      } else {
        oracle.markFailed(request.commitTs());
        request.done().completeExceptionally(error);
      }
      slots.release();
      finished.incrementAndGet();
    }
  }

  /**
   * Waits until every commit submitted so far is completed (applied or failed). The caller must
   * keep new commits out meanwhile (the store's drop lock does).
   */
  void awaitIdle() throws InterruptedException {
    while (finished.get() < submitted.get()) {
      Thread.sleep(1);
    }
  }

  /** The mutable memtable, rotated first if it is full (waiting if the flusher is behind). */
  private Memtable memtableWithRoom() throws IOException, InterruptedException {
    Memtable memtable = memtables.mutable();
    return memtable.isFull() ? seal(memtable) : memtable;
  }

  /**
   * Seals {@code memtable}, the mutable one, and makes a new one mutable (waiting if the flusher
   * is behind). The sealed memtable becomes a table that may outlive this process's page cache,
   * so the values its pointers name are forced first; closing its WAL forces the WAL.
   */
  private Memtable seal(Memtable memtable) throws IOException, InterruptedException {
    if (separation.valueLog() != null) {
      separation.valueLog().sync();
    }
    memtable.closeWal();
    Memtable next = memtableFactory.newMemtable();
    long waited = memtables.rotate(next);
    stallNanos.addAndGet(waited);
    stickyError.throwIfSet();
    return next;
  }
}
