package dev.sett.ycsb;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import site.ycsb.DB;
import site.ycsb.Workload;
import site.ycsb.measurements.Measurements;
import site.ycsb.workloads.CoreWorkload;

/**
 * Runs YCSB workloads A-F in-process (not through {@code site.ycsb.Client.main}, which calls
 * {@code System.exit}) against Sett and against RocksDB, each engine in a JVM of its own, and
 * prints a table of throughput and p99 latency per workload with Sett ÷ RocksDB per row:
 *
 * <pre>
 * mvn -q -B -ntp -f integrations/pom.xml -pl ycsb test-compile exec:exec@ycsb \
 *     -Dycsb.args="--records 100000 --operations 200000 --threads 2"
 * </pre>
 *
 * <p>Each workload loads a fresh store with {@code --records} records, then runs
 * {@code --operations} operations from {@code --threads} threads; the clock and the latency
 * histogram cover the run phase only. Workload files: {@code integrations/ycsb/workloads}.
 */
public final class YcsbRunner {

  static final List<String> WORKLOADS = List.of("workloada", "workloadb", "workloadc", "workloadd",
      "workloade", "workloadf");

  /** One workload's result. */
  record Result(String workload, double opsPerSecond, double p99Micros, long errors) {}

  private YcsbRunner() {}

  public static void main(String[] args) throws Exception {
    long records = 100_000;
    long operations = 200_000;
    int threads = 2;
    String engine = null;
    Path workloads = Path.of("workloads");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--records" -> records = Long.parseLong(args[++i]);
        case "--operations" -> operations = Long.parseLong(args[++i]);
        case "--threads" -> threads = Integer.parseInt(args[++i]);
        case "--engine" -> engine = args[++i];
        case "--workloads" -> workloads = Path.of(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + "; use --records N --operations N --threads N [--engine sett|rocksdb] [--workloads DIR]");
      }
    }
    if (engine != null) {
      for (String workload : WORKLOADS) {
        Result r = runWorkload(engine, workloads.resolve(workload), records, operations, threads);
        System.out.printf("RESULT %s %.1f %.1f %d%n", r.workload(), r.opsPerSecond(), r.p99Micros(), r.errors());
      }
      return;
    }
    Map<String, Map<String, Result>> byEngine = new LinkedHashMap<>();
    for (String name : List.of("sett", "rocksdb")) {
      byEngine.put(name, runChild(name, workloads, records, operations, threads));
    }
    System.out.printf("YCSB 0.17.0 CoreWorkload, %,d records of 10 x 100 B, %,d operations, %d threads%n",
        records, operations, threads);
    System.out.println("| workload | Sett ops/s | RocksDB ops/s | Sett ÷ RocksDB | Sett p99 µs | RocksDB p99 µs |");
    System.out.println("|---|---:|---:|---:|---:|---:|");
    for (String workload : WORKLOADS) {
      Result sett = byEngine.get("sett").get(workload);
      Result rocks = byEngine.get("rocksdb").get(workload);
      System.out.printf("| %s | %,.0f | %,.0f | %.2f | %,.0f | %,.0f |%n", workload.substring(8).toUpperCase(),
          sett.opsPerSecond(), rocks.opsPerSecond(), sett.opsPerSecond() / rocks.opsPerSecond(),
          sett.p99Micros(), rocks.p99Micros());
    }
  }

  private static Map<String, Result> runChild(String engine, Path workloads, long records, long operations,
      int threads) throws IOException, InterruptedException {
    List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", System.getProperty("java.class.path"),
        YcsbRunner.class.getName(), "--engine", engine, "--workloads", workloads.toString(),
        "--records", Long.toString(records), "--operations", Long.toString(operations),
        "--threads", Integer.toString(threads));
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    Map<String, Result> results = new LinkedHashMap<>();
    try (InputStream out = child.getInputStream()) {
      for (String line : new String(out.readAllBytes()).split("\n")) {
        if (line.startsWith("RESULT ")) {
          String[] f = line.split(" ");
          results.put(f[1], new Result(f[1], Double.parseDouble(f[2]), Double.parseDouble(f[3]), Long.parseLong(f[4])));
        } else if (!line.isBlank()) {
          System.out.println(engine + ": " + line);
        }
      }
    }
    if (child.waitFor() != 0 || results.size() != WORKLOADS.size()) {
      throw new IllegalStateException(engine + " run failed with exit code " + child.exitValue());
    }
    return results;
  }

  /** Loads a fresh store and runs one workload file on it; returns the run phase's figures. */
  static Result runWorkload(String engine, Path workloadFile, long records, long operations, int threads)
      throws Exception {
    Properties props = new Properties();
    try (InputStream in = Files.newInputStream(workloadFile)) {
      props.load(in);
    }
    props.setProperty("recordcount", Long.toString(records));
    props.setProperty("operationcount", Long.toString(operations));
    props.setProperty("threadcount", Integer.toString(threads));
    Path dir = Files.createTempDirectory("ycsb-" + engine + "-");
    props.setProperty(SettClient.DIR_PROPERTY, dir.toString());
    props.setProperty(RocksDbClient.DIR_PROPERTY, dir.toString());
    Measurements.setProperties(props);
    try {
      Workload workload = new CoreWorkload();
      workload.init(props);
      // Load phase: the records, split between the threads as YCSB's Client does.
      phase(engine, workload, props, threads, records, true, null);
      Histogram histogram = new Histogram(3_600_000_000L, 3);
      long start = System.nanoTime();
      long errors = phase(engine, workload, props, threads, operations, false, histogram);
      double seconds = (System.nanoTime() - start) / 1e9;
      workload.cleanup();
      return new Result(workloadFile.getFileName().toString(), operations / seconds,
          histogram.getValueAtPercentile(99) / 1000.0, errors);
    } finally {
      try (Stream<Path> paths = Files.walk(dir)) {
        paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static DB newClient(String engine, Properties props) {
    DB db = switch (engine) {
      case "sett" -> new SettClient();
      case "rocksdb" -> new RocksDbClient();
      default -> throw new IllegalArgumentException("unknown engine " + engine + "; use sett or rocksdb");
    };
    db.setProperties(props);
    return db;
  }

  /** Runs {@code total} inserts (load) or transactions from {@code threads} threads; returns the failures. */
  private static long phase(String engine, Workload workload, Properties props, int threads, long total,
      boolean load, Histogram histogram) throws Exception {
    AtomicLong failures = new AtomicLong();
    List<Thread> workers = new ArrayList<>();
    List<Histogram> histograms = new ArrayList<>();
    List<Throwable> thrown = new java.util.concurrent.CopyOnWriteArrayList<>();
    // All clients init before any runs, and clean up after all ran, so the shared store stays open.
    List<DB> clients = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      DB db = newClient(engine, props);
      db.init();
      clients.add(db);
    }
    for (int t = 0; t < threads; t++) {
      long share = total / threads + (t < total % threads ? 1 : 0);
      Object state = workload.initThread(props, t, threads);
      DB db = clients.get(t);
      Histogram own = histogram == null ? null : new Histogram(3_600_000_000L, 3);
      histograms.add(own);
      Thread worker = new Thread(() -> {
        try {
          for (long i = 0; i < share; i++) {
            long began = System.nanoTime();
            boolean ok = load ? workload.doInsert(db, state) : workload.doTransaction(db, state);
            if (own != null) {
              own.recordValue(Math.min(System.nanoTime() - began, 3_600_000_000L));
            }
            if (!ok) {
              failures.incrementAndGet();
            }
          }
        } catch (Throwable e) {
          thrown.add(e);
        }
      }, "ycsb-" + engine + "-" + t);
      workers.add(worker);
      worker.start();
    }
    for (Thread worker : workers) {
      worker.join();
    }
    for (DB db : clients) {
      db.cleanup();
    }
    if (!thrown.isEmpty()) {
      IllegalStateException e = new IllegalStateException(engine + " YCSB thread failed", thrown.get(0));
      thrown.stream().skip(1).forEach(e::addSuppressed);
      throw e;
    }
    if (histogram != null) {
      histograms.forEach(histogram::add);
    }
    return failures.get();
  }
}
