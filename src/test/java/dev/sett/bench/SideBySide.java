package dev.sett.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A db_bench-style side-by-side benchmark: Sett, RocksDB, LMDB and LevelDB-Java on the same keys
 * and values (DESIGN.md §5's standard workload), <b>each engine in a JVM of its own</b>: for every
 * (engine, workload, repetition) this parent starts a child JVM (same {@code java}, same class
 * path, the same JVM flags, {@code -Dbench.heap} replacing the heap flag), which runs the phases of
 * {@link EngineRun} and writes its {@link Result} to a file the parent reads after the child exits.
 * Phases: fill in batches of 1,000 through each engine's bulk API (with the stalls: time in batch
 * calls over 50 ms, the longest call), readhot (readrandom before settling), settle, readrandom on N
 * threads, reads of absent keys, a full scan, seeks that each read 100 keys, and put1 (single-key
 * writes). Reports ops/s, MB/s, write amplification of the fill and through settling
 * ({@code write_bytes} of {@code /proc/self/io}), disk ÷ logical bytes and the peak live heap, as
 * a markdown table and an SVG chart.
 *
 * <pre>mvn -q test-compile exec:exec@bench -Dbench.args="--keys 1000000 --value-size 1024"</pre>
 *
 * Flags: {@code --keys N[,N...]} and {@code --value-size S[,S...]} (one run per pair; a single
 * key count applies to every size), {@code --threads T} (2), {@code --reads R} (= keys),
 * {@code --missing M} (= keys / 5), {@code --seeks 1000}, {@code --seek-keys 100},
 * {@code --put1 N} (100000; 0 skips), {@code --engines sett,sett-txn,rocksdb,lmdb,leveldb} (and
 * {@code sett-encrypted}: Sett with an AES-256 key), {@code --dir D} (a temporary directory),
 * {@code --out D} (target/bench), {@code --settle-ms 2000} (how long disk writes must stay still
 * before the fill counts as settled), {@code --repeat R} (1: run every engine R times, round
 * robin, and report the median of each figure). {@code --child ENGINE --result FILE} is how the
 * parent starts a child.
 */
public final class SideBySide {
  static final List<String> ALL_ENGINES = List.of("sett", "sett-txn", "rocksdb", "lmdb", "leveldb");
  private static final List<String> KNOWN_ENGINES =
      List.of("sett", "sett-txn", "sett-encrypted", "rocksdb", "lmdb", "leveldb");

  private final Config config;
  private final PrintStream log;

  SideBySide(Config config, PrintStream log) {
    this.config = config;
    this.log = log;
  }

  public static void main(String[] args) throws Exception {
    Config config = Config.parse(args);
    if (config.childEngine != null) {
      // A child: one engine, one workload; the exit code tells the parent how it went (and ends
      // the JVM even if an engine left a non-daemon thread behind).
      try {
        Workload workload = new Workload(config.keys.get(0), config.valueSizes.get(0));
        new EngineRun(config, System.err).run(config.childEngine, workload).write(config.resultFile);
      } catch (Throwable e) {
        e.printStackTrace();
        System.exit(1);
      }
      System.exit(0);
    }
    List<RunResult> runs = new SideBySide(config, System.err).runAll();
    System.out.print(Report.markdown(runs, config));
  }

  /** Runs every (keys, value size) pair on every engine, each in a child JVM, and writes the report files. */
  List<RunResult> runAll() throws Exception {
    Files.createDirectories(config.out);
    Path resultDir = Files.createDirectories(config.out.resolve("results"));
    log.println("child JVM flags: " + String.join(" ", config.childJvmFlags));
    List<RunResult> runs = new ArrayList<>();
    for (int r = 0; r < config.valueSizes.size(); r++) {
      long keys = config.keys.get(Math.min(r, config.keys.size() - 1));
      int valueSize = config.valueSizes.get(r);
      // Repetitions go round the engines, so a slow spell on a shared machine hits all of them.
      Map<String, List<Result>> repeats = new LinkedHashMap<>();
      for (int repeat = 0; repeat < config.repeat; repeat++) {
        for (String engine : config.engines) {
          Path resultFile = resultDir.resolve(engine + "-" + Report.count(keys) + "x" + valueSize + "-" + (repeat + 1)
              + ".properties");
          repeats.computeIfAbsent(engine, e -> new ArrayList<>()).add(fork(engine, keys, valueSize, resultFile));
        }
      }
      List<Result> results = repeats.values().stream().map(Result::median).toList();
      RunResult run = new RunResult(keys, valueSize, results);
      runs.add(run);
      String stem = "bench-" + Report.count(keys) + "x" + valueSize;
      Files.writeString(config.out.resolve(stem + ".svg"), Chart.svg(run, config));
      Files.writeString(config.out.resolve(stem + ".md"), Report.markdown(List.of(run), config));
    }
    Files.writeString(config.out.resolve("bench.md"), Report.markdown(runs, config));
    log.println("wrote " + config.out.toAbsolutePath() + "/bench*.md and bench-*.svg");
    return runs;
  }

  /**
   * Runs {@code engine} on one workload in a child JVM and reads back the result it wrote. The
   * child's standard output and error go to the log, line by line.
   */
  private Result fork(String engine, long keys, int valueSize, Path resultFile) throws Exception {
    Files.deleteIfExists(resultFile);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(config.childJvmFlags);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(SideBySide.class.getName());
    command.addAll(config.args);
    command.addAll(List.of("--keys", Long.toString(keys), "--value-size", Integer.toString(valueSize),
        "--dir", config.dir.toString(), "--child", engine, "--result", resultFile.toString()));
    Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
    try (BufferedReader output = new BufferedReader(new InputStreamReader(child.getInputStream(),
        StandardCharsets.UTF_8))) {
      for (String line = output.readLine(); line != null; line = output.readLine()) {
        log.println(line);
      }
    } finally {
      if (child.isAlive()) {
        child.destroyForcibly(); // the parent is failing: leave no child behind
      }
    }
    int exitCode = child.waitFor();
    if (exitCode != 0) {
      throw new IllegalStateException("engine " + engine + " (" + keys + " keys x " + valueSize
          + " B) failed in its child JVM with exit code " + exitCode + "; its output is in the log above");
    }
    return Result.read(resultFile);
  }

  static Engine engine(String name) {
    return switch (name) {
      case "sett" -> new SettEngine(false, false);
      case "sett-txn" -> new SettEngine(true, false);
      case "sett-encrypted" -> new SettEngine(false, true);
      case "rocksdb" -> new RocksDbEngine();
      case "lmdb" -> new LmdbEngine();
      case "leveldb" -> new LevelDbEngine();
      default -> throw new IllegalArgumentException("unknown engine " + name + "; known: " + KNOWN_ENGINES);
    };
  }

  /**
   * The child's JVM flags: this JVM's own (so {@code bench.jvmArgs} and the heap flag the bench
   * execution gave the parent carry over), without a debugger agent, the heap flag replaced by
   * {@code -Dbench.heap} when set, and {@code -Dbench.jvmArgs} added when set.
   */
  static List<String> childJvmFlags() {
    List<String> flags = new ArrayList<>();
    String heap = System.getProperty("bench.heap");
    for (String flag : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (flag.startsWith("-agentlib:jdwp") || heap != null && !heap.isBlank() && flag.startsWith("-Xmx")) {
        continue;
      }
      flags.add(flag);
    }
    if (heap != null && !heap.isBlank()) {
      flags.addAll(List.of(heap.trim().split("\\s+")));
    }
    String jvmArgs = System.getProperty("bench.jvmArgs");
    if (jvmArgs != null && !jvmArgs.isBlank()) {
      for (String flag : jvmArgs.trim().split("\\s+")) {
        if (!flags.contains(flag)) {
          flags.add(flag);
        }
      }
    }
    return flags;
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
    long put1 = 100_000;
    List<String> engines = ALL_ENGINES;
    Path dir;
    Path out = Path.of("target", "bench");
    long settleMillis = 2000;
    int repeat = 1;
    /** The engine this JVM runs, when it is a child; null in the parent. */
    String childEngine;
    Path resultFile;
    /** The arguments as given (the child gets them too, its own flags after them). */
    List<String> args;
    List<String> childJvmFlags = childJvmFlags();

    long reads(Workload workload) {
      return reads >= 0 ? reads : workload.keys;
    }

    long missing(Workload workload) {
      return missing >= 0 ? missing : workload.keys / 5;
    }

    static Config parse(String[] args) throws IOException {
      Config config = new Config();
      config.args = List.of(args);
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
          case "--put1" -> config.put1 = Long.parseLong(value);
          case "--engines" -> config.engines = list(value, s -> s.toLowerCase(Locale.ROOT));
          case "--dir" -> config.dir = Path.of(value);
          case "--out" -> config.out = Path.of(value);
          case "--settle-ms" -> config.settleMillis = Long.parseLong(value);
          case "--repeat" -> config.repeat = Integer.parseInt(value);
          case "--child" -> config.childEngine = value;
          case "--result" -> config.resultFile = Path.of(value);
          default -> throw new IllegalArgumentException("unknown flag " + flag);
        }
      }
      if (config.keys.size() != 1 && config.keys.size() != config.valueSizes.size()) {
        throw new IllegalArgumentException("--keys needs one count or one per --value-size");
      }
      if (config.put1 < 0 || config.repeat < 1 || config.threads < 1) {
        throw new IllegalArgumentException("--put1 must be ≥ 0, --repeat and --threads ≥ 1");
      }
      if (config.childEngine != null && config.resultFile == null) {
        throw new IllegalArgumentException("--child needs --result");
      }
      config.engines.forEach(SideBySide::engine);
      if (config.dir == null) {
        config.dir = Files.createTempDirectory("sett-bench");
      }
      return config;
    }

    private static <T> List<T> list(String value, Function<String, T> parse) {
      return Stream.of(value.split(",")).map(String::trim).map(parse).toList();
    }
  }

  /** The results of every engine for one (keys, value size) pair. */
  record RunResult(long keys, int valueSize, List<Result> results) {}
}
