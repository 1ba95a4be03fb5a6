package dev.sett.internal.txn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@link Oracle#advancePast}: timestamps for writes made outside transactions (a load). */
class OracleAdvancePastTest {
  private static long commit(Oracle oracle) {
    long ts = oracle.commit(oracle.begin(true), new long[0], new long[0], t -> { });
    oracle.markApplied(ts);
    return ts;
  }

  @Test
  void commitsAfterItAreNewerAndItNeverMovesBack() {
    Oracle oracle = new Oracle(10, true);
    assertEquals("queued", oracle.advancePast(500, () -> "queued"));
    assertEquals(10, oracle.readTimestamp(), "readers wait for markApplied");
    oracle.markApplied(500);
    assertEquals(500, oracle.readTimestamp());
    assertEquals(501, commit(oracle));
    oracle.advancePast(100, () -> null); // older than what commits reached: no change
    assertEquals(502, commit(oracle));
  }

  @Test
  void itsEnqueueRunsUnderTheCommitLock() throws Exception {
    Oracle oracle = new Oracle(0, true);
    long[] committed = new long[1];
    Thread committer = new Thread(() -> committed[0] = commit(oracle));
    oracle.advancePast(1000, () -> {
      committer.start();
      try {
        committer.join(200); // it cannot allocate a timestamp while the enqueue runs
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      assertEquals(0, committed[0]);
      return null;
    });
    oracle.markApplied(1000); // the loaded writes are applied: the committer's read may start
    committer.join();
    assertEquals(1001, committed[0], "allocated after the enqueue: newer than the loaded writes");
  }
}
