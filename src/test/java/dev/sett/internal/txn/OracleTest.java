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

  @Test
  void aPinnedReadHoldsTheDiscardTimestampAndReadsWhatBeginWould() {
    Oracle oracle = new Oracle(0, true);
    commitBlind(oracle, 1);
    int pin = oracle.pinRead();
    long readTs = oracle.pinnedReadTimestamp(pin);
    assertEquals(oracle.readTimestamp(), readTs);
    long transaction = oracle.begin(false);
    assertEquals(transaction, readTs, "a pin reads where a transaction begun now reads");
    oracle.finish(transaction, false);
    for (int i = 0; i < 100; i++) {
      commitBlind(oracle, i);
    }
    assertEquals(readTs, oracle.discardTimestamp(), "the pin keeps what it can see");
    oracle.unpin(pin);
    assertEquals(oracle.readTimestamp(), oracle.discardTimestamp());
  }

  @Test
  void pinsBeyondTheSlotsFallBackAndSlotsAreReused() {
    Oracle oracle = new Oracle(0, true);
    int[] pins = new int[Oracle.PIN_SLOTS];
    for (int i = 0; i < pins.length; i++) {
      pins[i] = oracle.pinRead();
      assertTrue(pins[i] >= 0);
    }
    assertEquals(-1, oracle.pinRead(), "every slot is taken");
    oracle.unpin(pins[7]);
    assertEquals(pins[7], oracle.pinRead());
    for (int pin : pins) {
      oracle.unpin(pin);
    }
  }

  /**
   * Readers pin and unpin while a committer commits and a compactor computes discard timestamps:
   * no discard timestamp computed before a pin's end ever exceeds the pinned read timestamp (one
   * computed before the pin is at most the applied timestamp then, which the pin reads at or
   * above).
   */
  @Test
  void aDiscardTimestampNeverPassesAHeldPinWhileCommitsGoOn() throws Exception {
    Oracle oracle = new Oracle(0, true);
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicLong lastDiscard = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicReference<String> failure =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread committer = new Thread(() -> {
      for (long key = 0; !stop.get(); key++) {
        commitBlind(oracle, key);
      }
    });
    Thread compactor = new Thread(() -> {
      while (!stop.get()) {
        long discard = oracle.discardTimestamp();
        lastDiscard.accumulateAndGet(discard, Math::max);
      }
    });
    Thread[] readers = new Thread[3];
    for (int r = 0; r < readers.length; r++) {
      readers[r] = new Thread(() -> {
        while (!stop.get()) {
          int pin = oracle.pinRead();
          long readTs = oracle.pinnedReadTimestamp(pin);
          for (int spin = 0; spin < 100; spin++) {
            Thread.onSpinWait();
          }
          // No discard timestamp, computed before the pin or while it is held, by this thread or
          // the compactor racing the pin, may pass it.
          long discard = Math.max(oracle.discardTimestamp(), lastDiscard.get());
          if (discard > readTs) {
            failure.compareAndSet(null, "discard " + discard + " above pinned " + readTs);
          }
          oracle.unpin(pin);
        }
      });
    }
    committer.start();
    compactor.start();
    for (Thread reader : readers) {
      reader.start();
    }
    Thread.sleep(1500);
    stop.set(true);
    committer.join();
    compactor.join();
    for (Thread reader : readers) {
      reader.join();
    }
    assertEquals(null, failure.get());
    assertTrue(lastDiscard.get() > 0, "commits went on");
  }
}
