package dev.sett;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Kills a writing child JVM with SIGKILL at random moments and checks, after each crash, that every
 * acknowledged transaction is in the reopened store, that no transaction is torn (all of its keys
 * or none), and that what survived is a prefix of the commit order. Writes that reached the
 * operating system survive a process crash even without syncWrites. The seed is printed.
 */
class CrashTest {
  private static final int CYCLES = 3;

  @TempDir
  Path dir;

  @ParameterizedTest(name = "syncWrites={0}")
  @ValueSource(booleans = {false, true})
  void acknowledgedWritesSurviveKillNine(boolean syncWrites) throws Exception {
    long seed = new Random().nextLong();
    System.out.println("CrashTest seed " + seed + " syncWrites " + syncWrites);
    Random random = new Random(seed);
    long nextTxn = 0;
    for (int cycle = 0; cycle < CYCLES; cycle++) {
      long lastAck = -1;
      int acksBeforeKill = 50 + random.nextInt(400);
      try (ChildJvm child = ChildJvm.start(CrashWriter.class, dir.toString(),
          Boolean.toString(syncWrites), Long.toString(nextTxn), Long.toString(256 << 10))) {
        String line;
        int acks = 0;
        while ((line = child.readLine()) != null) {
          if (line.startsWith("ACK ")) {
            lastAck = Long.parseLong(line.substring(4));
            if (++acks >= acksBeforeKill) {
              break;
            }
          }
        }
        child.kill();
      }
      assertTrue(lastAck >= nextTxn, "the child acknowledged nothing; seed " + seed);
      nextTxn = verify(lastAck, seed) + 1;
    }
  }

  @org.junit.jupiter.api.Test
  void anotherProcessHoldingTheStoreKeepsThisOneOutUntilItDies() throws Exception {
    try (ChildJvm child = ChildJvm.start(CrashWriter.class, dir.toString(), "false", "0",
        Long.toString(256 << 10))) {
      String line;
      while ((line = child.readLine()) != null && !line.equals("OPEN")) {
        // wait until the child holds the store
      }
      assertEquals("OPEN", line);
      SettException refused = org.junit.jupiter.api.Assertions.assertThrows(SettException.class,
          () -> DB.open(Options.builder(dir).build()));
      assertTrue(refused.getMessage().contains("LOCK"), refused.getMessage());
      child.kill();
    }
    // The operating system releases the lock of a killed process: the store opens again.
    DB.open(Options.builder(dir).build()).close();
  }

  /** Checks the store after a crash; returns the last transaction present. */
  private long verify(long lastAck, long seed) {
    try (DB db = DB.open(Options.builder(dir).build())) {
      for (long txn = 0; txn <= lastAck; txn++) {
        for (int j = 0; j < CrashWriter.KEYS_PER_TXN; j++) {
          assertArrayEquals(CrashWriter.value(txn, j), db.get(CrashWriter.key(txn, j)),
              "acknowledged transaction " + txn + " key " + j + " lost; seed " + seed);
        }
      }
      // The child went on committing after the last acknowledgement the test read: those commits
      // may be there too, each whole, and together a prefix of the commit order.
      long last = lastAck;
      while (true) {
        int present = presentKeys(db, last + 1);
        assertTrue(present == 0 || present == CrashWriter.KEYS_PER_TXN,
            "transaction " + (last + 1) + " is torn: " + present + " keys; seed " + seed);
        if (present == 0) {
          break;
        }
        last++;
      }
      for (long txn = last + 2; txn <= last + 20; txn++) {
        assertEquals(0, presentKeys(db, txn),
            "transaction " + txn + " present after missing " + (last + 1) + ": not a prefix; seed " + seed);
      }
      db.verifyChecksum();
      return last;
    }
  }

  private static int presentKeys(DB db, long txn) {
    int present = 0;
    for (int j = 0; j < CrashWriter.KEYS_PER_TXN; j++) {
      if (db.get(CrashWriter.key(txn, j)) != null) {
        present++;
      }
    }
    return present;
  }
}
