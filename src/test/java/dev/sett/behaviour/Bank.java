package dev.sett.behaviour;

import dev.sett.ConflictException;
import dev.sett.DB;
import dev.sett.DbIterator;
import dev.sett.Item;
import dev.sett.IteratorOptions;
import dev.sett.LevelInfo;
import dev.sett.Options;
import dev.sett.Txn;
import dev.sett.WriteBatch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The bank test of reference/badger-v4.md §12.3, shared by {@link BankTest} (JUnit) and
 * {@link BankTestMain} (by hand, for longer runs).
 *
 * <p>Accounts {@code "account:" + i} hold decimal ASCII balances, all {@link #START_BALANCE} at
 * first. Transfer threads each run read-write transactions that read two random accounts (each
 * read at random through {@code get} or through an iterator {@code seek} + {@code item()}, since
 * iterator reads must enter the read set too), move a random amount from one to the other and
 * commit, retrying the same transfer on {@link ConflictException}. An auditor sums every account
 * in one read-only transaction with a prefix iterator (and, every few audits, again in reverse and
 * by point reads in the same transaction) and stops the run at the first total that differs.
 * Small memtables and tables make flushes and compactions run underneath.
 *
 * <p>Two conflict figures are reported: every failed attempt, and the transfers that failed at
 * least once. Their ratio shows how often an immediate retry failed again: a retry whose read
 * timestamp does not yet cover the commit that caused the conflict re-reads the old snapshot and
 * is doomed (see {@code TransactionBehaviourTest.retryAfterAConflictSeesTheCommitThatCausedIt}).
 */
final class Bank {
  static final int ACCOUNTS = 1000;
  static final long START_BALANCE = 100;
  static final byte[] PREFIX = "account:".getBytes(StandardCharsets.US_ASCII);

  /** What a run did. {@code violation} is null when the invariant held throughout. */
  record Result(long seed, double seconds, long transfers, long conflicts, long conflictedTransfers,
      long insufficient, long audits,
      long finalTotal, String violation, int tables, String levels) {
    double conflictRate() {
      long attempts = transfers + conflicts;
      return attempts == 0 ? 0 : (double) conflicts / attempts;
    }

    String summary() {
      return String.format(
          "bank: %.1f s, seed %d: %,d transfers committed, %,d conflicts (conflict rate %.1f%%; "
              + "%,d transfers conflicted at least once), "
              + "%,d skipped for insufficient funds, %,d audits, final total %,d (expected %,d), "
              + "%d tables %s%s",
          seconds, seed, transfers, conflicts, 100 * conflictRate(), conflictedTransfers, insufficient, audits, finalTotal,
          ACCOUNTS * START_BALANCE, tables, levels, violation == null ? "" : "\nVIOLATION: " + violation);
    }
  }

  private Bank() {
  }

  static Options options(Path dir) {
    return Options.builder(dir)
        .memTableSize(256 << 10)
        .baseTableSize(64 << 10)
        .baseLevelSize(256 << 10)
        .numLevelZeroTables(2)
        .build();
  }

  static byte[] account(int i) {
    return ("account:" + i).getBytes(StandardCharsets.US_ASCII);
  }

  private static long parse(byte[] value) {
    return Long.parseLong(new String(value, StandardCharsets.US_ASCII));
  }

  private static byte[] format(long balance) {
    return Long.toString(balance).getBytes(StandardCharsets.US_ASCII);
  }

  /** Runs the bank for {@code seconds} with {@code transferThreads} transfer threads. */
  static Result run(Path dir, double seconds, int transferThreads, long seed) throws InterruptedException {
    long expectedTotal = ACCOUNTS * START_BALANCE;
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<String> violation = new AtomicReference<>();
    AtomicLong transfers = new AtomicLong();
    AtomicLong conflicts = new AtomicLong();
    AtomicLong conflictedTransfers = new AtomicLong();
    AtomicLong insufficient = new AtomicLong();
    AtomicLong audits = new AtomicLong();
    long started = System.nanoTime();
    try (DB db = DB.open(options(dir))) {
      try (WriteBatch batch = db.newWriteBatch()) {
        for (int i = 0; i < ACCOUNTS; i++) {
          batch.set(account(i), format(START_BALANCE));
        }
        batch.flush();
      }
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < transferThreads; t++) {
        Random random = new Random(seed + 1 + t);
        threads.add(new Thread(() -> {
          try {
            while (!stop.get()) {
              int from = random.nextInt(ACCOUNTS);
              int to = random.nextInt(ACCOUNTS - 1);
              to = to >= from ? to + 1 : to;
              long amount = 1 + random.nextInt(10);
              boolean firstAttempt = true;
              while (!stop.get()) {
                try {
                  if (transfer(db, from, to, amount, random)) {
                    transfers.incrementAndGet();
                  } else {
                    insufficient.incrementAndGet();
                  }
                  break;
                } catch (ConflictException e) {
                  conflicts.incrementAndGet(); // retry the same transfer
                  if (firstAttempt) {
                    conflictedTransfers.incrementAndGet();
                  }
                  firstAttempt = false;
                }
              }
            }
          } catch (Throwable e) {
            violation.compareAndSet(null, "transfer thread failed: " + e);
            stop.set(true);
          }
        }, "bank-transfer-" + t));
      }
      Random auditRandom = new Random(seed);
      threads.add(new Thread(() -> {
        try {
          while (!stop.get()) {
            String problem = audit(db, expectedTotal, audits.get(), auditRandom);
            audits.incrementAndGet();
            if (problem != null) {
              violation.compareAndSet(null, problem);
              stop.set(true);
            }
          }
        } catch (Throwable e) {
          violation.compareAndSet(null, "auditor failed: " + e);
          stop.set(true);
        }
      }, "bank-auditor"));
      threads.forEach(Thread::start);
      long deadline = started + (long) (seconds * 1e9);
      while (!stop.get() && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      stop.set(true);
      for (Thread thread : threads) {
        thread.join();
      }
      // One last audit after everything settled.
      String last = audit(db, expectedTotal, 0, auditRandom);
      if (last != null) {
        violation.compareAndSet(null, "final audit: " + last);
      }
      long finalTotal = total(db);
      StringBuilder levels = new StringBuilder("[");
      for (LevelInfo level : db.levels()) {
        levels.append(level.level() == 0 ? "" : " ").append('L').append(level.level()).append('=')
            .append(level.numTables());
      }
      levels.append(']');
      return new Result(seed, (System.nanoTime() - started) / 1e9, transfers.get(), conflicts.get(),
          conflictedTransfers.get(), insufficient.get(), audits.get(), finalTotal, violation.get(), db.tables().size(),
          levels.toString());
    }
  }

  /**
   * One transfer in one read-write transaction; false (and nothing written) when {@code from}
   * holds less than {@code amount}. Throws {@link ConflictException} when it must be retried.
   */
  private static boolean transfer(DB db, int from, int to, long amount, Random random) {
    try (Txn txn = db.newTransaction(true)) {
      long fromBalance = read(txn, account(from), random.nextBoolean());
      long toBalance = read(txn, account(to), random.nextBoolean());
      if (fromBalance < amount) {
        return false;
      }
      txn.set(account(from), format(fromBalance - amount));
      txn.set(account(to), format(toBalance + amount));
      txn.commit();
      return true;
    }
  }

  private static long read(Txn txn, byte[] key, boolean viaIterator) {
    if (!viaIterator) {
      Item item = txn.get(key);
      if (item == null) {
        throw new IllegalStateException("account " + new String(key, StandardCharsets.US_ASCII) + " is missing");
      }
      return parse(item.value());
    }
    try (DbIterator it = txn.newIterator(IteratorOptions.builder().prefetchValues(false).build())) {
      it.seek(key);
      if (!it.valid()) {
        throw new IllegalStateException("account " + new String(key, StandardCharsets.US_ASCII) + " is missing");
      }
      Item item = it.item();
      if (!Arrays.equals(key, item.key())) {
        throw new IllegalStateException("account " + new String(key, StandardCharsets.US_ASCII) + " is missing");
      }
      return parse(item.value());
    }
  }

  /** Null when the total is right; otherwise what is wrong. */
  private static String audit(DB db, long expectedTotal, long auditNumber, Random random) {
    try (Txn txn = db.newTransaction(false)) {
      long total = 0;
      int count = 0;
      try (DbIterator it = txn.newIterator(IteratorOptions.builder().prefix(PREFIX).build())) {
        for (it.rewind(); it.valid(); it.next()) {
          long balance = parse(it.item().value());
          if (balance < 0) {
            return "negative balance " + balance + " in " + new String(it.item().key(), StandardCharsets.US_ASCII)
                + " at readTs " + txn.readTs();
          }
          total += balance;
          count++;
        }
      }
      if (count != ACCOUNTS || total != expectedTotal) {
        return "audit " + auditNumber + " at readTs " + txn.readTs() + ": " + count + " accounts, total "
            + total + " instead of " + expectedTotal;
      }
      if (auditNumber % 4 == 1) {
        long reverseTotal = 0;
        try (DbIterator it = txn.newIterator(IteratorOptions.builder().prefix(PREFIX).reverse(true).build())) {
          for (it.rewind(); it.valid(); it.next()) {
            reverseTotal += parse(it.item().value());
          }
        }
        if (reverseTotal != expectedTotal) {
          return "reverse audit at readTs " + txn.readTs() + ": total " + reverseTotal;
        }
      }
      if (auditNumber % 4 == 3) {
        long pointTotal = 0;
        int start = random.nextInt(ACCOUNTS);
        for (int i = 0; i < ACCOUNTS; i++) {
          Item item = txn.get(account((start + i) % ACCOUNTS));
          pointTotal += item == null ? 0 : parse(item.value());
        }
        if (pointTotal != expectedTotal) {
          return "point-read audit at readTs " + txn.readTs() + ": total " + pointTotal;
        }
      }
      return null;
    }
  }

  private static long total(DB db) {
    long[] total = {0};
    db.view(txn -> {
      for (int i = 0; i < ACCOUNTS; i++) {
        total[0] += parse(txn.get(account(i)).value());
      }
    });
    return total[0];
  }
}
