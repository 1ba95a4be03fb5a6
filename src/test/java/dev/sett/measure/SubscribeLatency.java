package dev.sett.measure;

import dev.sett.DB;
import dev.sett.KV;
import dev.sett.Options;
import dev.sett.Txn;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures how long a subscriber waits for a change: the standard fill (16-byte keys in random
 * order, incompressible values, default 1 M × 1 KiB, transactions of 1,000 keys) runs with one
 * subscriber on every key, and for each transaction the time from the start of its
 * {@code commit()} to the moment the subscriber's callback receives its first key is recorded.
 * Prints the median, 99th percentile and maximum (and the same for {@code commit()} alone), and the
 * fill's own throughput with and without the subscriber, after a warm-up fill of a fifth of the
 * size.
 *
 * <pre>mvn -q test-compile exec:java -Dexec.mainClass=dev.sett.measure.SubscribeLatency \
 *     -Dexec.args="1000000 1024"</pre>
 */
public final class SubscribeLatency {
  private static final int BATCH = 1000;

  private SubscribeLatency() {
  }

  public static void main(String[] args) throws Exception {
    int keys = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int valueSize = args.length > 1 ? Integer.parseInt(args[1]) : 1024;
    int transactions = keys / BATCH;
    Path root = Files.createTempDirectory("sett-subscribe-latency");
    try {
      fill(root.resolve("warm-up"), Math.max(1, transactions / 5), valueSize, null, null);
      double plain = fill(root.resolve("plain"), transactions, valueSize, null, null);
      long[] latencies = new long[transactions];
      long[] commitNanos = new long[transactions];
      double subscribed = fill(root.resolve("subscribed"), transactions, valueSize, latencies,
          commitNanos);
      Arrays.sort(commitNanos);
      long[] sorted = latencies.clone();
      Arrays.sort(sorted);
      System.out.printf("%,d transactions of %d keys (16-byte keys, %d-byte values), %d CPUs%n",
          transactions, BATCH, valueSize, Runtime.getRuntime().availableProcessors());
      System.out.printf("delivery latency (commit() called -> callback has the transaction's "
          + "first key): p50 %.2f ms, p99 %.2f ms, max %.2f ms%n", sorted[sorted.length / 2] / 1e6,
          sorted[(int) (sorted.length * 0.99)] / 1e6, sorted[sorted.length - 1] / 1e6);
      System.out.printf("of which commit() itself (1,000 keys): p50 %.2f ms, p99 %.2f ms%n",
          commitNanos[commitNanos.length / 2] / 1e6,
          commitNanos[(int) (commitNanos.length * 0.99)] / 1e6);
      System.out.printf("fill: %,.0f keys/s without a subscriber, %,.0f keys/s with one%n",
          keys / plain, keys / subscribed);
    } finally {
      MeasureSupport.deleteRecursively(root);
    }
  }

  /** Runs the fill; with {@code latencies}, subscribed, recording them. Returns seconds. */
  private static double fill(Path dir, int transactions, int valueSize, long[] latencies,
      long[] commitNanos) throws Exception {
    Random random = new Random(1);
    byte[] pool = new byte[valueSize + 4096];
    random.nextBytes(pool);
    long[] started = new long[transactions];
    CountDownLatch all = new CountDownLatch(transactions);
    AtomicLong seen = new AtomicLong(-1);
    try (DB db = DB.open(Options.builder(dir).build())) {
      AutoCloseable subscription = null;
      if (latencies != null) {
        subscription = db.subscribe(java.util.List.of(new byte[0]), batch -> {
          long now = System.nanoTime();
          for (KV kv : batch) {
            int txn = ByteBuffer.wrap(kv.value()).getInt();
            if (txn > seen.get()) { // transactions arrive in commit order
              seen.set(txn);
              latencies[txn] = now - started[txn];
              all.countDown();
            }
          }
        });
      }
      long start = System.nanoTime();
      for (int t = 0; t < transactions; t++) {
        try (Txn txn = db.newTransaction(true)) {
          for (int i = 0; i < BATCH; i++) {
            byte[] key = new byte[16];
            random.nextBytes(key);
            int offset = random.nextInt(4096);
            byte[] value = Arrays.copyOfRange(pool, offset, offset + valueSize);
            ByteBuffer.wrap(value).putInt(t);
            txn.set(key, value);
          }
          started[t] = System.nanoTime();
          txn.commit();
          if (commitNanos != null) {
            commitNanos[t] = System.nanoTime() - started[t];
          }
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      if (subscription != null) {
        all.await();
        subscription.close();
      }
      return seconds;
    }
  }
}
