package dev.sett;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The process-crash loop (RocksDB's blackbox crash test, in small): a child JVM ({@link
 * CrashLoopWriter}) commits random transactions while compactions, flattens and value-log GC run,
 * and is killed with SIGKILL at a random moment; the store is reopened here and compared, key by
 * key, with the expected state rebuilt from the acknowledged transactions. The store must hold
 * exactly the state after some transaction m, with m at least the last acknowledged one (kill -9
 * does not lose what reached the operating system, synced or not) and nothing torn. Then the next
 * cycle continues on the same store, alternating syncWrites.
 *
 * <p>CI runs {@value #DEFAULT_CYCLES} short cycles. Long run, for example an hour's worth:
 * {@code mvn -B -ntp test -Dtest=CrashLoopTest -Dsett.crashLoop.cycles=2000
 * -Dsett.crashLoop.maxAcks=20000}; replay with {@code -Dsett.seed=...}.
 */
class CrashLoopTest {
  private static final int DEFAULT_CYCLES = 20;
  private static final int CYCLES = Integer.getInteger("sett.crashLoop.cycles", DEFAULT_CYCLES);
  private static final int MAX_ACKS = Integer.getInteger("sett.crashLoop.maxAcks", 600);

  @TempDir
  Path dir;

  /** The encrypted run has half the cycles, to keep CI time modest. */
  @ParameterizedTest(name = "encrypted={0}")
  @ValueSource(booleans = {false, true})
  void everyCycleReopensToAStateAtOrAfterTheLastAcknowledgement(boolean encrypted)
      throws Exception {
    long seed = Long.getLong("sett.seed", new SplittableRandom().nextLong());
    System.out.println("CrashLoopTest seed " + seed + " (-Dsett.seed=" + seed + "), encrypted "
        + encrypted);
    int cycles = encrypted ? Math.max(1, CYCLES / 2) : CYCLES;
    SplittableRandom random = new SplittableRandom(seed);
    TreeMap<String, byte[]> expected = new TreeMap<>();
    long applied = -1; // the last transaction folded into expected
    long acknowledgedTotal = 0;
    for (int cycle = 0; cycle < cycles; cycle++) {
      boolean syncWrites = cycle % 2 == 1;
      long lastAck = applied;
      int acksBeforeKill = 1 + random.nextInt(MAX_ACKS);
      try (ChildJvm child = ChildJvm.start(CrashLoopWriter.class, dir.toString(),
          Long.toString(seed), Long.toString(applied + 1), Boolean.toString(syncWrites),
          Boolean.toString(encrypted))) {
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
        acknowledgedTotal += acks;
      }
      applied = verify(seed, expected, applied, lastAck, cycle, encrypted);
    }
    System.out.println("CrashLoopTest (encrypted " + encrypted + "): " + cycles
        + " kill -9 cycles survived, "
        + acknowledgedTotal + " acknowledged transactions, state verified after each");
  }

  /** Reopens, finds the surviving transaction m, checks the state; returns m. */
  private long verify(long seed, TreeMap<String, byte[]> expected, long applied, long lastAck,
      int cycle, boolean encrypted) {
    String context = "cycle " + cycle + "; seed " + seed + "; encrypted " + encrypted;
    try (DB db = DB.open(CrashLoopWriter.options(dir, false, encrypted))) {
      byte[] sequence = db.get(CrashLoopWriter.SEQUENCE_KEY);
      long survived = sequence == null ? -1
          : Long.parseLong(new String(sequence, StandardCharsets.UTF_8));
      assertTrue(survived >= lastAck, "acknowledged transaction " + lastAck + " lost: the store"
          + " ends at " + survived + "; " + context);
      for (long txn = applied + 1; txn <= survived; txn++) {
        for (CrashLoopWriter.Operation operation : CrashLoopWriter.operations(seed, txn)) {
          String key = new String(operation.key(), StandardCharsets.UTF_8);
          if (operation.value() == null) {
            expected.remove(key);
          } else {
            expected.put(key, operation.value());
          }
        }
      }
      TreeMap<String, byte[]> actual = new TreeMap<>();
      try (Txn txn = db.newTransaction(false);
          DbIterator it = txn.newIterator(IteratorOptions.builder().build())) {
        for (it.rewind(); it.valid(); it.next()) {
          String key = new String(it.item().key(), StandardCharsets.UTF_8);
          if (!key.equals("!seq")) {
            actual.put(key, it.item().value());
          }
        }
      }
      if (!actual.keySet().equals(expected.keySet())) {
        fail("keys differ from the state after transaction " + survived + "; " + context);
      }
      for (Map.Entry<String, byte[]> entry : expected.entrySet()) {
        if (!Arrays.equals(entry.getValue(), actual.get(entry.getKey()))) {
          fail("value of " + entry.getKey() + " differs after transaction " + survived + "; "
              + context);
        }
        if (!Arrays.equals(entry.getValue(), db.get(entry.getKey().getBytes(
            StandardCharsets.UTF_8)))) {
          fail("get of " + entry.getKey() + " differs from the scan; " + context);
        }
      }
      db.verifyChecksum();
      return survived;
    }
  }
}
