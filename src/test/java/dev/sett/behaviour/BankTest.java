package dev.sett.behaviour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bank test (reference/badger-v4.md §12.3) as a JUnit test: 1,000 accounts, eight transfer
 * threads moving money in read-write transactions (retrying conflicts), one auditor summing every
 * account in a read-only transaction, on small memtables so flushes and compactions run
 * underneath. See {@link Bank} for the details.
 *
 * <p>Duration: {@code -Dsett.bank.seconds=N} (default 30). Seed: {@code -Dsett.seed=N}. For longer
 * runs by hand use {@link BankTestMain}:
 * <pre>mvn -q test-compile exec:java -Dexec.mainClass=dev.sett.behaviour.BankTestMain -Dexec.args="600"</pre>
 */
class BankTest {
  @TempDir
  Path dir;

  // §12.3 the bank test
  @Test
  void transfersUnderSerializableSnapshotIsolationNeverChangeTheTotal() throws Exception {
    double seconds = Double.parseDouble(System.getProperty("sett.bank.seconds", "30"));
    long seed = Support.seed();
    System.out.println("BankTest seed " + seed + ", " + seconds + " s");
    Bank.Result result = Bank.run(dir, seconds, 8, seed);
    System.out.println(result.summary());
    assertNull(result.violation(), result.summary());
    assertEquals(Bank.ACCOUNTS * Bank.START_BALANCE, result.finalTotal());
    assertTrue(result.transfers() > 0, "no transfer committed");
    assertTrue(result.audits() > 0, "no audit ran");
    assertTrue(result.tables() > 0, "no flush happened: " + result.summary());
  }
}
