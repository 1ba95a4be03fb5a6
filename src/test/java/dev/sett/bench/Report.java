package dev.sett.bench;

import dev.sett.bench.Result.Figure;
import dev.sett.bench.SideBySide.Config;
import dev.sett.bench.SideBySide.RunResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/** The markdown tables of the side-by-side benchmark, with the machine and the commands that made them. */
final class Report {
  /** DESIGN.md §5's and issues 11–12's targets as Sett ÷ best peer, for the figures that have one. */
  static final Map<String, String> TARGETS = Map.of(
      "fill ops/s", "≥ 2.0",
      "readhot ops/s (before settling)", "≥ 1.2",
      "readrandom ops/s", "≥ 1.2",
      "readmissing ops/s", "≥ 1.2",
      "full scan keys/s", "≥ 1.2",
      "seek + 100 keys ops/s", "≥ 1.2",
      "put1 ops/s (single-key writes)", "≥ 1.5",
      "fill WA (written in fill ÷ logical)", "≤ 1.2 (absolute)",
      "total WA (written through settling ÷ logical)", "≤ 2.0 (absolute)",
      "peak live heap MiB", "runs in -Xmx256m");

  private Report() {
  }

  static String markdown(List<RunResult> runs, Config config) {
    StringBuilder text = new StringBuilder();
    for (RunResult run : runs) {
      text.append(String.format(Locale.ROOT,
          "### %s keys × %,d B values (16-byte keys, fill in batches of 1,000; %s reads on %d threads, %s absent-key reads, %,d seeks + %d keys, %s single-key writes of %d B)%n%n",
          count(run.keys()), run.valueSize(), count(config.reads >= 0 ? config.reads : run.keys()),
          config.threads, count(config.missing >= 0 ? config.missing : run.keys() / 5), config.seeks,
          config.seekKeys, count(config.put1), EngineRun.PUT1_VALUE_SIZE));
      text.append(config.repeat > 1
          ? String.format(Locale.ROOT, "Median of %d runs of each engine, taken round robin, each in a JVM of its own.%n%n", config.repeat)
          : "One run of each engine, each in a JVM of its own.\n\n");
      List<Result> results = run.results();
      List<Result> setts = results.stream().filter(r -> isSett(r.engine)).toList();
      boolean hasPeers = results.stream().anyMatch(r -> !isSett(r.engine));
      List<Result> ratios = hasPeers ? setts : List.of();
      text.append("| figure |");
      for (Result result : results) {
        text.append(' ').append(result.engine).append(" |");
      }
      for (Result sett : ratios) {
        text.append(' ').append(sett.engine).append(" ÷ best peer |");
      }
      if (!ratios.isEmpty()) {
        text.append(" target |");
      }
      text.append('\n').append("|---|");
      text.append("---:|".repeat(results.size() + ratios.size()));
      if (!ratios.isEmpty()) {
        text.append("---|");
      }
      text.append('\n');
      for (Map.Entry<String, Figure> entry : Result.figures().entrySet()) {
        Figure figure = entry.getValue();
        text.append("| ").append(entry.getKey()).append(" |");
        OptionalDouble best = bestPeer(results, figure);
        for (Result result : results) {
          String value = figure.format(result);
          boolean isBest = best.isPresent() && !isSett(result.engine)
              && figure.value().applyAsDouble(result) == best.getAsDouble();
          text.append(' ').append(isBest ? "**" + value + "**" : value).append(" |");
        }
        for (Result sett : ratios) {
          double ratio = figure.value().applyAsDouble(sett) / best.orElse(Double.NaN);
          text.append(Double.isFinite(ratio) ? String.format(Locale.ROOT, " %.2f |", ratio) : " — |");
        }
        if (!ratios.isEmpty()) {
          text.append(' ').append(TARGETS.getOrDefault(entry.getKey(), "")).append(" |");
        }
        text.append('\n');
      }
      text.append('\n');
    }
    text.append("Bold: the best peer. \"÷ best peer\" divides by the best peer in the figure's own direction "
        + "(for amplification, stalls and heap lower is better, so a ratio below 1 is better there); targets "
        + "marked absolute apply to Sett's own figure. put1: Sett `db.put`, RocksDB `db.put` with default "
        + "WriteOptions and LevelDB-Java `db.put` do not sync; LMDB commits one write transaction per put and, "
        + "by its default, syncs each one.\n\n");
    text.append(machine()).append('\n');
    text.append(String.format(Locale.ROOT, "JVM: %s (%s); each engine's child JVM ran with `%s`.%n%n",
        System.getProperty("java.version"), System.getProperty("java.vm.name"),
        String.join(" ", config.childJvmFlags)));
    text.append("Command: `SideBySide ").append(String.join(" ", config.args)).append("`, i.e.\n\n```\n")
        .append(mavenCommand(config)).append("\n```\n");
    return text.toString();
  }

  static boolean isSett(String engine) {
    return engine.startsWith("Sett");
  }

  /** The best value of {@code figure} among the engines other than Sett's variants. */
  static OptionalDouble bestPeer(List<Result> results, Figure figure) {
    var values = results.stream().filter(r -> !isSett(r.engine))
        .mapToDouble(r -> figure.value().applyAsDouble(r)).filter(v -> !Double.isNaN(v));
    return figure.higherIsBetter() ? values.max() : values.min();
  }

  /** The Maven command line that runs the driver with these flags and heap. */
  static String mavenCommand(Config config) {
    String heap = config.childJvmFlags.stream().filter(f -> f.startsWith("-Xmx")).findFirst().orElse("");
    return "mvn -q -B -ntp test-compile exec:exec@bench" + (heap.isEmpty() ? "" : " -Dbench.heap=" + heap)
        + " -Dbench.args=\"" + String.join(" ", config.args) + "\"";
  }

  /** Cores the JVM sees, {@code nproc}, memory and CPU model, from /proc. */
  static String machine() {
    String memory = "?";
    String cpu = "?";
    String nproc = "?";
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          long kib = Long.parseLong(line.replaceAll("[^0-9]", ""));
          memory = String.format(Locale.ROOT, "%.1f GiB", kib / 1048576.0);
        }
      }
      cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
          .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
      Process process = new ProcessBuilder("nproc").redirectErrorStream(true).start();
      nproc = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      process.waitFor();
    } catch (IOException e) {
      // not Linux, or /proc unreadable: the report says "?"
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return String.format(Locale.ROOT, "Machine: %d cores seen by the JVM, `nproc` %s, %s memory, CPU %s, %s %s.",
        Runtime.getRuntime().availableProcessors(), nproc, memory, cpu, System.getProperty("os.name"),
        System.getProperty("os.version"));
  }

  /** 1000000 as "1M", 100000 as "100k". */
  static String count(long n) {
    if (n >= 1_000_000 && n % 100_000 == 0) {
      return (n % 1_000_000 == 0 ? String.valueOf(n / 1_000_000) : String.format(Locale.ROOT, "%.1f", n / 1e6)) + "M";
    }
    if (n >= 1000 && n % 1000 == 0) {
      return n / 1000 + "k";
    }
    return String.valueOf(n);
  }
}
