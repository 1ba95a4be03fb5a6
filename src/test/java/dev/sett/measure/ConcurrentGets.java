package dev.sett.measure;

import dev.sett.DB;
import dev.sett.Options;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Point reads on {@code threads} threads, two ways in alternating rounds of one run, so that the
 * shared machine's noise falls on both alike: {@code DB.get} (its read timestamp pinned in an
 * oracle slot) and one get in a read-only transaction of its own ({@code db.view}: the oracle's
 * lock and sorted map, the transaction, the Item). The store is {@code ReadPathBenchmark}'s
 * {@code table} store: {@code keys} keys flattened into tables under as many left in the
 * memtable. Prints each round and the median ratio.
 *
 * <pre>mvn -q test-compile exec:java -Dexec.mainClass=dev.sett.measure.ConcurrentGets \
 *     -Dexec.args="200000 128 2 7"</pre>
 */
public final class ConcurrentGets {
  private ConcurrentGets() {
  }

  public static void main(String[] args) throws Exception {
    int keys = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int valueSize = args.length > 1 ? Integer.parseInt(args[1]) : 128;
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 7;
    Path dir = Files.createTempDirectory("sett-concurrent-gets");
    try (DB db = DB.open(Options.builder(dir).build())) {
      SplittableRandom random = new SplittableRandom(7);
      byte[] value = new byte[valueSize];
      random.nextBytes(value);
      byte[][] present = MeasureSupport.randomKeys(random, keys);
      MeasureSupport.load(db, present, value);
      db.flatten(1);
      MeasureSupport.load(db, MeasureSupport.randomKeys(random, keys), value);
      double[] ratios = new double[rounds];
      for (int round = 0; round < rounds; round++) {
        double pinned = run(db, present, threads, false);
        double inView = run(db, present, threads, true);
        ratios[round] = pinned / inView;
        System.out.printf("round %d: DB.get %,.0f gets/s, get in a view %,.0f gets/s, ratio %.2f%n",
            round + 1, pinned, inView, ratios[round]);
      }
      Arrays.sort(ratios);
      System.out.printf("median ratio DB.get / get in a view, %d threads: %.2f%n", threads,
          ratios[rounds / 2]);
    } finally {
      try (var paths = Files.walk(dir)) {
        for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
          Files.deleteIfExists(path);
        }
      }
    }
  }

  /** Every thread reads every key once, from its own starting point; returns gets per second. */
  private static double run(DB db, byte[][] keys, int threads, boolean inView)
      throws InterruptedException {
    CountDownLatch start = new CountDownLatch(1);
    AtomicLong sink = new AtomicLong();
    Thread[] workers = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      int offset = t * keys.length / threads;
      workers[t] = new Thread(() -> {
        long sum = 0;
        try {
          start.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
        for (int i = 0; i < keys.length; i++) {
          byte[] key = keys[(offset + i) % keys.length];
          if (inView) {
            byte[][] found = new byte[1][];
            db.view(txn -> found[0] = txn.get(key).value());
            sum += found[0].length;
          } else {
            sum += db.get(key).length;
          }
        }
        sink.addAndGet(sum);
      });
      workers[t].start();
    }
    long begin = System.nanoTime();
    start.countDown();
    for (Thread worker : workers) {
      worker.join();
    }
    double seconds = (System.nanoTime() - begin) / 1e9;
    if (sink.get() == 0) {
      throw new IllegalStateException("no value was read");
    }
    return (double) keys.length * threads / seconds;
  }
}
