package dev.sett.bench;

import dev.sett.bench.Result.Figure;
import dev.sett.bench.SideBySide.Config;
import dev.sett.bench.SideBySide.RunResult;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The side-by-side chart as SVG, written by the driver itself: one group of bars per figure,
 * each bar's length relative to the largest value of its group, the value printed beside it.
 */
final class Chart {
  private static final List<String> FIGURES = List.of("fill ops/s", "fill stalls s (batch calls > 50 ms)",
      "readhot ops/s (before settling)", "readrandom ops/s", "readmissing ops/s", "full scan keys/s",
      "seek + 100 keys ops/s", "put1 ops/s (single-key writes)", "fill WA (written in fill ÷ logical)",
      "total WA (written through settling ÷ logical)", "disk ÷ logical bytes", "peak live heap MiB");
  private static final String[] COLOURS = {"#d95f02", "#e6ab02", "#1b9e77", "#7570b3", "#e7298a", "#66a61e"};
  private static final int WIDTH = 900;
  private static final int LABEL = 320;
  private static final int BAR_AREA = 440;
  private static final int BAR = 14;
  private static final int GAP = 14;

  private Chart() {
  }

  static String svg(RunResult run, Config config) {
    List<Result> results = run.results();
    Map<String, Figure> figures = Result.figures();
    int groupHeight = results.size() * (BAR + 2) + GAP;
    int top = 58;
    int height = top + FIGURES.size() * groupHeight + 20;
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n",
        WIDTH, height, WIDTH, height));
    svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, height));
    svg.append(String.format(Locale.ROOT,
        "<text x=\"10\" y=\"20\" font-size=\"15\" font-weight=\"bold\">Sett and peers: %s keys × %,d B values, %d read threads, each engine in its own JVM%s</text>%n",
        Report.count(run.keys()), run.valueSize(), config.threads,
        config.repeat > 1 ? ", median of " + config.repeat : ""));
    svg.append(String.format(Locale.ROOT,
        "<text x=\"10\" y=\"38\" fill=\"#555\">Throughput: longer is better. Amplification and heap: shorter is better. Bars are relative to the largest value of each group.</text>%n"));
    for (int e = 0; e < results.size(); e++) {
      int x = 10 + e * 145;
      svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"44\" width=\"10\" height=\"10\" fill=\"%s\"/>", x,
          COLOURS[e % COLOURS.length]));
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"53\">%s</text>%n", x + 14, escape(results.get(e).engine)));
    }
    int y = top;
    for (String name : FIGURES) {
      Figure figure = figures.get(name);
      double max = results.stream().mapToDouble(r -> figure.value().applyAsDouble(r))
          .filter(Double::isFinite).max().orElse(1);
      svg.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\" font-weight=\"bold\">%s</text>%n",
          y + groupHeight / 2, escape(name)));
      for (int e = 0; e < results.size(); e++) {
        Result result = results.get(e);
        double value = figure.value().applyAsDouble(result);
        int length = max > 0 && Double.isFinite(value) ? (int) Math.round(value / max * BAR_AREA) : 0;
        int barY = y + e * (BAR + 2);
        svg.append(String.format(Locale.ROOT,
            "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/><text x=\"%d\" y=\"%d\">%s</text>%n",
            LABEL, barY, Math.max(length, 1), BAR, COLOURS[e % COLOURS.length], LABEL + Math.max(length, 1) + 5,
            barY + BAR - 3, escape(figure.format(result))));
      }
      y += groupHeight;
    }
    svg.append("</svg>\n");
    return svg.toString();
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
