package dev.sett;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Transactions under contention: no lost update, no duplicate sequence number, no hang at close. */
class TransactionConcurrencyTest {
  @TempDir
  Path dir;

  @Test
  void concurrentIncrementsLoseNothing() throws Exception {
    try (DB db = DB.open(Options.builder(dir).memTableSize(256 << 10).build())) {
      byte[] key = "counter".getBytes(StandardCharsets.UTF_8);
      int threads = 4;
      int perThread = 500;
      AtomicLong conflicts = new AtomicLong();
      Runnable worker = () -> {
        for (int i = 0; i < perThread; i++) {
          while (true) {
            try (Txn txn = db.newTransaction(true)) {
              Item item = txn.get(key);
              long value = item == null ? 0 : ByteBuffer.wrap(item.value()).getLong();
              txn.set(key, ByteBuffer.allocate(8).putLong(value + 1).array());
              txn.commit();
              break;
            } catch (ConflictException e) {
              conflicts.incrementAndGet(); // retry the whole transaction
            }
          }
        }
      };
      runAll(threads, worker);
      assertEquals((long) threads * perThread, ByteBuffer.wrap(db.get(key)).getLong(),
          "lost updates (" + conflicts.get() + " conflicts retried)");
    }
  }

  @Test
  void twoSequencesOnOneKeyNeverHandOutTheSameNumber() throws Exception {
    try (DB db = DB.open(Options.builder(dir).build())) {
      byte[] key = "seq".getBytes(StandardCharsets.UTF_8);
      Set<Long> seen = ConcurrentHashMap.newKeySet();
      List<Long> duplicates = java.util.Collections.synchronizedList(new ArrayList<>());
      Runnable worker = () -> {
        Sequence sequence = null;
        while (sequence == null) {
          try {
            sequence = db.getSequence(key, 1);
          } catch (ConflictException e) {
            // the other sequence leased at the same moment: try again
          }
        }
        for (int i = 0; i < 1000; i++) {
          long number;
          while (true) {
            try {
              number = sequence.next();
              break;
            } catch (ConflictException e) {
              // lease raced the other sequence: nothing was handed out, try again
            }
          }
          if (!seen.add(number)) {
            duplicates.add(number);
          }
        }
      };
      runAll(2, worker);
      assertTrue(duplicates.isEmpty(), "duplicate numbers: " + duplicates);
    }
  }

  @Test
  void commitsRacingCloseFinishOrFailButNeverHang() throws Exception {
    for (int round = 0; round < 10; round++) {
      DB db = DB.open(Options.builder(dir.resolve("round" + round)).build());
      int threads = 8;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch started = new CountDownLatch(threads);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        futures.add(pool.submit(() -> {
          started.countDown();
          for (int i = 0; ; i++) {
            try {
              db.put(("k" + id + "-" + i).getBytes(StandardCharsets.UTF_8), new byte[100]);
            } catch (DbClosedException e) {
              return null;
            }
          }
        }));
      }
      started.await();
      Thread.sleep(10);
      db.close();
      for (Future<?> future : futures) {
        try {
          future.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
          throw new AssertionError("a committer is stuck after close (round " + round + ")", e);
        }
      }
      pool.shutdownNow();
    }
  }

  private static void runAll(int threads, Runnable worker) throws InterruptedException {
    Thread[] running = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      running[t] = new Thread(worker);
      running[t].start();
    }
    for (Thread thread : running) {
      thread.join();
    }
  }
}
