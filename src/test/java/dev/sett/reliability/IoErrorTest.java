package dev.sett.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sett.DB;
import dev.sett.Options;
import dev.sett.SettException;
import dev.sett.internal.db.FaultyStores;
import dev.sett.internal.fs.FaultInjectingFileSystem;
import dev.sett.internal.fs.FaultInjectingFileSystem.Op;
import dev.sett.internal.fs.InMemoryFileSystem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Injected I/O errors, SQLite style: for each kind of file operation, the Nth one fails (N over a
 * range) while a store writes, flushes, compacts, reads, closes and reopens. Every failure must
 * reach the caller as a {@link SettException} whose cause chain holds the injected {@link
 * IOException}; nothing acknowledged may be lost; once the fault is gone the store reopens, holds
 * every acknowledged write and passes {@code verifyChecksum}. A full disk likewise stops writes
 * with a clear error and damages nothing.
 *
 * <p>The seed is printed; replay with {@code -Dsett.seed=...}; more trials per operation with
 * {@code -Dsett.ioError.trials=200}.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class IoErrorTest {
  private static final Path DIR = Path.of("/io-errors/store");
  private static final int TRIALS = Integer.getInteger("sett.ioError.trials", 12);
  private static long faultsInjected;
  private static long trials;

  @AfterAll
  static void report() {
    System.out.println("IoErrorTest: " + trials + " trials, " + faultsInjected
        + " faults injected and survived");
  }

  private static Options options(boolean syncWrites) {
    return options(syncWrites, false);
  }

  private static Options options(boolean syncWrites, boolean encrypted) {
    return Options.builder(DIR).syncWrites(syncWrites).memTableSize(64 << 10)
        .baseTableSize(16 << 10).baseLevelSize(64 << 10).numLevelZeroTables(2)
        .numLevelZeroTablesStall(4).valueThreshold(128).valueLogFileSize(1 << 20)
        .encryptionKey(encrypted ? dev.sett.CrashLoopWriter.TEST_KEY : null).build();
  }

  @ParameterizedTest
  @EnumSource(Op.class)
  void everyInjectedFailureIsASettExceptionAndLosesNothingAcknowledged(Op op) {
    long seed = Long.getLong("sett.seed", new SplittableRandom().nextLong());
    System.out.println("IoErrorTest seed " + seed + " (-Dsett.seed=" + seed + ") op " + op);
    SplittableRandom random = new SplittableRandom(seed);
    for (int trial = 0; trial < TRIALS; trial++) {
      // Small N first (the first operations of a kind are the most interesting), then spread.
      long n = trial < 4 ? trial + 1 : 1 + random.nextLong(op == Op.WRITE ? 600 : 60);
      // Every other trial runs on an encrypted store: the same faults, through the ciphers.
      runTrial(op, n, random.nextBoolean(), trial % 2 == 1, random.split(), seed);
    }
  }

  private static void runTrial(Op op, long n, boolean syncWrites, boolean encrypted,
      SplittableRandom random, long seed) {
    String context = "op " + op + " n " + n + " syncWrites " + syncWrites + " encrypted "
        + encrypted + "; seed " + seed;
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(new InMemoryFileSystem());
    Options options = options(syncWrites, encrypted);
    List<Long> acknowledged = new ArrayList<>();
    long nextTxn = 0;
    DB db = FaultyStores.open(options, fs);
    try {
      nextTxn = write(db, nextTxn, 100, acknowledged, random);
      fs.failNth(op, n);
      try {
        nextTxn = write(db, nextTxn, 400 + random.nextInt(400), acknowledged, random);
        db.flatten(1);
        check(db, acknowledged, context);
      } catch (SettException e) {
        requireInjected(e, context);
      }
    } finally {
      try {
        db.close();
      } catch (SettException e) {
        requireInjected(e, context);
      }
    }
    // The fault may also strike while the store opens (reads of the MANIFEST and WALs, maps).
    fs.clearFaults();
    fs.failNth(op, 1 + random.nextLong(20));
    try (DB again = FaultyStores.open(options, fs)) {
      check(again, acknowledged, context);
    } catch (SettException e) {
      requireInjected(e, context);
    }
    trials++;
    faultsInjected += fs.injectedFaults();
    fs.clearFaults();
    try (DB healed = FaultyStores.open(options, fs)) {
      check(healed, acknowledged, context);
      healed.verifyChecksum();
      // And it takes writes again.
      write(healed, nextTxn, 10, new ArrayList<>(), random);
    }
  }

  @Test
  void aFullDiskStopsWritesWithAClearErrorAndCorruptsNothing() {
    long seed = Long.getLong("sett.seed", new SplittableRandom().nextLong());
    System.out.println("IoErrorTest full disk seed " + seed);
    SplittableRandom random = new SplittableRandom(seed);
    for (int trial = 0; trial < TRIALS; trial++) {
      String context = "trial " + trial + "; seed " + seed;
      FaultInjectingFileSystem fs = new FaultInjectingFileSystem(new InMemoryFileSystem());
      Options options = options(random.nextBoolean());
      List<Long> acknowledged = new ArrayList<>();
      long nextTxn = 0;
      SettException full = null;
      DB db = FaultyStores.open(options, fs);
      try {
        nextTxn = write(db, nextTxn, 50, acknowledged, random);
        fs.diskSpace(random.nextLong(200_000));
        while (full == null) {
          try {
            nextTxn = write(db, nextTxn, 50, acknowledged, random);
          } catch (SettException e) {
            full = e;
          }
        }
        requireInjected(full, context);
        assertTrue(full.getMessage().contains("No space left on device"), full.getMessage());
        check(db, acknowledged, context);
      } finally {
        try {
          db.close();
        } catch (SettException e) {
          requireInjected(e, context);
        }
      }
      trials++;
      faultsInjected += fs.injectedFaults();
      fs.clearFaults();
      try (DB freed = FaultyStores.open(options, fs)) {
        check(freed, acknowledged, context);
        freed.verifyChecksum();
        write(freed, nextTxn, 10, new ArrayList<>(), random);
      }
    }
  }

  /** Commits {@code count} transactions; records each acknowledged one. */
  private static long write(DB db, long first, int count, List<Long> acknowledged,
      SplittableRandom random) {
    long txn = first;
    for (int i = 0; i < count; i++, txn++) {
      long number = txn;
      int size = random.nextInt(400);
      db.update(t -> {
        t.set(key(number, 0), value(number, size));
        t.set(key(number, 1), value(number, 7));
      });
      acknowledged.add(number);
    }
    return txn;
  }

  private static void check(DB db, List<Long> acknowledged, String context) {
    for (long txn : acknowledged) {
      byte[] value = db.get(key(txn, 0));
      if (value == null || db.get(key(txn, 1)) == null) {
        fail("acknowledged transaction " + txn + " lost; " + context);
      }
      assertArrayEquals(value(txn, value.length - 12), value, context);
    }
  }

  /** The failure must be a SettException caused by the injected IOException. */
  private static void requireInjected(SettException e, String context) {
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof IOException io && io.getMessage() != null
          && (io.getMessage().contains("injected") || io.getMessage().contains("No space"))) {
        return;
      }
    }
    AssertionError error = new AssertionError("a failure without the injected IOException as its"
        + " cause: " + e + "; " + context);
    error.initCause(e);
    assertInstanceOf(IOException.class, e.getCause(), context);
    throw error;
  }

  private static byte[] key(long txn, int j) {
    return String.format("k%08d-%d", txn, j).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] value(long txn, int size) {
    byte[] value = new byte[12 + size];
    byte[] head = String.format("%011d:", txn).getBytes(StandardCharsets.UTF_8);
    System.arraycopy(head, 0, value, 0, 12);
    for (int i = 12; i < value.length; i++) {
      value[i] = (byte) (txn * 31 + i);
    }
    return value;
  }
}
