package dev.sett.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * A db_bench-style side-by-side benchmark: Sett, RocksDB, LMDB and LevelDB-Java in one JVM run,
 * one after the other, on the same keys and values (DESIGN.md §5's standard workload): fillrandom
 * in batches of 1,000, readrandom on N threads, reads of absent keys, a full scan, and seeks that
 * each read 100 keys. Reports ops/s, MB/s, bytes written to disk ÷ logical bytes (write_bytes of
 * /proc/self/io over the fill and the background work it causes), disk bytes ÷ logical bytes after
 * the fill, and the peak live heap (the largest heap left after a GC), as a markdown table and an
 * SVG chart.
 *
 * <pre>mvn -q test-compile exec:exec@bench -Dbench.args="--keys 1000000 --value-size 1024"</pre>
 *
 * Flags: {@code --keys N[,N...]} and {@code --value-size S[,S...]} (one run per pair; a single
 * key count applies to every size), {@code --threads T} (2), {@code --reads R} (= keys),
 * {@code --missing M} (= keys / 5), {@code --seeks 1000}, {@code --seek-keys 100},
 * {@code --engines sett,rocksdb,lmdb,leveldb} (and {@code sett-encrypted}: Sett with an AES-256
 * key), {@code --dir D} (a temporary directory),
 * {@code --out D} (target/bench), {@code --settle-ms 2000} (how long disk writes must stay still
 * before the fill counts as settled), {@code --repeat R} (1: run every engine R times, round
 * robin, and report the median of each figure).
 */
public final class SideBySide {
  static final List<String> ALL_ENGINES = List.of("sett", "rocksdb", "lmdb", "leveldb");
  private static final int BATCH = 1000;

  private final Config config;
  private final PrintStream log;

  SideBySide(Config config, PrintStream log) {
    this.config = config;
    this.log = log;
  }

  public static void main(String[] args) throws Exception {
    Config config = Config.parse(args);
    List<RunResult> runs = new SideBySide(config, System.err).runAll();
    System.out.print(Report.markdown(runs, config));
  }

  /** Runs every (keys, value size) pair on every engine and writes the report files. */
  List<RunResult> runAll() throws Exception {
    Files.createDirectories(config.out);
    List<RunResult> runs = new ArrayList<>();
    for (int r = 0; r < config.valueSizes.size(); r++) {
      long keys = config.keys.get(Math.min(r, config.keys.size() - 1));
      Workload workload = new Workload(keys, config.valueSizes.get(r));
      // Repetitions go round the engines, so a slow spell on a shared machine hits all of them.
      Map<String, List<Result>> repeats = new LinkedHashMap<>();
      for (int repeat = 0; repeat < config.repeat; repeat++) {
        for (String engine : config.engines) {
          repeats.computeIfAbsent(engine, e -> new ArrayList<>()).add(run(engine, workload));
        }
      }
      List<Result> results = repeats.values().stream().map(Result::median).toList();
      RunResult run = new RunResult(workload.keys, workload.valueSize, results);
      runs.add(run);
      String stem = "bench-" + Report.count(keys) + "x" + workload.valueSize;
      Files.writeString(config.out.resolve(stem + ".svg"), Chart.svg(run, config));
      Files.writeString(config.out.resolve(stem + ".md"), Report.markdown(List.of(run), config));
    }
    Files.writeString(config.out.resolve("bench.md"), Report.markdown(runs, config));
    log.println("wrote " + config.out.toAbsolutePath() + "/bench*.md and bench-*.svg");
    return runs;
  }

  static Engine engine(String name) {
    return switch (name) {
      case "sett" -> new SettEngine();
      case "sett-encrypted" -> new SettEngine(true);
      case "rocksdb" -> new RocksDbEngine();
      case "lmdb" -> new LmdbEngine();
      case "leveldb" -> new LevelDbEngine();
      default -> throw new IllegalArgumentException("unknown engine " + name + "; known: " + ALL_ENGINES);
    };
  }

  private Result run(String engineName, Workload workload) throws Exception {
    Path dir = config.dir.resolve(engineName + "-" + workload.keys + "x" + workload.valueSize);
    deleteRecursively(dir);
    Files.createDirectories(dir);
    Result result = new Result();
    System.gc();
    try (HeapWatch heap = new HeapWatch(); Engine engine = engine(engineName)) {
      result.engine = engine.name();
      log.printf(Locale.ROOT, "== %s: %,d keys x %d B values in %s%n", engine.name(), workload.keys,
          workload.valueSize, dir);
      long writtenBefore = ProcIo.writeBytes();
      engine.open(dir, workload.logicalBytes());

      long start = System.nanoTime();
      byte[][] keys = new byte[BATCH][];
      byte[][] values = new byte[BATCH][];
      for (long first = 0; first < workload.keys; first += BATCH) {
        int count = (int) Math.min(BATCH, workload.keys - first);
        for (int i = 0; i < count; i++) {
          keys[i] = Workload.key(first + i);
          values[i] = workload.value(first + i);
        }
        engine.writeBatch(keys, values, count);
      }
      long fillNanos = System.nanoTime() - start;
      result.fill = Rate.of(workload.keys, workload.logicalBytes(), fillNanos);
      log.printf(Locale.ROOT, "   fillrandom   %s%s%n", result.fill, engine instanceof SettEngine sett
          && sett.splitsBatches() ? "  (batches of 1,000 passed the transaction limit: split by a WriteBatch)" : "");

      long settleStart = System.nanoTime();
      settle(engine);
      result.settleSeconds = (System.nanoTime() - settleStart) / 1e9;
      result.writeAmplification = (double) (ProcIo.writeBytes() - writtenBefore) / workload.logicalBytes();
      result.spaceAmplification = (double) directorySize(dir) / workload.logicalBytes();
      log.printf(Locale.ROOT, "   settled in %.1f s; written/logical %.2f, disk/logical %.2f%n",
          result.settleSeconds, result.writeAmplification, result.spaceAmplification);

      result.readRandom = readRandom(engine, workload, config.reads(workload), false);
      log.printf(Locale.ROOT, "   readrandom   %s%n", result.readRandom);
      result.readMissing = readRandom(engine, workload, config.missing(workload), true);
      log.printf(Locale.ROOT, "   readmissing  %s%n", result.readMissing);

      Engine.PairCounter counter = new Engine.PairCounter();
      start = System.nanoTime();
      long bytes = engine.scan(counter);
      result.scan = Rate.of(counter.pairs, bytes, System.nanoTime() - start);
      if (counter.pairs != workload.keys) {
        throw new IllegalStateException(engine.name() + " scanned " + counter.pairs + " keys, wrote " + workload.keys);
      }
      log.printf(Locale.ROOT, "   scan         %s%n", result.scan);

      SplittableRandom random = new SplittableRandom(99);
      start = System.nanoTime();
      bytes = 0;
      for (int s = 0; s < config.seeks; s++) {
        bytes += engine.seekAndRead(Workload.key(random.nextLong(workload.keys)), config.seekKeys);
      }
      result.seek = Rate.of(config.seeks, bytes, System.nanoTime() - start);
      log.printf(Locale.ROOT, "   seek+%d     %s%n", config.seekKeys, result.seek);
      result.peakHeapBytes = heap.peakAfterGc();
    } finally {
      deleteRecursively(dir);
    }
    return result;
  }

  /**
   * Waits until the engine reports no background work and the process has written less than
   * 1 MiB for {@code --settle-ms} (a JFR recording, if one runs, keeps writing a little).
   */
  private void settle(Engine engine) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + 600_000_000_000L;
    long windowStartBytes = ProcIo.writeBytes();
    long windowStart = System.nanoTime();
    while (System.nanoTime() < deadline) {
      Thread.sleep(Math.min(250, Math.max(10, config.settleMillis / 4)));
      long written = ProcIo.writeBytes();
      if (written - windowStartBytes > (1 << 20) || !engine.quiet()) {
        windowStartBytes = written;
        windowStart = System.nanoTime();
      } else if (System.nanoTime() - windowStart >= config.settleMillis * 1_000_000L) {
        return;
      }
    }
    log.println("   (gave up waiting for background work after 600 s)");
  }

  private Rate readRandom(Engine engine, Workload workload, long reads, boolean absent) throws Exception {
    int threads = config.threads;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      AtomicLong bytes = new AtomicLong();
      List<Future<?>> futures = new ArrayList<>();
      long start = System.nanoTime();
      for (int t = 0; t < threads; t++) {
        long share = reads / threads + (t < reads % threads ? 1 : 0);
        SplittableRandom random = new SplittableRandom(absent ? 500 + t : 100 + t);
        futures.add(pool.submit(() -> {
          long local = 0;
          for (long n = 0; n < share; n++) {
            long i = random.nextLong(workload.keys);
            byte[] key = absent ? Workload.absentKey(i) : Workload.key(i);
            byte[] value = engine.get(key);
            if (absent) {
              if (value != null) {
                throw new IllegalStateException(engine.name() + " found an absent key");
              }
            } else if (value == null || value.length != workload.valueSize
                || (n & 63) == 0 && !workload.isValue(i, value)) {
              throw new IllegalStateException(engine.name() + " returned a wrong value for key " + i);
            } else {
              local += key.length + value.length;
            }
          }
          bytes.addAndGet(local);
          return null;
        }));
      }
      for (Future<?> future : futures) {
        future.get();
      }
      return Rate.of(reads, bytes.get(), System.nanoTime() - start);
    } finally {
      pool.shutdownNow();
    }
  }

  static long directorySize(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      return paths.filter(Files::isRegularFile).mapToLong(path -> {
        try {
          return Files.size(path);
        } catch (IOException e) {
          return 0; // deleted while we walked: it no longer takes space
        }
      }).sum();
    }
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(path);
      }
    }
  }

  /** The driver's settings. */
  static final class Config {
    List<Long> keys = List.of(1_000_000L);
    List<Integer> valueSizes = List.of(1024);
    int threads = 2;
    long reads = -1;
    long missing = -1;
    int seeks = 1000;
    int seekKeys = 100;
    List<String> engines = ALL_ENGINES;
    Path dir;
    Path out = Path.of("target", "bench");
    long settleMillis = 2000;
    int repeat = 1;

    long reads(Workload workload) {
      return reads >= 0 ? reads : workload.keys;
    }

    long missing(Workload workload) {
      return missing >= 0 ? missing : workload.keys / 5;
    }

    static Config parse(String[] args) throws IOException {
      Config config = new Config();
      for (int i = 0; i < args.length; i++) {
        String flag = args[i];
        if (flag.isBlank()) {
          continue;
        }
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(flag + " needs a value");
        }
        String value = args[++i];
        switch (flag) {
          case "--keys" -> config.keys = list(value, s -> (long) Double.parseDouble(s));
          case "--value-size" -> config.valueSizes = list(value, Integer::parseInt);
          case "--threads" -> config.threads = Integer.parseInt(value);
          case "--reads" -> config.reads = Long.parseLong(value);
          case "--missing" -> config.missing = Long.parseLong(value);
          case "--seeks" -> config.seeks = Integer.parseInt(value);
          case "--seek-keys" -> config.seekKeys = Integer.parseInt(value);
          case "--engines" -> config.engines = list(value, s -> s.toLowerCase(Locale.ROOT));
          case "--dir" -> config.dir = Path.of(value);
          case "--out" -> config.out = Path.of(value);
          case "--settle-ms" -> config.settleMillis = Long.parseLong(value);
          case "--repeat" -> config.repeat = Integer.parseInt(value);
          default -> throw new IllegalArgumentException("unknown flag " + flag);
        }
      }
      if (config.keys.size() != 1 && config.keys.size() != config.valueSizes.size()) {
        throw new IllegalArgumentException("--keys needs one count or one per --value-size");
      }
      config.engines.forEach(SideBySide::engine);
      if (config.dir == null) {
        config.dir = Files.createTempDirectory("sett-bench");
      }
      return config;
    }

    private static <T> List<T> list(String value, java.util.function.Function<String, T> parse) {
      return Stream.of(value.split(",")).map(String::trim).map(parse).toList();
    }
  }

  /** Operations, bytes and time of one phase. */
  record Rate(long operations, long bytes, long nanos) {
    static Rate of(long operations, long bytes, long nanos) {
      return new Rate(operations, bytes, Math.max(1, nanos));
    }

    double perSecond() {
      return operations / (nanos / 1e9);
    }

    double megabytesPerSecond() {
      return bytes / 1e6 / (nanos / 1e9);
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%,12.0f ops/s %8.1f MB/s  (%,d in %.2f s)", perSecond(),
          megabytesPerSecond(), operations, nanos / 1e9);
    }
  }

  /** What one engine measured in one run (or the medians of several). */
  static final class Result {
    String engine;
    Rate fill;
    Rate readRandom;
    Rate readMissing;
    Rate scan;
    Rate seek;
    double writeAmplification;
    double spaceAmplification;
    double settleSeconds;
    long peakHeapBytes;
    int runs = 1;

    /** Each figure's median over {@code results} (the upper median for an even count). */
    static Result median(List<Result> results) {
      Result median = new Result();
      median.engine = results.get(0).engine;
      median.runs = results.size();
      median.fill = medianRate(results, r -> r.fill);
      median.readRandom = medianRate(results, r -> r.readRandom);
      median.readMissing = medianRate(results, r -> r.readMissing);
      median.scan = medianRate(results, r -> r.scan);
      median.seek = medianRate(results, r -> r.seek);
      median.writeAmplification = medianOf(results, r -> r.writeAmplification);
      median.spaceAmplification = medianOf(results, r -> r.spaceAmplification);
      median.settleSeconds = medianOf(results, r -> r.settleSeconds);
      median.peakHeapBytes = (long) medianOf(results, r -> r.peakHeapBytes);
      return median;
    }

    private static Rate medianRate(List<Result> results, java.util.function.Function<Result, Rate> rate) {
      List<Rate> rates = results.stream().map(rate).sorted(Comparator.comparingDouble(Rate::perSecond)).toList();
      return rates.get(rates.size() / 2);
    }

    private static double medianOf(List<Result> results, java.util.function.ToDoubleFunction<Result> value) {
      double[] values = results.stream().mapToDouble(value).sorted().toArray();
      return values[values.length / 2];
    }
  }

  /** The results of every engine for one (keys, value size) pair. */
  record RunResult(long keys, int valueSize, List<Result> results) {}

  /** write_bytes of /proc/self/io: bytes this process caused to be written to storage. */
  static final class ProcIo {
    private ProcIo() {
    }

    static long writeBytes() throws IOException {
      for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
        if (line.startsWith("write_bytes:")) {
          return Long.parseLong(line.substring("write_bytes:".length()).trim());
        }
      }
      throw new IOException("no write_bytes in /proc/self/io");
    }
  }

  /**
   * The largest heap in use right after a collection while it is open: the live data an engine
   * holds at its peak, not the garbage it leaves between collections.
   */
  static final class HeapWatch implements AutoCloseable {
    private final AtomicLong peak = new AtomicLong();
    private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
        .filter(pool -> pool.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName)
        .collect(Collectors.toSet());
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = (notification, handback) -> {
      if (!"com.sun.management.gc.notification".equals(notification.getType())) {
        return;
      }
      CompositeData info = (CompositeData) notification.getUserData();
      CompositeData gcInfo = (CompositeData) info.get("gcInfo");
      Map<?, ?> after = (Map<?, ?>) javax.management.openmbean.TabularData.class.cast(
          gcInfo.get("memoryUsageAfterGc")).values().stream()
          .map(CompositeData.class::cast)
          .collect(Collectors.toMap(row -> row.get("key"), row -> row.get("value")));
      long used = 0;
      for (Map.Entry<?, ?> entry : after.entrySet()) {
        if (heapPools.contains((String) entry.getKey())) {
          used += MemoryUsage.from((CompositeData) entry.getValue()).getUsed();
        }
      }
      peak.accumulateAndGet(used, Math::max);
    };

    HeapWatch() {
      for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        if (gc instanceof NotificationEmitter emitter) {
          emitter.addNotificationListener(listener, null, null);
          emitters.add(emitter);
        }
      }
    }

    long peakAfterGc() {
      return peak.get();
    }

    @Override
    public void close() {
      for (NotificationEmitter emitter : emitters) {
        try {
          emitter.removeNotificationListener(listener);
        } catch (javax.management.ListenerNotFoundException e) {
          // already gone
        }
      }
    }
  }

  /** Figures of a result in table order, with the direction in which they improve. */
  static Map<String, Figure> figures() {
    Map<String, Figure> figures = new LinkedHashMap<>();
    figures.put("fillrandom ops/s", new Figure(r -> r.fill.perSecond(), true, "%,.0f"));
    figures.put("fillrandom MB/s", new Figure(r -> r.fill.megabytesPerSecond(), true, "%,.1f"));
    figures.put("readrandom ops/s", new Figure(r -> r.readRandom.perSecond(), true, "%,.0f"));
    figures.put("readrandom MB/s", new Figure(r -> r.readRandom.megabytesPerSecond(), true, "%,.1f"));
    figures.put("readmissing ops/s", new Figure(r -> r.readMissing.perSecond(), true, "%,.0f"));
    figures.put("full scan keys/s", new Figure(r -> r.scan.perSecond(), true, "%,.0f"));
    figures.put("full scan MB/s", new Figure(r -> r.scan.megabytesPerSecond(), true, "%,.1f"));
    figures.put("seek + 100 keys ops/s", new Figure(r -> r.seek.perSecond(), true, "%,.0f"));
    figures.put("seek + 100 keys MB/s", new Figure(r -> r.seek.megabytesPerSecond(), true, "%,.1f"));
    figures.put("written ÷ logical bytes", new Figure(r -> r.writeAmplification, false, "%.2f"));
    figures.put("disk ÷ logical bytes", new Figure(r -> r.spaceAmplification, false, "%.2f"));
    figures.put("peak live heap MiB", new Figure(r -> r.peakHeapBytes / 1048576.0, false, "%,.0f"));
    return figures;
  }

  /** One figure: how to read it from a result, whether more is better, and its format. */
  record Figure(java.util.function.ToDoubleFunction<Result> value, boolean higherIsBetter, String format) {
    String format(Result result) {
      return String.format(Locale.ROOT, format, value.applyAsDouble(result));
    }
  }
}
