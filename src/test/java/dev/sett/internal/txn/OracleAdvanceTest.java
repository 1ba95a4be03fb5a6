package dev.sett.internal.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@link Oracle#publishLoaded}: data loaded outside the commit path. */
class OracleAdvanceTest {
  @Test
  void loadedVersionsBecomeVisibleAndLaterCommitsAreNewer() {
    Oracle oracle = new Oracle(5, true);
    oracle.publishLoaded(1000);
    assertEquals(1000, oracle.readTimestamp());
    long readTs = oracle.begin(true);
    assertEquals(1000, readTs);
    long commitTs = oracle.commit(readTs, new long[0], new long[] {7}, ts -> { });
    assertEquals(1001, commitTs);
    oracle.markApplied(commitTs);
    oracle.finish(readTs, true);
  }

  @Test
  void pinnedReadsSeeWhatWasLoaded() {
    // DB.get pins its read without the lock: loaded versions must be visible to it too.
    Oracle oracle = new Oracle(5, true);
    oracle.publishLoaded(1000);
    int slot = oracle.pinRead();
    assertEquals(1000, oracle.pinnedReadTimestamp(slot));
    oracle.unpin(slot);
    java.util.concurrent.atomic.AtomicBoolean queued = new java.util.concurrent.atomic.AtomicBoolean();
    oracle.advancePast(2000, () -> queued.getAndSet(true));
    oracle.markApplied(2000);
    slot = oracle.pinRead();
    assertEquals(2000, oracle.pinnedReadTimestamp(slot));
    oracle.unpin(slot);
  }

  @Test
  void advancingBelowWhatIsThereChangesNothing() {
    Oracle oracle = new Oracle(50, true);
    oracle.publishLoaded(10);
    assertEquals(50, oracle.readTimestamp());
    long readTs = oracle.begin(false);
    assertEquals(50, readTs);
    oracle.finish(readTs, false);
    assertEquals(51, oracle.commit(50, new long[0], new long[0], ts -> { }));
  }
}
