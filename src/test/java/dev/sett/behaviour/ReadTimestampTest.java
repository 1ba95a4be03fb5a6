package dev.sett.behaviour;

import static dev.sett.behaviour.Support.s;
import static dev.sett.testing.Bytes.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.ConflictException;
import dev.sett.DB;
import dev.sett.DbIterator;
import dev.sett.Item;
import dev.sett.IteratorOptions;
import dev.sett.Options;
import dev.sett.Txn;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Read timestamps, checked the way a linearizability checker would (reference/badger-v4.md §8.2,
 * §8.3: "a reader never sees a partially applied transaction and always sees every commit ≤ its
 * readTs").
 *
 * <p>Writers commit multi-key transactions: writer w sets its {@value #KEYS_PER_WRITER} keys (spread
 * over the key space, interleaved with the other writers' keys) to its next sequence number n and
 * increments a shared {@code sum} key, so every consistent state has all keys of a writer equal
 * (and at one version) and {@code sum} equal to the sum of the writers' numbers. Readers start
 * transactions continuously and check, in each:
 * <ul>
 *   <li>no half-applied commit: each writer's keys agree, and {@code sum} matches;
 *   <li>real-time order: every commit that returned before the transaction began is visible (its
 *       writer's number is at least the one acknowledged then), and so is everything any reader
 *       had seen before it began;
 *   <li>monotonic visibility: per reader thread, the read timestamp and each writer's number never
 *       go back; no version is above the read timestamp.
 * </ul>
 * Small memtables make flushes run while this goes on. Duration {@code -Dsett.readts.seconds}
 * (default 4); seed {@code -Dsett.seed}.
 */
class ReadTimestampTest {
  static final int WRITERS = 4;
  static final int READERS = 4;
  static final int KEYS_PER_WRITER = 5;
  static final byte[] SUM = bytes("sum");

  @TempDir
  Path dir;

  private static byte[] key(int index, int writer) {
    return bytes(String.format("k%02d/w%d", index, writer));
  }

  // §8.2 / §8.3 read timestamps cover every returned commit and never half of one
  @Test
  void readTimestampsCoverEveryReturnedCommitAndNeverHalfOfOne() throws Exception {
    double seconds = Double.parseDouble(System.getProperty("sett.readts.seconds", "4"));
    long seed = Support.seed();
    System.out.println("ReadTimestampTest seed " + seed + ", " + seconds + " s");
    byte[] filler = new byte[200];
    new Random(seed).nextBytes(filler);
    Options options = Options.builder(dir).memTableSize(256 << 10).baseTableSize(64 << 10)
        .baseLevelSize(256 << 10).numLevelZeroTables(2).build();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<String> failure = new AtomicReference<>();
    AtomicLongArray acknowledged = new AtomicLongArray(WRITERS); // commit returned
    AtomicLongArray attempted = new AtomicLongArray(WRITERS); // commit started
    AtomicLongArray observed = new AtomicLongArray(WRITERS); // the most any reader has seen
    AtomicLong commits = new AtomicLong();
    AtomicLong conflicts = new AtomicLong();
    AtomicLong checks = new AtomicLong();

    try (DB db = DB.open(options)) {
      db.update(txn -> {
        txn.set(SUM, bytes("0"));
        for (int w = 0; w < WRITERS; w++) {
          for (int i = 0; i < KEYS_PER_WRITER; i++) {
            txn.set(key(i, w), value(0, filler));
          }
        }
      });
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        threads.add(new Thread(() -> {
          try {
            for (long n = 1; !stop.get(); n++) {
              attempted.set(writer, n);
              while (!stop.get()) {
                try (Txn txn = db.newTransaction(true)) {
                  long sum = Long.parseLong(s(txn.get(SUM).value()));
                  for (int i = 0; i < KEYS_PER_WRITER; i++) {
                    txn.set(key(i, writer), value(n, filler));
                  }
                  txn.set(SUM, bytes(Long.toString(sum + 1)));
                  if (writer % 2 == 0) {
                    txn.commit();
                  } else {
                    txn.commitAsync().get(30, TimeUnit.SECONDS);
                  }
                  break;
                } catch (ConflictException e) {
                  conflicts.incrementAndGet();
                } catch (java.util.concurrent.ExecutionException e) {
                  if (!(e.getCause() instanceof ConflictException)) {
                    throw e;
                  }
                  conflicts.incrementAndGet();
                }
              }
              if (!stop.get()) {
                acknowledged.set(writer, n);
                commits.incrementAndGet();
              }
            }
          } catch (Throwable e) {
            failure.compareAndSet(null, "writer " + writer + " failed: " + e);
            stop.set(true);
          }
        }, "readts-writer-" + w));
      }
      for (int r = 0; r < READERS; r++) {
        Random random = new Random(seed + 100 + r);
        int reader = r;
        threads.add(new Thread(() -> {
          long lastReadTs = -1;
          long[] lastSeen = new long[WRITERS];
          try {
            while (!stop.get()) {
              long[] floorAcknowledged = new long[WRITERS];
              long[] floorObserved = new long[WRITERS];
              for (int w = 0; w < WRITERS; w++) {
                floorAcknowledged[w] = acknowledged.get(w);
                floorObserved[w] = observed.get(w);
              }
              try (Txn txn = db.newTransaction(random.nextBoolean())) {
                long readTs = txn.readTs();
                String problem = check(txn, random.nextInt(3), floorAcknowledged, floorObserved,
                    lastSeen, lastReadTs, attempted);
                if (problem != null) {
                  failure.compareAndSet(null, "reader " + reader + " at readTs " + readTs + ": " + problem);
                  stop.set(true);
                }
                lastReadTs = readTs;
                for (int w = 0; w < WRITERS; w++) {
                  long seen = lastSeen[w];
                  observed.accumulateAndGet(w, seen, Math::max);
                }
                checks.incrementAndGet();
              }
            }
          } catch (Throwable e) {
            failure.compareAndSet(null, "reader " + reader + " failed: " + e);
            stop.set(true);
          }
        }, "readts-reader-" + r));
      }
      threads.forEach(Thread::start);
      long deadline = System.nanoTime() + (long) (seconds * 1e9);
      while (!stop.get() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      stop.set(true);
      for (Thread thread : threads) {
        thread.join(60_000);
        assertTrue(!thread.isAlive(), thread.getName() + " is stuck");
      }
      System.out.printf("ReadTimestampTest: %,d commits (%,d conflicts retried), %,d reader transactions checked,"
          + " %d tables%n", commits.get(), conflicts.get(), checks.get(), db.tables().size());
      assertNull(failure.get(), failure.get());
      assertTrue(commits.get() > 0 && checks.get() > 0);
      long total = 0;
      try (Txn txn = db.newTransaction(false)) {
        for (int w = 0; w < WRITERS; w++) {
          total += parse(txn.get(key(0, w)));
        }
        assertEquals(total, Long.parseLong(s(txn.get(SUM).value())));
      }
    }
  }

  private static byte[] value(long n, byte[] filler) {
    byte[] head = bytes(n + ":");
    byte[] value = new byte[head.length + filler.length];
    System.arraycopy(head, 0, value, 0, head.length);
    System.arraycopy(filler, 0, value, head.length, filler.length);
    return value;
  }

  private static long parse(Item item) {
    String text = s(item.value());
    return Long.parseLong(text.substring(0, text.indexOf(':')));
  }

  /**
   * Reads everything in {@code txn} (by point reads, a forward scan or a reverse scan) and returns
   * what is wrong, or null. Updates {@code lastSeen} with what this transaction saw.
   */
  private static String check(Txn txn, int how, long[] floorAcknowledged, long[] floorObserved,
      long[] lastSeen, long lastReadTs, AtomicLongArray attempted) {
    long readTs = txn.readTs();
    if (readTs < lastReadTs) {
      return "read timestamp went back from " + lastReadTs + " to " + readTs;
    }
    Item[][] items = new Item[WRITERS][KEYS_PER_WRITER];
    Item sum;
    if (how == 0) {
      for (int w = 0; w < WRITERS; w++) {
        for (int i = 0; i < KEYS_PER_WRITER; i++) {
          items[w][i] = txn.get(key(i, w));
        }
      }
      sum = txn.get(SUM);
    } else {
      sum = null;
      IteratorOptions options = IteratorOptions.builder().reverse(how == 2).build();
      try (DbIterator it = txn.newIterator(options)) {
        for (it.rewind(); it.valid(); it.next()) {
          Item item = it.item();
          String key = s(item.key());
          if (key.equals("sum")) {
            sum = item;
          } else {
            int index = Integer.parseInt(key.substring(1, 3));
            int writer = Integer.parseInt(key.substring(5));
            items[writer][index] = item;
          }
        }
      }
    }
    if (sum == null) {
      return "sum is missing";
    }
    long total = 0;
    for (int w = 0; w < WRITERS; w++) {
      Item first = items[w][0];
      if (first == null) {
        return "writer " + w + ": key 0 missing";
      }
      long n = parse(first);
      for (int i = 0; i < KEYS_PER_WRITER; i++) {
        Item item = items[w][i];
        if (item == null || parse(item) != n || item.version() != first.version()) {
          return "writer " + w + ": half a commit visible: key 0 = " + n + "@" + first.version() + ", key " + i
              + " = " + (item == null ? "missing" : parse(item) + "@" + item.version());
        }
        if (item.version() > readTs) {
          return "version " + item.version() + " above the read timestamp";
        }
      }
      if (n < floorAcknowledged[w]) {
        return "writer " + w + ": commit " + floorAcknowledged[w] + " returned before the transaction began, "
            + "but it sees only " + n;
      }
      if (n < floorObserved[w]) {
        return "writer " + w + ": another reader saw " + floorObserved[w] + " before this transaction began, "
            + "but it sees only " + n;
      }
      if (n < lastSeen[w]) {
        return "writer " + w + ": went back from " + lastSeen[w] + " to " + n;
      }
      if (n > attempted.get(w)) {
        return "writer " + w + ": sees " + n + " before it was committed";
      }
      lastSeen[w] = n;
      total += n;
    }
    long sumValue = Long.parseLong(s(sum.value()));
    if (sumValue != total) {
      return "sum " + sumValue + " but the writers' numbers add up to " + total;
    }
    return null;
  }
}
