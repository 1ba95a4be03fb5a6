package dev.sett.bench;

import dev.sett.bench.SideBySide.Config;
import dev.sett.bench.SideBySide.Figure;
import dev.sett.bench.SideBySide.Result;
import dev.sett.bench.SideBySide.RunResult;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;

/** The markdown tables of the side-by-side benchmark. */
final class Report {
  /** DESIGN.md §5's targets as Sett ÷ best peer, for the figures that have one. */
  static final Map<String, String> TARGETS = Map.of(
      "fillrandom ops/s", "≥ 2.0",
      "readrandom ops/s", "≥ 1.2",
      "readmissing ops/s", "≥ 1.2",
      "full scan keys/s", "≥ 1.2",
      "seek + 100 keys ops/s", "≥ 1.2",
      "written ÷ logical bytes", "≤ 1.2 (absolute)",
      "disk ÷ logical bytes", "≤ 1.1 (absolute)",
      "peak live heap MiB", "runs in -Xmx256m");

  private Report() {
  }

  static String markdown(List<RunResult> runs, Config config) {
    StringBuilder text = new StringBuilder();
    for (RunResult run : runs) {
      text.append(String.format(Locale.ROOT,
          "### %s keys × %,d B values (16-byte keys, fillrandom in batches of 1,000; %s reads on %d threads, %s absent-key reads, %,d seeks + %d keys)%n%n",
          count(run.keys()), run.valueSize(), count(config.reads >= 0 ? config.reads : run.keys()),
          config.threads, count(config.missing >= 0 ? config.missing : run.keys() / 5), config.seeks, config.seekKeys));
      if (config.repeat > 1) {
        text.append(String.format(Locale.ROOT, "Median of %d runs of each engine, taken round robin.%n%n", config.repeat));
      }
      List<Result> results = run.results();
      text.append("| figure |");
      for (Result result : results) {
        text.append(' ').append(result.engine).append(" |");
      }
      boolean hasSett = results.stream().anyMatch(r -> r.engine.equals("Sett")) && results.size() > 1;
      if (hasSett) {
        text.append(" Sett ÷ best peer | target |");
      }
      text.append('\n').append("|---|");
      text.append("---:|".repeat(results.size()));
      if (hasSett) {
        text.append("---:|---|");
      }
      text.append('\n');
      for (Map.Entry<String, Figure> entry : SideBySide.figures().entrySet()) {
        Figure figure = entry.getValue();
        text.append("| ").append(entry.getKey()).append(" |");
        OptionalDouble best = bestPeer(results, figure);
        for (Result result : results) {
          String value = figure.format(result);
          boolean isBest = best.isPresent() && !result.engine.equals("Sett")
              && figure.value().applyAsDouble(result) == best.getAsDouble();
          text.append(' ').append(isBest ? "**" + value + "**" : value).append(" |");
        }
        if (hasSett) {
          double sett = results.stream().filter(r -> r.engine.equals("Sett")).findFirst()
              .map(r -> figure.value().applyAsDouble(r)).orElse(Double.NaN);
          text.append(String.format(Locale.ROOT, " %.2f | %s |", sett / best.orElse(Double.NaN),
              TARGETS.getOrDefault(entry.getKey(), "")));
        }
        text.append('\n');
      }
      text.append('\n');
    }
    text.append(String.format(Locale.ROOT, "Bold: the best peer. JVM %s (%s), %d cores, max heap %,d MiB.%n",
        System.getProperty("java.version"), System.getProperty("java.vm.name"),
        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20));
    return text.toString();
  }

  /** The best value of {@code figure} among the engines other than Sett. */
  static OptionalDouble bestPeer(List<Result> results, Figure figure) {
    var values = results.stream().filter(r -> !r.engine.equals("Sett"))
        .mapToDouble(r -> figure.value().applyAsDouble(r));
    return figure.higherIsBetter() ? values.max() : values.min();
  }

  /** 1000000 as "1 M", 100000 as "100 k". */
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
