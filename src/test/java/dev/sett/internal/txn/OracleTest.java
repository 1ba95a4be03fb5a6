package dev.sett.internal.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class OracleTest {
  private static final long[] NOTHING = new long[0];

  /** Commits one blind write of key fingerprint {@code key} and applies it at once. */
  private static long commitBlind(Oracle oracle, long key) {
    long readTs = oracle.begin(true);
    long commitTs = oracle.commit(readTs, NOTHING, new long[] {key}, ts -> { });
    oracle.markApplied(commitTs);
    oracle.finish(readTs, true);
    return commitTs;
  }

  @Test
  void aReadOverwrittenByALaterCommitConflictsAndABlindWriteNever() {
    Oracle oracle = new Oracle(0, true);
    long reader = oracle.begin(true);
    commitBlind(oracle, 42);
    assertEquals(Oracle.CONFLICT, oracle.commit(reader, new long[] {42}, new long[] {1}, ts -> { }));
    oracle.finish(reader, true);
    long blind = oracle.begin(true);
    commitBlind(oracle, 42);
    assertTrue(oracle.commit(blind, NOTHING, new long[] {42}, ts -> { }) > 0);
  }

  @Test
  void aLongLivedReadOnlyTransactionKeepsNoWriteSetsAlive() {
    Oracle oracle = new Oracle(0, true);
    long snapshot = oracle.begin(false);
    for (int i = 0; i < 10_000; i++) {
      commitBlind(oracle, i);
    }
    assertEquals(0, oracle.trackedCommits());
    assertEquals(snapshot, oracle.discardTimestamp(), "but compaction keeps what it can see");
    oracle.finish(snapshot, false);
  }

  @Test
  void aLongLivedReadWriteTransactionCannotGrowTheConflictListWithoutBound() {
    Oracle oracle = new Oracle(0, true);
    long old = oracle.begin(true);
    for (int i = 0; i < Oracle.MAX_TRACKED_COMMITS + 5_000; i++) {
      commitBlind(oracle, 1_000_000 + i);
    }
    assertTrue(oracle.trackedCommits() <= Oracle.MAX_TRACKED_COMMITS, "" + oracle.trackedCommits());
    // Its reads can no longer be checked against what was forgotten: it must retry, not commit.
    assertEquals(Oracle.CONFLICT, oracle.commit(old, new long[] {7}, new long[] {7}, ts -> { }));
    oracle.finish(old, true);
  }

  @Test
  void managedModeChecksCallerTimestampsAndPrunesAtTheDiscardTimestamp() {
    Oracle oracle = new Oracle(0, true, true);
    long reader = oracle.beginAt(5, true);
    assertTrue(oracle.commitAt(oracle.beginAt(5, true), 10, NOTHING, new long[] {1}, ts -> { }));
    assertEquals(false, oracle.commitAt(reader, 11, new long[] {1}, new long[] {2}, ts -> { }),
        "read at 5, written at 10");
    assertTrue(oracle.commitAt(oracle.beginAt(10, true), 12, new long[] {1}, new long[] {3}, ts -> { }),
        "read at 10 sees the commit at 10");
    oracle.setDiscardTimestamp(20);
    assertEquals(0, oracle.trackedCommits());
    assertEquals(20, oracle.discardTimestamp());
  }
}
