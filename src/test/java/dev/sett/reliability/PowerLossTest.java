package dev.sett.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sett.DB;
import dev.sett.Options;
import dev.sett.SettException;
import dev.sett.internal.db.FaultyStores;
import dev.sett.internal.fs.FaultInjectingFileSystem;
import dev.sett.internal.fs.FaultInjectingFileSystem.Op;
import dev.sett.internal.fs.FaultInjectingFileSystem.PowerLoss;
import dev.sett.internal.fs.InMemoryFileSystem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Power loss at random points, simulated by the {@link FaultInjectingFileSystem}: a single writer
 * commits numbered transactions (each writes its own keys and the {@code last} register) while the
 * flusher and the compactors run; at a random file operation the power goes, the store is reopened
 * and checked. With {@code syncWrites} every acknowledged transaction must be there; in every mode
 * what survives must be a prefix of the commit order with no torn transaction, and the
 * {@code last} register must name the last surviving transaction.
 *
 * <p>The seed is printed; replay with {@code -Dsett.seed=...}. Longer runs: {@code
 * -Dsett.powerLoss.rounds=500}.
 */
class PowerLossTest {
  private static final Path DIR = Path.of("/power-loss/store");
  private static final byte[] LAST = "last".getBytes(StandardCharsets.UTF_8);
  private static final int ROUNDS = Integer.getInteger("sett.powerLoss.rounds", 12);

  @ParameterizedTest(name = "syncWrites={0} {1} encrypted={2}")
  @CsvSource({"true, DROP_UNSYNCED, false", "true, KEEP_RANDOM_PREFIX, false",
      "false, DROP_UNSYNCED, false", "false, KEEP_RANDOM_PREFIX, false",
      "true, KEEP_RANDOM_PAGES, false", "false, KEEP_RANDOM_PAGES, false",
      "true, KEEP_RANDOM_PREFIX, true", "false, DROP_UNSYNCED, true",
      "false, KEEP_RANDOM_PAGES, true"})
  void survivorsArePrefixOfCommitOrderAndAcknowledgedWritesSurvive(boolean syncWrites,
      PowerLoss mode, boolean encrypted) {
    long seed = Long.getLong("sett.seed", new SplittableRandom().nextLong());
    System.out.println("PowerLossTest seed " + seed + " (-Dsett.seed=" + seed + ") syncWrites "
        + syncWrites + " " + mode + " encrypted " + encrypted);
    SplittableRandom random = new SplittableRandom(seed);
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(new InMemoryFileSystem());
    Options options = Options.builder(DIR).syncWrites(syncWrites).memTableSize(64 << 10)
        .baseTableSize(16 << 10).baseLevelSize(64 << 10).numLevelZeroTables(2)
        .numLevelZeroTablesStall(4).valueThreshold(128).valueLogFileSize(1 << 20)
        .encryptionKey(encrypted ? dev.sett.CrashLoopWriter.TEST_KEY : null).build();
    long nextTxn = 0;
    int crashes = 0;
    for (int round = 0; round < ROUNDS; round++) {
      Op[] ops = {Op.WRITE, Op.SYNC, Op.CREATE, Op.RENAME, Op.DELETE};
      Op op = ops[random.nextInt(ops.length)];
      long n = 1 + random.nextLong(op == Op.WRITE ? 400 : 40);
      fs.powerLossAtNth(op, n, mode, random.split());
      long lastAck = nextTxn - 1;
      DB db = null;
      try {
        db = FaultyStores.open(options, fs);
        int txns = 200 + random.nextInt(600);
        for (int i = 0; i < txns && !fs.isDown(); i++) {
          long txn = nextTxn++;
          int keys = 1 + random.nextInt(4);
          int valueSize = random.nextInt(300);
          db.update(t -> {
            for (int j = 0; j < keys; j++) {
              t.set(key(txn, j), value(txn, j, valueSize));
            }
            t.set(key(txn, -1), Integer.toString(keys).getBytes(StandardCharsets.UTF_8));
            t.set(LAST, Long.toString(txn).getBytes(StandardCharsets.UTF_8));
          });
          lastAck = txn;
        }
      } catch (SettException e) {
        assertTrue(fs.isDown(), "a failure without a power loss: " + e + "; seed " + seed);
      }
      if (!fs.isDown()) {
        // The workload ended first: the power goes now.
        DB open = db;
        fs.powerLossAtNth(Op.WRITE, 1, mode, random.split());
        try {
          open.put("trigger".getBytes(StandardCharsets.UTF_8), new byte[1]);
        } catch (SettException expected) {
          // the write that meets the power loss
        }
      }
      crashes++;
      System.out.println("round " + round + ": " + fs.lastPowerLoss());
      try {
        if (db != null) {
          db.close();
        }
      } catch (SettException expected) {
        // the machine is off
      }
      fs.restart();
      fs.clearFaults();
      nextTxn = verify(options, fs, syncWrites ? lastAck : -1, seed) + 1;
    }
    assertEquals(ROUNDS, crashes);
  }

  /** Checks the reopened store; returns the last transaction in it. */
  private static long verify(Options options, FaultInjectingFileSystem fs, long lastAck,
      long seed) {
    try (DB db = FaultyStores.open(options, fs)) {
      byte[] lastBytes = db.get(LAST);
      long last = lastBytes == null ? -1 : Long.parseLong(new String(lastBytes,
          StandardCharsets.UTF_8));
      assertTrue(last >= lastAck, "acknowledged transaction " + lastAck + " lost (last is "
          + last + "); seed " + seed);
      for (long txn = 0; txn <= last; txn++) {
        byte[] count = db.get(key(txn, -1));
        if (count == null) {
          fail("transaction " + txn + " missing below the last one, " + last
              + ": not a prefix of the commit order; seed " + seed);
        }
        int keys = Integer.parseInt(new String(count, StandardCharsets.UTF_8));
        for (int j = 0; j < keys; j++) {
          byte[] value = db.get(key(txn, j));
          if (value == null) {
            fail("transaction " + txn + " is torn: key " + j + " missing; seed " + seed);
          }
          assertArrayEquals(value(txn, j, value.length - prefixLength(txn, j)), value,
              "transaction " + txn + " key " + j + "; seed " + seed);
        }
      }
      for (long txn = last + 1; txn <= last + 50; txn++) {
        assertEquals(null, db.get(key(txn, -1)),
            "transaction " + txn + " present after the last one, " + last + "; seed " + seed);
      }
      db.verifyChecksum();
      // The next round continues the numbering where this store ends.
      return last;
    }
  }

  static byte[] key(long txn, int j) {
    return String.format("t%08d-%d", txn, j).getBytes(StandardCharsets.UTF_8);
  }

  private static int prefixLength(long txn, int j) {
    return (txn + "/" + j + ":").length();
  }

  static byte[] value(long txn, int j, int size) {
    byte[] prefix = (txn + "/" + j + ":").getBytes(StandardCharsets.UTF_8);
    byte[] value = new byte[prefix.length + size];
    System.arraycopy(prefix, 0, value, 0, prefix.length);
    for (int i = prefix.length; i < value.length; i++) {
      value[i] = (byte) ('a' + (txn + j + i) % 26);
    }
    return value;
  }
}
