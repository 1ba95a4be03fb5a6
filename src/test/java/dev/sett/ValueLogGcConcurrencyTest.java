package dev.sett;

import static dev.sett.testing.Bytes.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Value log GC racing writers, point readers, iterators, compactions and a long-lived snapshot,
 * checked against a model. Values name their key and the writer's sequence number, so a reader
 * can tell a wrong, torn or foreign value without knowing the model; at the end the store must
 * equal the model exactly, before and after a reopen.
 */
class ValueLogGcConcurrencyTest {
  private static final int KEYS = 300;
  private static final long RUN_NANOS = 6_000_000_000L;

  @TempDir
  Path dir;

  @Test
  void gcConcurrentWithWritesReadsIteratorsAndCompactionLosesNothing() throws Exception {
    long seed = System.getProperty("sett.seed") != null
        ? Long.parseLong(System.getProperty("sett.seed")) : new Random().nextLong();
    System.out.println("gcConcurrentWithWritesReadsIteratorsAndCompactionLosesNothing: seed "
        + seed + " (rerun with -Dsett.seed=" + seed + ")");
    Options options = Options.builder(dir).memTableSize(1 << 20).baseTableSize(256 << 10)
        .baseLevelSize(1 << 20).valueLogFileSize(1 << 20).numLevelZeroTables(2)
        .numLevelZeroTablesStall(4).numCompactors(2).valueLogGCDiscardRatio(0.2).build();
    Map<String, byte[]> model = new TreeMap<>();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong collected = new AtomicLong();
    AtomicLong reads = new AtomicLong();
    AtomicLong scanned = new AtomicLong();
    try (DB db = DB.open(options)) {
      List<Thread> threads = new ArrayList<>();
      threads.add(thread("writer", failures, () -> {
        Random random = new Random(seed);
        long sequence = 0;
        while (!stop.get()) {
          Map<String, byte[]> batch = new TreeMap<>();
          int size = 1 + random.nextInt(10);
          for (int i = 0; i < size; i++) {
            String key = ValueLogTest.key(random.nextInt(KEYS));
            // Both sides of the threshold, and sometimes a delete.
            int length = random.nextInt(8) == 0 ? 100 : 1024 + random.nextInt(4000);
            batch.put(key, random.nextInt(20) == 0 ? null
                : ValueLogTest.value(key, (int) sequence++, length));
          }
          db.update(txn -> batch.forEach((key, value) -> {
            if (value == null) {
              txn.delete(bytes(key));
            } else {
              txn.set(bytes(key), value);
            }
          }));
          synchronized (model) {
            batch.forEach((key, value) -> {
              if (value == null) {
                model.remove(key);
              } else {
                model.put(key, value);
              }
            });
          }
        }
      }));
      threads.add(thread("gc", failures, () -> {
        while (!stop.get()) {
          if (db.runValueLogGC(0.2)) {
            collected.incrementAndGet();
          }
        }
      }));
      threads.add(thread("reader", failures, () -> {
        Random random = new Random(seed + 1);
        while (!stop.get()) {
          String key = ValueLogTest.key(random.nextInt(KEYS));
          byte[] value = db.get(bytes(key));
          if (value != null) {
            checkSelfConsistent(key, value);
            reads.incrementAndGet();
          }
        }
      }));
      threads.add(thread("iterator", failures, () -> {
        Random random = new Random(seed + 2);
        while (!stop.get()) {
          boolean reverse = random.nextBoolean();
          IteratorOptions iteratorOptions = IteratorOptions.builder().reverse(reverse)
              .prefetchValues(random.nextBoolean()).prefetchSize(1 + random.nextInt(20)).build();
          db.view(txn -> {
            try (DbIterator it = txn.newIterator(iteratorOptions)) {
              String previous = null;
              for (it.rewind(); it.valid(); it.next()) {
                String key = new String(it.item().key(), StandardCharsets.UTF_8);
                if (previous != null) {
                  assertTrue(reverse ? key.compareTo(previous) < 0 : key.compareTo(previous) > 0,
                      previous + " then " + key);
                }
                previous = key;
                checkSelfConsistent(key, it.item().value());
                scanned.incrementAndGet();
                if (random.nextInt(50) == 0) {
                  Thread.onSpinWait(); // let GC move things under the iterator
                }
              }
            }
          });
        }
      }));
      threads.add(thread("snapshot", failures, () -> {
        // A long-lived reader: what it saw at the start it keeps seeing while GC runs.
        while (!stop.get()) {
          try (Txn txn = db.newTransaction(false)) {
            Map<String, byte[]> seen = new TreeMap<>();
            for (int i = 0; i < KEYS; i += 7) {
              Item item = txn.get(bytes(ValueLogTest.key(i)));
              if (item != null) {
                seen.put(ValueLogTest.key(i), item.value());
              }
            }
            Thread.sleep(300);
            for (Map.Entry<String, byte[]> entry : seen.entrySet()) {
              assertArrayEquals(entry.getValue(), txn.get(bytes(entry.getKey())).value(),
                  entry.getKey() + " changed under a snapshot");
            }
          }
        }
      }));
      threads.forEach(Thread::start);
      long end = System.nanoTime() + RUN_NANOS;
      while (System.nanoTime() < end && failures.isEmpty()) {
        Thread.sleep(50);
      }
      stop.set(true);
      for (Thread thread : threads) {
        thread.join(60_000);
      }
      if (!failures.isEmpty()) {
        AssertionError error = new AssertionError("seed " + seed + ": " + failures.peek(),
            failures.peek());
        failures.stream().skip(1).forEach(error::addSuppressed);
        throw error;
      }
      assertEqualsModel(db, model);
      db.flatten(2);
      while (db.runValueLogGC(0.2)) {
        collected.incrementAndGet();
      }
      assertEqualsModel(db, model);
      db.verifyChecksum();
    }
    try (DB db = DB.open(options)) {
      assertEqualsModel(db, model);
    }
    System.out.println("value log GC concurrency: " + collected.get() + " files collected, "
        + reads.get() + " reads, " + scanned.get() + " items scanned");
    assertTrue(collected.get() > 0, "seed " + seed + ": GC never collected a file");
  }

  private static Thread thread(String name, ConcurrentLinkedQueue<Throwable> failures,
      ThrowingRunnable body) {
    Thread thread = new Thread(() -> {
      try {
        body.run();
      } catch (Throwable e) {
        failures.add(e);
      }
    }, name);
    thread.setDaemon(true);
    return thread;
  }

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  private static void checkSelfConsistent(String key, byte[] value) {
    String head = new String(value, 0, Math.min(40, value.length), StandardCharsets.ISO_8859_1);
    assertTrue(head.startsWith(key + "#"), key + " holds a value of another key: " + head);
    int sequence = Integer.parseInt(head.substring(key.length() + 1, head.indexOf(';')));
    assertArrayEquals(ValueLogTest.value(key, sequence, value.length), value,
        key + " holds a damaged value");
  }

  private static void assertEqualsModel(DB db, Map<String, byte[]> model) {
    Map<String, byte[]> stored = new TreeMap<>();
    db.view(txn -> {
      try (DbIterator it = txn.newIterator(IteratorOptions.DEFAULT)) {
        for (it.rewind(); it.valid(); it.next()) {
          stored.put(new String(it.item().key(), StandardCharsets.UTF_8), it.item().value());
        }
      }
    });
    assertEquals(model.keySet(), stored.keySet());
    model.forEach((key, value) -> assertArrayEquals(value, stored.get(key), key));
  }

}
