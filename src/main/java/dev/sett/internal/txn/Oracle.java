package dev.sett.internal.txn;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * Hands out read and commit timestamps and decides, at commit, whether a transaction conflicts.
 *
 * <p><b>Design.</b> Every commit gets a timestamp one above the last, under one lock that also
 * enqueues the commit's write request, so the write pipeline applies commits in timestamp order.
 * A new transaction reads at the last timestamp handed out and first waits until the writer has
 * finished every commit up to it ({@link #markApplied}/{@link #markFailed}), as Badger's readTs
 * waits on its txnMark: it sees every commit that was allocated before it began, whole, and
 * nothing later; in particular a transaction retried after a {@code ConflictException} sees the
 * commit that caused it. Badger needs a watermark with a pending-index heap because its commits
 * finish out of order; Sett's writer finishes them in order, so a single volatile suffices. A
 * commit that failed is never exposed: reads stay below the first failure (the store refuses
 * writes from then on).
 *
 * <p>Conflicts (serializable snapshot isolation): a transaction that read keys conflicts if any
 * transaction that committed after its read timestamp wrote one of them. Reads and writes are kept
 * as 64-bit key fingerprints; a collision can only cause a spurious conflict, never a missed one.
 * A committed write set is kept while a read-write transaction could still start, or is running,
 * with a read timestamp below its commit timestamp. The list is also capped at
 * {@link #MAX_TRACKED_COMMITS}: beyond it the oldest write sets are forgotten, and a transaction
 * that read something and started before the forgotten ones conflicts (it cannot be checked),
 * so a long-lived transaction costs a retry, never unbounded memory (Badger §13.11).
 *
 * <p><b>Pinned reads.</b> A one-shot read ({@code DB.get}) takes its read timestamp from
 * {@link #pinRead} instead of {@link #begin}: no lock and no shared counter, so reader threads do
 * not contend with each other or with commits (a transaction registers once per snapshot; a get
 * is a snapshot of its own, and the lock and sorted map cost about 40 % of a get served by a
 * table). A pin is a slot of a small array, chosen by the thread, each slot on a cache line of its
 * own, holding the read timestamp plus one. It must keep {@link #discardTimestamp} at or below the
 * pinned timestamp, like a registration, and a Dekker-style handshake makes it: the reader stores
 * its slot and then loads {@code discardProposal}; {@link #discardTimestamp} first raises
 * {@code discardProposal} to the timestamp it would return, then scans the slots. Volatile
 * accesses are sequentially consistent, so either the scan sees the slot, or the reader sees the
 * proposal and, if it is above its timestamp, pins again at a newer one. Rejected: a per-thread
 * {@code ThreadLocal} slot (a registry of slots of threads that died), a {@code LongAdder} of
 * readers per timestamp (still a scan of timestamps under a lock), and skipping registration
 * altogether (a compaction running during the get could drop the version it is about to read).
 *
 * <p><b>Managed mode</b>: the caller supplies read and commit timestamps ({@link #beginAt},
 * {@link #commitAt}); conflicts are checked the same way, and the discard timestamp is whatever
 * the caller last set ({@link #setDiscardTimestamp}), which also prunes the conflict list.
 *
 * <p>Thread-safety: safe for concurrent use.
 */
public final class Oracle {
  /** Returned by {@link #commit} when the transaction conflicts. Commit timestamps start at 1. */
  public static final long CONFLICT = 0;
  /** The most committed write sets kept for conflict checks. */
  public static final int MAX_TRACKED_COMMITS = 100_000;
  /** Slots for pinned reads; a power of two. More concurrent gets fall back to {@link #begin}. */
  static final int PIN_SLOTS = 64;
  /** Longs between two slots: 64 bytes, so two slots never share a cache line. */
  private static final int PIN_STRIDE = 8;

  private final boolean detectConflicts;
  private final boolean managed;
  private final Object lock = new Object();
  /** The next commit timestamp (normal mode). */
  @GuardedBy("lock")
  private long nextCommitTs;
  /** {@code nextCommitTs - 1}, written under {@link #lock}, read without it by pinned reads. */
  private volatile long allocatedTs;
  /** Pinned reads: slot {@code i} is element {@code i * PIN_STRIDE}, 0 when free. */
  private final AtomicLongArray pins = new AtomicLongArray(PIN_SLOTS * PIN_STRIDE);
  /**
   * The highest timestamp {@link #discardTimestamp} has started to compute with; written under
   * {@link #lock}, so it only grows. See "Pinned reads" above.
   */
  private volatile long discardProposal;
  /** Write sets of commits that a transaction may conflict with. */
  @GuardedBy("lock")
  private final ArrayDeque<CommittedWrites> committed = new ArrayDeque<>();
  /** Commits at or below this were forgotten (cap or discard). */
  @GuardedBy("lock")
  private long forgottenUpTo;
  /** Read timestamps of every running transaction, with counts. */
  @GuardedBy("lock")
  private final TreeMap<Long, Integer> runningReads = new TreeMap<>();
  /** Read timestamps of running read-write transactions, with counts. */
  @GuardedBy("lock")
  private final TreeMap<Long, Integer> runningUpdates = new TreeMap<>();
  /** Managed mode's discard timestamp. */
  @GuardedBy("lock")
  private long managedDiscardTs;
  /** Every commit at or below this timestamp is finished: applied, or failed. */
  private volatile long appliedTs;
  /** The first commit that failed; readers never read at or above it. */
  private volatile long firstFailedTs = Long.MAX_VALUE;
  /** Set when the store closes: nobody waits for the writer any more. */
  private volatile boolean closed;
  private final Object finished = new Object();
  /** Readers in {@link #awaitFinished}. */
  private final AtomicInteger waiters = new AtomicInteger();

  /** Starts after {@code maxVersion}, the highest version already in the store. */
  public Oracle(long maxVersion, boolean detectConflicts) {
    this(maxVersion, detectConflicts, false);
  }

  public Oracle(long maxVersion, boolean detectConflicts, boolean managed) {
    this.detectConflicts = detectConflicts;
    this.managed = managed;
    this.nextCommitTs = maxVersion + 1;
    this.allocatedTs = maxVersion;
    this.appliedTs = maxVersion;
  }

  /** The newest timestamp a reader may see now: finished commits, below any failure. */
  public long readTimestamp() {
    return Math.min(appliedTs, firstFailedTs - 1);
  }

  /**
   * The discard timestamp (Badger §8.4): no running transaction reads below it, so compaction may
   * drop a version at or below it when a newer version, also at or below it, shadows it. In managed
   * mode it is what the caller set.
   */
  public long discardTimestamp() {
    synchronized (lock) {
      if (managed) {
        return managedDiscardTs;
      }
      long visible = readTimestamp();
      if (visible > discardProposal) {
        discardProposal = visible; // before the scan: see "Pinned reads"
      }
      long discard = runningReads.isEmpty() ? visible : Math.min(visible, runningReads.firstKey());
      for (int slot = 0; slot < PIN_SLOTS; slot++) {
        long pinned = pins.get(slot * PIN_STRIDE);
        if (pinned != 0) {
          discard = Math.min(discard, pinned - 1);
        }
      }
      return discard;
    }
  }

  /**
   * Pins a read at the timestamp {@link #begin} would give, without the lock: returns the slot
   * (pass it to {@link #pinnedReadTimestamp} and, when done, to {@link #unpin}), or -1 when every
   * slot is taken, and then the caller uses {@link #begin}. Normal mode only.
   */
  public int pinRead() {
    int start = (int) (Thread.currentThread().getId() * 0x9E3779B97F4A7C15L >>> 58);
    for (int attempt = 0; attempt < PIN_SLOTS; attempt++) {
      int slot = (start + attempt) & (PIN_SLOTS - 1);
      int index = slot * PIN_STRIDE;
      long target = pinTarget();
      if (pins.get(index) != 0 || !pins.compareAndSet(index, 0, target + 1)) {
        continue;
      }
      while (discardProposal > target) {
        // A discard timestamp above ours may be in use: pin a newer timestamp, which is at
        // least the proposal (commits are allocated before they are applied).
        target = pinTarget();
        pins.set(index, target + 1);
      }
      awaitFinished(target);
      long readTs = Math.min(target, firstFailedTs - 1);
      if (readTs != target) {
        pins.set(index, readTs + 1); // lower is always safe: a failure caps every reader
      }
      return slot;
    }
    return -1;
  }

  /** The read timestamp of a pinned read. */
  public long pinnedReadTimestamp(int slot) {
    return pins.get(slot * PIN_STRIDE) - 1;
  }

  /** Ends a pinned read. */
  public void unpin(int slot) {
    pins.set(slot * PIN_STRIDE, 0);
  }

  private long pinTarget() {
    return Math.min(allocatedTs, firstFailedTs - 1);
  }

  /** Managed mode: versions at or below {@code ts} may be dropped; forgets older write sets. */
  public void setDiscardTimestamp(long ts) {
    synchronized (lock) {
      managedDiscardTs = Math.max(managedDiscardTs, ts);
      pruneCommittedLocked();
    }
  }

  /**
   * Starts a transaction (read-only ones too: compaction must keep what they can see): its read
   * timestamp, registered until {@link #finish}.
   */
  public long begin(boolean update) {
    long target;
    synchronized (lock) {
      target = Math.min(nextCommitTs - 1, firstFailedTs - 1);
      registerLocked(target, update);
    }
    awaitFinished(target);
    long readTs = Math.min(target, firstFailedTs - 1);
    if (readTs != target) { // a commit below target failed while we waited
      synchronized (lock) {
        unregisterLocked(target, update);
        registerLocked(readTs, update);
      }
    }
    return readTs;
  }

  /** Waits until the writer has finished every commit up to {@code ts}, or the store closed. */
  private void awaitFinished(long ts) {
    if (appliedTs >= ts) {
      return;
    }
    boolean interrupted = false;
    waiters.incrementAndGet(); // before appliedTs is read again: see wakeWaiters
    try {
      synchronized (finished) {
        while (appliedTs < ts && !closed) {
          try {
            finished.wait(10);
          } catch (InterruptedException e) {
            interrupted = true; // a snapshot must be complete; the wait is one group commit long
          }
        }
      }
    } finally {
      waiters.decrementAndGet();
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Managed mode: registers a transaction reading at {@code readTs}. */
  public long beginAt(long readTs, boolean update) {
    synchronized (lock) {
      registerLocked(readTs, update);
      return readTs;
    }
  }

  @GuardedBy("lock")
  private void registerLocked(long readTs, boolean update) {
    assert Thread.holdsLock(lock);
    runningReads.merge(readTs, 1, Integer::sum);
    if (update) {
      runningUpdates.merge(readTs, 1, Integer::sum);
    }
  }

  /** Ends a transaction started at {@code readTs}, committed or not. */
  public void finish(long readTs, boolean update) {
    synchronized (lock) {
      unregisterLocked(readTs, update);
      pruneCommittedLocked();
    }
  }

  @GuardedBy("lock")
  private void unregisterLocked(long readTs, boolean update) {
    assert Thread.holdsLock(lock);
    runningReads.computeIfPresent(readTs, (ts, count) -> count == 1 ? null : count - 1);
    if (update) {
      runningUpdates.computeIfPresent(readTs, (ts, count) -> count == 1 ? null : count - 1);
    }
  }

  /**
   * Checks {@code reads} against the commits after {@code readTs}; if there is no conflict,
   * allocates the next commit timestamp and, still under the lock, passes it to {@code enqueue},
   * which must hand the commit to the writer. Returns the commit timestamp or {@link #CONFLICT}.
   */
  public long commit(long readTs, long[] reads, long[] writes, LongConsumer enqueue) {
    synchronized (lock) {
      if (detectConflicts && hasConflictLocked(readTs, reads)) {
        return CONFLICT;
      }
      long commitTs = nextCommitTs;
      allocateThroughLocked(commitTs);
      recordLocked(commitTs, writes);
      enqueue.accept(commitTs);
      pruneCommittedLocked();
      return commitTs;
    }
  }

  /** Managed mode: like {@link #commit} with the caller's {@code commitTs}; false on a conflict. */
  public boolean commitAt(long readTs, long commitTs, long[] reads, long[] writes, LongConsumer enqueue) {
    synchronized (lock) {
      if (detectConflicts && hasConflictLocked(readTs, reads)) {
        return false;
      }
      recordLocked(commitTs, writes);
      enqueue.accept(commitTs);
      pruneCommittedLocked();
      return true;
    }
  }

  /**
   * Keeps a commit's write set for later conflict checks, unless no transaction can ever be checked
   * against it: in normal mode a read-write transaction that registers after this commit reads at
   * or above {@code commitTs} (registration and allocation share the lock), so only one already
   * running can; with none running (the common single-key commit, whose transaction never read,
   * is not registered), the copy, sort and list entry are skipped.
   */
  @GuardedBy("lock")
  private void recordLocked(long commitTs, long[] writes) {
    assert Thread.holdsLock(lock);
    if (!detectConflicts || writes.length == 0 || !managed && runningUpdates.isEmpty()) {
      return;
    }
    committed.addLast(new CommittedWrites(commitTs, writes));
  }

  /**
   * Called by the writer once a commit is applied. Never called for a commit that failed: readers
   * must not get a timestamp at or above it, because its entries may sit in the memtable
   * unacknowledged.
   */
  public void markApplied(long commitTs) {
    if (commitTs > appliedTs) {
      appliedTs = commitTs;
      wakeWaiters();
    }
  }

  /**
   * Called by the writer, in timestamp order, for a commit that failed: waiting readers move on,
   * but no reader is ever given a timestamp at or above it.
   */
  public void markFailed(long commitTs) {
    if (commitTs < firstFailedTs) {
      firstFailedTs = commitTs;
    }
    markApplied(commitTs);
    wakeWaiters();
  }

  /**
   * Moves commit timestamps past {@code version}, the newest of writes made outside transactions
   * (a backup being loaded), and, still under the commit lock, runs {@code enqueue}, which must
   * hand those writes to the writer without blocking. So every commit allocated after them is
   * queued after them, every one allocated before is queued before, and once the writer has
   * applied them {@link #markApplied}{@code (version)} may show them to readers. Never moves
   * timestamps back.
   */
  public <T> T advancePast(long version, Supplier<T> enqueue) {
    synchronized (lock) {
      if (version >= nextCommitTs) {
        allocateThroughLocked(version);
      }
      return enqueue.get();
    }
  }

  /**
   * Data with versions up to {@code version} was added outside the commit path (a bulk load,
   * with commits held back): they become visible, and later commits get newer timestamps.
   */
  public void publishLoaded(long version) {
    advancePast(version, () -> null);
    markApplied(version);
  }

  /**
   * Timestamps up to {@code ts} are handed out: the next commit gets {@code ts + 1}, and pinned
   * reads ({@link #pinRead}), which read {@link #allocatedTs} without the lock, target {@code ts}.
   * The only place the two move.
   */
  @GuardedBy("lock")
  private void allocateThroughLocked(long ts) {
    assert Thread.holdsLock(lock);
    nextCommitTs = ts + 1;
    allocatedTs = ts;
  }

  /** The store closed: readers stop waiting for commits that will never be applied. */
  public void close() {
    closed = true;
    wakeWaiters();
  }

  /**
   * Wakes readers waiting in {@link #awaitFinished}, if any: the common commit has none and takes
   * no monitor. A waiter counts itself before it reads {@code appliedTs} and the writer stores
   * {@code appliedTs} before it reads the count (all volatile, so sequentially consistent): either
   * the waiter sees the new timestamp or the writer sees the waiter.
   */
  private void wakeWaiters() {
    if (waiters.get() == 0) {
      return;
    }
    synchronized (finished) {
      finished.notifyAll();
    }
  }

  /** The highest applied commit timestamp. */
  public long appliedTimestamp() {
    return appliedTs;
  }

  /** Number of commits kept for conflict checks. */
  public int trackedCommits() {
    synchronized (lock) {
      return committed.size();
    }
  }

  @GuardedBy("lock")
  private boolean hasConflictLocked(long readTs, long[] reads) {
    assert Thread.holdsLock(lock);
    if (reads.length == 0) {
      return false;
    }
    if (readTs < forgottenUpTo) {
      return true; // commits after readTs were forgotten: cannot prove there is no conflict
    }
    for (Iterator<CommittedWrites> it = committed.descendingIterator(); it.hasNext(); ) {
      CommittedWrites commit = it.next();
      if (commit.commitTs <= readTs) {
        if (managed) {
          continue; // managed commit timestamps arrive in any order
        }
        return false;
      }
      if (commit.intersects(reads)) {
        return true;
      }
    }
    return false;
  }

  @GuardedBy("lock")
  private void pruneCommittedLocked() {
    assert Thread.holdsLock(lock);
    long horizon;
    if (managed) {
      horizon = managedDiscardTs;
    } else {
      // A transaction starting now reads at appliedTs: commits above it must stay checkable.
      horizon = runningUpdates.isEmpty() ? appliedTs : Math.min(appliedTs, runningUpdates.firstKey());
    }
    while (!committed.isEmpty()
        && (committed.peekFirst().commitTs <= horizon || committed.size() > MAX_TRACKED_COMMITS)) {
      CommittedWrites dropped = committed.removeFirst();
      if (dropped.commitTs > horizon) {
        forgottenUpTo = Math.max(forgottenUpTo, dropped.commitTs); // forgotten for the cap
      }
    }
  }

  /** The key fingerprints one commit wrote, sorted for binary search. */
  private static final class CommittedWrites {
    final long commitTs;
    final long[] sortedWrites;

    CommittedWrites(long commitTs, long[] writes) {
      this.commitTs = commitTs;
      this.sortedWrites = writes.clone();
      java.util.Arrays.sort(sortedWrites);
    }

    boolean intersects(long[] reads) {
      for (long read : reads) {
        if (java.util.Arrays.binarySearch(sortedWrites, read) >= 0) {
          return true;
        }
      }
      return false;
    }
  }
}
