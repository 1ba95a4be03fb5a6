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
 * Measures commits per second of one-key writes (a 16-byte key, a 100-byte value, each thread
 * writing keys of its own, so nothing conflicts) on 1, 2, 8 and 64 threads, with {@code syncWrites}
 * off and on, for Sett (a one-key read-write transaction: {@code newTransaction}, {@code set},
 * {@code commit}), for RocksDB ({@code db.put} with {@code WriteOptions.setSync} matching, its
 * default options otherwise) and for LevelDB-Java ({@code db.put} with {@code WriteOptions.sync}
 * matching). Each engine runs in a child JVM of its own, one after the other;
 * each configuration gets a fresh store under a temporary directory and runs for the same time
 * (first argument, seconds, default 5) after a short warm-up. The table gives commits per second
 * and the median and 99th-percentile commit latency of each, and Sett's rate over RocksDB's and
 * over the best peer's.
 *
 * <pre>mvn -q test-compile exec:exec -Dexec.executable=java \
 *     -Dexec.args="-cp %classpath dev.sett.measure.CommitThroughput 5"</pre>
 *
 * (not {@code exec:java}: the children take this JVM's {@code java.class.path}, which inside
 * Maven's JVM is Maven's own.)
 *
 * <p>A second argument, {@code sett}, {@code rocksdb} or {@code leveldb}, measures that engine alone in this JVM
 * (that is what the children run) and prints its rows.
 */
public final class CommitThroughput {
  /** Thread counts measured; {@code -Dsett.commit.threads=1,64} picks others. */
  private static final int[] THREADS = java.util.Arrays.stream(
      System.getProperty("sett.commit.threads", "1,2,8,64").split(",")).mapToInt(Integer::parseInt).toArray();
  private static final int VALUE_SIZE = 100;
  private static final String ROW_PREFIX = "ROW ";

  private CommitThroughput() {
  }

  /** One configuration's outcome. */
  private record Row(boolean syncWrites, int threads, long commits, double seconds, long p50Nanos, long p99Nanos) {
    double rate() {
      return commits / seconds;
    }

    String encode() {
      return ROW_PREFIX + syncWrites + " " + threads + " " + commits + " " + seconds + " " + p50Nanos
          + " " + p99Nanos;
    }

    static Row decode(String line) {
      String[] f = line.substring(ROW_PREFIX.length()).trim().split(" ");
      return new Row(Boolean.parseBoolean(f[0]), Integer.parseInt(f[1]), Long.parseLong(f[2]),
          Double.parseDouble(f[3]), Long.parseLong(f[4]), Long.parseLong(f[5]));
    }
  }

  /** One single-key write, as an engine does it. */
  private interface Committer {
    void commit(byte[] key, byte[] value) throws Exception;
  }

  /** A store under test, opened fresh for each configuration. */
  private interface Store extends AutoCloseable {
    Committer committer();
  }

  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
    double warmup = Math.min(1, seconds / 5);
    if (args.length > 1) {
      for (Row row : measureEngine(args[1], seconds, warmup)) {
        System.out.println(row.encode());
      }
      return;
    }
    List<Row> sett = runChild("sett", seconds);
    List<Row> rocks = runChild("rocksdb", seconds);
    List<Row> level = runChild("leveldb", seconds);
    System.out.printf("1-key writes, %d-byte values, %.1f s per configuration (after %.1f s warm-up), "
        + "%d CPUs; each engine in its own JVM%n", VALUE_SIZE, seconds, warmup,
        Runtime.getRuntime().availableProcessors());
    System.out.println("| syncWrites | threads | Sett commits/s | p50 | p99 | RocksDB puts/s | p50 | p99 "
        + "| LevelDB-Java puts/s | p50 | p99 | Sett ÷ RocksDB | Sett ÷ best peer |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (int i = 0; i < sett.size(); i++) {
      Row a = sett.get(i);
      Row b = rocks.get(i);
      Row c = level.get(i);
      System.out.printf("| %s | %d | %,.0f | %s | %s | %,.0f | %s | %s | %,.0f | %s | %s | %.2f | %.2f |%n",
          a.syncWrites ? "on" : "off", a.threads, a.rate(), micros(a.p50Nanos), micros(a.p99Nanos),
          b.rate(), micros(b.p50Nanos), micros(b.p99Nanos), c.rate(), micros(c.p50Nanos),
          micros(c.p99Nanos), a.rate() / b.rate(), a.rate() / Math.max(b.rate(), c.rate()));
    }
  }

  /** Runs this program for one engine in a child JVM with this JVM's class path; its rows. */
  private static List<Row> runChild(String engine, double seconds) throws Exception {
    String javaBinary = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(javaBinary, "-cp", System.getProperty("java.class.path"),
        "-Dsett.commit.threads=" + System.getProperty("sett.commit.threads", "1,2,8,64"),
        CommitThroughput.class.getName(), Double.toString(seconds), engine)
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    List<Row> rows = new ArrayList<>();
    try (var reader = new java.io.BufferedReader(new java.io.InputStreamReader(child.getInputStream(),
        java.nio.charset.StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (line.startsWith(ROW_PREFIX)) {
          rows.add(Row.decode(line));
        }
      }
    }
    int exit = child.waitFor();
    if (exit != 0 || rows.size() != 2 * THREADS.length) {
      throw new IllegalStateException("the " + engine + " child exited with " + exit + " after "
          + rows.size() + " of " + 2 * THREADS.length + " rows");
    }
    return rows;
  }

  private static List<Row> measureEngine(String engine, double seconds, double warmup) throws Exception {
    Path root = Files.createTempDirectory("sett-commit-throughput");
    List<Row> rows = new ArrayList<>();
    try {
      for (boolean sync : new boolean[] {false, true}) {
        for (int threads : THREADS) {
          Path dir = root.resolve((sync ? "sync" : "nosync") + "-" + threads);
          Files.createDirectories(dir);
          try (Store store = open(engine, dir, sync)) {
            rows.add(measure(store.committer(), sync, threads, warmup, seconds));
          }
          deleteRecursively(dir);
        }
      }
    } finally {
      deleteRecursively(root);
    }
    return rows;
  }

  private static Store open(String engine, Path dir, boolean sync) throws Exception {
    switch (engine) {
      case "sett" -> {
        DB db = DB.open(Options.builder(dir).syncWrites(sync).build());
        return new Store() {
          @Override
          public Committer committer() {
            return (key, value) -> {
              try (Txn txn = db.newTransaction(true)) {
                txn.set(key, value);
                txn.commit();
              }
            };
          }

          @Override
          public void close() {
            db.close();
          }
        };
      }
      case "rocksdb" -> {
        org.rocksdb.RocksDB.loadLibrary();
        org.rocksdb.Options options = new org.rocksdb.Options().setCreateIfMissing(true);
        org.rocksdb.WriteOptions writeOptions = new org.rocksdb.WriteOptions().setSync(sync);
        org.rocksdb.RocksDB db = org.rocksdb.RocksDB.open(options, dir.toString());
        return new Store() {
          @Override
          public Committer committer() {
            return (key, value) -> db.put(writeOptions, key, value);
          }

          @Override
          public void close() {
            db.close();
            writeOptions.close();
            options.close();
          }
        };
      }
      case "leveldb" -> {
        org.iq80.leveldb.DB db = org.iq80.leveldb.impl.Iq80DBFactory.factory.open(dir.toFile(),
            new org.iq80.leveldb.Options().createIfMissing(true));
        org.iq80.leveldb.WriteOptions writeOptions = new org.iq80.leveldb.WriteOptions().sync(sync);
        return new Store() {
          @Override
          public Committer committer() {
            return (key, value) -> db.put(key, value, writeOptions);
          }

          @Override
          public void close() throws IOException {
            db.close();
          }
        };
      }
      default -> throw new IllegalArgumentException("unknown engine " + engine
          + "; sett, rocksdb or leveldb");
    }
  }

  private static String micros(long nanos) {
    return String.format("%,.0f µs", nanos / 1e3);
  }

  private static Row measure(Committer committer, boolean sync, int threads, double warmup, double seconds)
      throws Exception {
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
            committer.commit(key, value);
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
