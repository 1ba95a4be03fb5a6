package dev.sett.measure;

import dev.sett.DB;
import dev.sett.Options;
import dev.sett.Txn;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * Measures commits per second of one-key read-write transactions (a 16-byte key, a 100-byte value,
 * each thread writing keys of its own, so nothing conflicts) on 1, 2 and 8 threads, with
 * {@code syncWrites} off and on. Each configuration gets a fresh store under a temporary directory
 * and runs for the same time (first argument, seconds, default 5) after a short warm-up; the table
 * gives commits, commits per second and the median and 99th-percentile commit latency.
 *
 * <pre>mvn -q test-compile exec:java -Dexec.mainClass=dev.sett.measure.CommitThroughput -Dexec.args="5"</pre>
 */
public final class CommitThroughput {
  private static final int[] THREADS = {1, 2, 8};
  private static final int VALUE_SIZE = 100;

  private CommitThroughput() {
  }

  /** One configuration's outcome. */
  private record Row(boolean syncWrites, int threads, long commits, double seconds, long p50Nanos, long p99Nanos) {
  }

  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
    double warmup = Math.min(1, seconds / 5);
    Path root = Files.createTempDirectory("sett-commit-throughput");
    List<Row> rows = new ArrayList<>();
    try {
      for (boolean sync : new boolean[] {false, true}) {
        for (int threads : THREADS) {
          Path dir = root.resolve((sync ? "sync" : "nosync") + "-" + threads);
          rows.add(measure(dir, sync, threads, warmup, seconds));
          deleteRecursively(dir);
        }
      }
    } finally {
      deleteRecursively(root);
    }
    System.out.printf("1-key transactions, %d-byte values, %.1f s per configuration (after %.1f s warm-up), "
        + "%d CPUs%n", VALUE_SIZE, seconds, warmup, Runtime.getRuntime().availableProcessors());
    System.out.println("| syncWrites | threads | commits | commits/s | p50 latency | p99 latency |");
    System.out.println("|---|---:|---:|---:|---:|---:|");
    for (Row row : rows) {
      System.out.printf("| %s | %d | %,d | %,.0f | %s | %s |%n", row.syncWrites ? "on" : "off", row.threads,
          row.commits, row.commits / row.seconds, micros(row.p50Nanos), micros(row.p99Nanos));
    }
  }

  private static String micros(long nanos) {
    return String.format("%,.0f µs", nanos / 1e3);
  }

  private static Row measure(Path dir, boolean sync, int threads, double warmup, double seconds)
      throws Exception {
    try (DB db = DB.open(Options.builder(dir).syncWrites(sync).build())) {
      AtomicBoolean measuring = new AtomicBoolean();
      AtomicBoolean stop = new AtomicBoolean();
      CyclicBarrier start = new CyclicBarrier(threads + 1);
      long[][] latencies = new long[threads][];
      int[] counts = new int[threads];
      List<Thread> workers = new ArrayList<>();
      byte[] value = new byte[VALUE_SIZE];
      Arrays.fill(value, (byte) 'v');
      for (int t = 0; t < threads; t++) {
        int id = t;
        workers.add(new Thread(() -> {
          long[] samples = new long[1 << 16];
          int count = 0;
          try {
            start.await();
            for (long i = 0; !stop.get(); i++) {
              byte[] key = ByteBuffer.allocate(16).putLong(id).putLong(i).array();
              long began = System.nanoTime();
              try (Txn txn = db.newTransaction(true)) {
                txn.set(key, value);
                txn.commit();
              }
              if (measuring.get()) {
                if (count == samples.length) {
                  samples = Arrays.copyOf(samples, count * 2);
                }
                samples[count++] = System.nanoTime() - began;
              }
            }
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          latencies[id] = samples;
          counts[id] = count;
        }, "commit-" + t));
      }
      workers.forEach(Thread::start);
      start.await();
      Thread.sleep((long) (warmup * 1000));
      measuring.set(true);
      long began = System.nanoTime();
      Thread.sleep((long) (seconds * 1000));
      measuring.set(false);
      double elapsed = (System.nanoTime() - began) / 1e9;
      stop.set(true);
      for (Thread worker : workers) {
        worker.join();
      }
      int total = 0;
      for (int count : counts) {
        total += count;
      }
      long[] all = new long[total];
      int at = 0;
      for (int t = 0; t < threads; t++) {
        System.arraycopy(latencies[t], 0, all, at, counts[t]);
        at += counts[t];
      }
      Arrays.sort(all);
      long p50 = total == 0 ? 0 : all[(int) (total * 0.50)];
      long p99 = total == 0 ? 0 : all[Math.min(total - 1, (int) (total * 0.99))];
      return new Row(sync, threads, total, elapsed, p50, p99);
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
