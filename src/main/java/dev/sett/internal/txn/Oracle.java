package dev.sett.internal.txn;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.TreeMap;
import java.util.function.LongConsumer;

/**
 * Hands out read and commit timestamps and decides, at commit, whether a transaction conflicts.
 *
 * <p><b>Design.</b> Every commit gets a timestamp one above the last, under one lock that also
 * enqueues the commit's write request, so the single writer applies commits in timestamp order.
 * The writer reports each applied timestamp ({@link #markApplied}); a new transaction reads at the
 * highest applied one, so it sees every earlier commit whole and nothing of a later one. Badger
 * needs a watermark with a pending-index heap for the same guarantee because its commits can finish
 * out of order; Sett's writer finishes them in order, so a single volatile suffices.
 *
 * <p>Conflicts (serializable snapshot isolation): a transaction that read keys conflicts if any
 * transaction that committed after its read timestamp wrote one of them. Reads and writes are kept
 * as 64-bit key fingerprints; a collision can only cause a spurious conflict, never a missed one.
 * A committed write set is kept while a transaction could still start, or is running, with a read
 * timestamp below its commit timestamp: while the commit is not yet applied, or some running
 * transaction is older than it. The set stays bounded by the commits in flight plus those newer
 * than the oldest running transaction.
 *
 * <p>Thread-safety: safe for concurrent use.
 */
public final class Oracle {
  /** Returned by {@link #commit} when the transaction conflicts. Commit timestamps start at 1. */
  public static final long CONFLICT = 0;

  private final boolean detectConflicts;
  private final Object lock = new Object();
  /** Guarded by {@link #lock}: the next commit timestamp. */
  private long nextCommitTs;
  /** Guarded by {@link #lock}: write sets of commits that a running transaction may conflict with. */
  private final ArrayDeque<CommittedWrites> committed = new ArrayDeque<>();
  /** Guarded by {@link #lock}: read timestamps of running read-write transactions, with counts. */
  private final TreeMap<Long, Integer> runningReads = new TreeMap<>();
  /** Every commit at or below this timestamp is applied (visible to readers). */
  private volatile long appliedTs;

  /** Starts after {@code maxVersion}, the highest version already in the store. */
  public Oracle(long maxVersion, boolean detectConflicts) {
    this.detectConflicts = detectConflicts;
    this.nextCommitTs = maxVersion + 1;
    this.appliedTs = maxVersion;
  }

  /** The current read timestamp: every commit at or below it is applied. Registers nothing. */
  public long readTimestamp() {
    return appliedTs;
  }

  /**
   * The discard timestamp (Badger §8.4): no running transaction reads below it, so compaction may
   * drop a version at or below it when a newer version, also at or below it, shadows it.
   */
  public long discardTimestamp() {
    synchronized (lock) {
      return runningReads.isEmpty() ? appliedTs : Math.min(appliedTs, runningReads.firstKey());
    }
  }

  /**
   * Starts a transaction (read-only ones too: compaction must keep what they can see): its read
   * timestamp, registered until {@link #finish}.
   */
  public long begin() {
    synchronized (lock) {
      long readTs = appliedTs;
      runningReads.merge(readTs, 1, Integer::sum);
      return readTs;
    }
  }

  /** Ends a transaction started at {@code readTs}, committed or not. */
  public void finish(long readTs) {
    synchronized (lock) {
      runningReads.computeIfPresent(readTs, (ts, count) -> count == 1 ? null : count - 1);
      pruneCommittedLocked();
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
      long commitTs = nextCommitTs++;
      if (detectConflicts && writes.length > 0) {
        committed.addLast(new CommittedWrites(commitTs, writes));
      }
      enqueue.accept(commitTs);
      pruneCommittedLocked();
      return commitTs;
    }
  }

  /**
   * Called by the writer, in timestamp order, once a commit is applied. Never called for a commit
   * that failed: readers must not get a timestamp at or above it, because its entries may sit in
   * the memtable unacknowledged.
   */
  public void markApplied(long commitTs) {
    if (commitTs > appliedTs) {
      appliedTs = commitTs;
    }
  }

  /** The highest applied commit timestamp. */
  public long appliedTimestamp() {
    return appliedTs;
  }

  /** Number of commits kept for conflict checks (bounded by the oldest running transaction). */
  public int trackedCommits() {
    synchronized (lock) {
      return committed.size();
    }
  }

  private boolean hasConflictLocked(long readTs, long[] reads) {
    if (reads.length == 0) {
      return false;
    }
    for (Iterator<CommittedWrites> it = committed.descendingIterator(); it.hasNext(); ) {
      CommittedWrites commit = it.next();
      if (commit.commitTs <= readTs) {
        return false;
      }
      if (commit.intersects(reads)) {
        return true;
      }
    }
    return false;
  }

  private void pruneCommittedLocked() {
    // A transaction starting now reads at appliedTs: commits above it must stay checkable.
    long horizon = runningReads.isEmpty() ? appliedTs : Math.min(appliedTs, runningReads.firstKey());
    while (!committed.isEmpty() && committed.peekFirst().commitTs <= horizon) {
      committed.removeFirst();
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
