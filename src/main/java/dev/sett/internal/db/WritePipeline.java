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
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The commit pipeline: appends each commit's values of {@code valueThreshold} bytes or more to the
 * value log ({@link ValueSeparation}: pointers take their place), appends the commit to the active
 * memtable's WAL and skiplist, forces the value log and then the WAL once for the whole group when
 * {@code syncWrites} is on, and only then completes the commits, advances the read timestamp and
 * hands them to the subscriptions.
 *
 * <p><b>Design.</b> Commits are queued in commit-timestamp order (the {@link Oracle} queues them
 * under its commit lock) and written by whichever thread holds {@link #writeLock}, the
 * <em>leader</em>, which takes everything queued so far as one group. A committer that waits for
 * its commit ({@link #writeQueued}) tries to lead: when nobody else is writing, it writes its own
 * commit on its own thread, so an uncontended commit costs no hand-off and no context switch. When
 * another thread is writing, it waits; on unlocking, every leader looks at the queue again and
 * wakes the pipeline's own writer thread if anything is left, so a queued commit is never
 * stranded, and commits that arrive while a group is written form the next group (group commit
 * only under contention, as LevelDB's writer queue and Pebble's commit pipeline do it).
 * Asynchronous commits and {@link WriterTask}s wake the writer thread at once. One leader at a
 * time, taking the queue in order, means commits reach the WAL in commit-timestamp order, which is
 * what lets the oracle publish a read timestamp with a single volatile and lets WAL replay restore
 * a prefix of the commit order. Rejected: a dedicated writer thread for every commit (the design
 * before this one: two context switches per commit, about 25 µs on an idle machine) and
 * concurrent WAL appends at reserved offsets (a crash could then keep a later commit without an
 * earlier one in the same file).
 *
 * <p>A committing thread that was interrupted does not lead (the writer thread writes its commit);
 * the files are written through {@code RandomAccessFile}, which an interrupt arriving during a
 * write does not close, and a leader waits through interrupts for a memtable slot.
 *
 * <p>Back-pressure: a committer takes one of {@link #MAX_IN_FLIGHT} slots ({@link #reserve})
 * <em>before</em> it enters the oracle's commit lock, so {@link #submit}, which runs under that
 * lock, never blocks.
 *
 * <p>Errors: a failed append or sync fails the commits of its group that were not yet completed.
 * A failed commit is never marked applied, so no reader is given a read timestamp that would show
 * its entries. The failure is sticky: later commits fail at once and the store must be reopened.
 *
 * <p>Thread-safety: {@link #submit} and {@link #stop} serialize on {@link #submitLock}; everything
 * that writes runs under {@link #writeLock}.
 */
final class WritePipeline {
  private static final Logger LOG = LoggerFactory.getLogger(WritePipeline.class);
  static final int MAX_IN_FLIGHT = 1000;
  private static final int MAX_GROUP = 3000;
  /** The most groups a committing thread writes as leader before it hands over. */
  private static final int LEADER_ROUNDS = 4;

  /**
   * One commit: its entries (versions assigned) and the future its committer waits on; or, with a
   * {@code task}, work that must run on the writer thread in order with the commits around it.
   */
  record Request(List<KeyValue> entries, long commitTs, CompletableFuture<Void> done,
      WriterTask task, boolean committerWrites) {
    /**
     * A commit; {@code committerWrites} says its committer will call {@link #writeQueued} (and so
     * the writer thread need not be woken for it).
     */
    Request(List<KeyValue> entries, long commitTs, CompletableFuture<Void> done,
        boolean committerWrites) {
      this(entries, commitTs, done, null, committerWrites);
    }
  }

  /**
   * Work for the pipeline's leader (value log GC's rewrites, for instance): it sees the store
   * between two commits, and nothing is written while it runs. It keeps its own results. It runs on
   * the writer thread or on a committing thread.
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

  private final Memtables memtables;
  private final MemtableFactory memtableFactory;
  private final ValueSeparation separation;
  private final Oracle oracle;
  private final boolean syncWrites;
  private final StickyError stickyError;
  private final Queue<Request> queue = new ConcurrentLinkedQueue<>();
  /** Held by the leader: the one thread writing a group. */
  private final ReentrantLock writeLock = new ReentrantLock();
  /** The leader's group, reused. */
  @GuardedBy("writeLock")
  private final List<Request> group = new ArrayList<>();
  private final Semaphore slots = new Semaphore(MAX_IN_FLIGHT);
  private final Object submitLock = new Object();
  /** Guarded by {@link #submitLock}: once set, no request is queued any more. */
  @GuardedBy("submitLock")
  private boolean closing;
  private final Thread thread;
  /** Set by {@link #stop}: the writer thread ends. */
  private volatile boolean stopped;
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
   * with {@link DbClosedException} instead; nothing of it is written. Unless the request says its
   * committer writes it ({@link #writeQueued}), the writer thread is woken.
   */
  void submit(Request request) {
    synchronized (submitLock) {
      if (!closing) {
        submitted.incrementAndGet();
        queue.add(request);
        if (!request.committerWrites()) {
          LockSupport.unpark(thread);
        }
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
    Request request = new Request(List.of(), -1, new CompletableFuture<>(), task, false);
    synchronized (submitLock) {
      if (!closing) {
        submitted.incrementAndGet();
        queue.add(request);
        LockSupport.unpark(thread);
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
   * the thread and for a leader still writing even if interrupted (the store's files must not be
   * closed under a running writer), then restores the interrupt.
   */
  void stop() {
    synchronized (submitLock) {
      closing = true;
    }
    stopped = true;
    LockSupport.unpark(thread);
    Uninterruptibly.join(thread);
    writeLock.lock();
    try {
      while (!queue.isEmpty()) {
        writeGroupLocked();
      }
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Writes what is queued, on the calling thread, if no other thread is writing; otherwise
   * returns at once, and the thread writing (or the writer thread it wakes) writes it. A committer
   * calls this after {@link #submit}, then waits for its request's future. An interrupted thread
   * does not write: it wakes the writer thread instead.
   */
  void writeQueued() {
    if (Thread.currentThread().isInterrupted()) {
      LockSupport.unpark(thread);
      return;
    }
    if (!writeLock.tryLock()) {
      return; // the leader wakes the writer thread for what it left behind
    }
    try {
      writeGroupsAfterTryLock();
    } finally {
      writeLock.unlock();
    }
    wakeWriterIfQueued();
  }

  /**
   * The leader's work for {@link #writeQueued}, whose tryLock the checker cannot follow: its own
   * group, then up to {@link #LEADER_ROUNDS} - 1 more groups of commits queued meanwhile, whose
   * committers are waiting (writing them here spares waking the writer thread; the bound caps
   * what one commit's latency pays for others).
   */
  @SuppressWarnings("GuardedBy")
  private void writeGroupsAfterTryLock() {
    for (int round = 0; round < LEADER_ROUNDS && !queue.isEmpty(); round++) {
      writeGroupLocked();
    }
  }

  /**
   * Called by a leader after it unlocked: if commits were queued meanwhile, wakes the writer thread
   * to write them. A committer that queued one and failed to take {@link #writeLock} did so before
   * the unlock, so this look at the queue sees it (volatile accesses are sequentially consistent).
   */
  private void wakeWriterIfQueued() {
    if (!queue.isEmpty()) {
      LockSupport.unpark(thread);
    }
  }

  private void run() {
    while (!stopped) {
      if (queue.isEmpty()) {
        LockSupport.park(this);
        continue;
      }
      writeLock.lock();
      try {
        writeGroupLocked();
      } finally {
        writeLock.unlock();
      }
      wakeWriterIfQueued();
    }
  }

  /** Takes what is queued, up to {@link #MAX_GROUP} requests, and writes it as one group. */
  @GuardedBy("writeLock")
  private void writeGroupLocked() {
    assert writeLock.isHeldByCurrentThread();
    group.clear();
    Request request;
    while (group.size() < MAX_GROUP && (request = queue.poll()) != null) {
      group.add(request);
    }
    if (group.isEmpty()) {
      return;
    }
    boolean interrupted = Thread.interrupted(); // the group is written whole; restored below
    try {
      writeGroup(group);
    } catch (Throwable e) { // an Error must not leave committers waiting forever
      stickyError.set(e);
      complete(group, e);
      LOG.error("writer failed; writes are stopped until the store is reopened", e);
    } finally {
      group.clear();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void writeGroup(List<Request> requests) {
    List<Request> group = requests;
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
