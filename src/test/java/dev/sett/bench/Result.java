package dev.sett.bench;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * What one engine measured in one run (or the medians of several), and how it travels from the
 * child JVM that measured it to the parent: a properties file, one line per number.
 */
final class Result {
  String engine;
  Rate fill;
  /** Time spent in batch calls of the fill that each took more than 50 ms. */
  long fillStallNanos;
  /** The longest single batch call of the fill. */
  long longestBatchNanos;
  /** readrandom straight after the fill, before the engine settles. */
  Rate readHot;
  Rate readRandom;
  Rate readMissing;
  Rate scan;
  Rate seek;
  /** Single-key writes after the read phases; null when {@code --put1 0} skipped them. */
  Rate put1;
  /** Bytes written from the open to the end of the fill ÷ logical bytes. */
  double fillWriteAmplification;
  /** Bytes written from the open to the end of settling ÷ logical bytes. */
  double totalWriteAmplification;
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
    median.fillStallNanos = (long) medianOf(results, r -> r.fillStallNanos);
    median.longestBatchNanos = (long) medianOf(results, r -> r.longestBatchNanos);
    median.readHot = medianRate(results, r -> r.readHot);
    median.readRandom = medianRate(results, r -> r.readRandom);
    median.readMissing = medianRate(results, r -> r.readMissing);
    median.scan = medianRate(results, r -> r.scan);
    median.seek = medianRate(results, r -> r.seek);
    median.put1 = results.stream().anyMatch(r -> r.put1 == null) ? null : medianRate(results, r -> r.put1);
    median.fillWriteAmplification = medianOf(results, r -> r.fillWriteAmplification);
    median.totalWriteAmplification = medianOf(results, r -> r.totalWriteAmplification);
    median.spaceAmplification = medianOf(results, r -> r.spaceAmplification);
    median.settleSeconds = medianOf(results, r -> r.settleSeconds);
    median.peakHeapBytes = (long) medianOf(results, r -> r.peakHeapBytes);
    return median;
  }

  private static Rate medianRate(List<Result> results, Function<Result, Rate> rate) {
    List<Rate> rates = results.stream().map(rate).sorted(Comparator.comparingDouble(Rate::perSecond)).toList();
    return rates.get(rates.size() / 2);
  }

  private static double medianOf(List<Result> results, ToDoubleFunction<Result> value) {
    double[] values = results.stream().mapToDouble(value).sorted().toArray();
    return values[values.length / 2];
  }

  /** Writes this result to {@code file} (the child's half of the hand-over). */
  void write(Path file) throws IOException {
    Properties properties = new Properties();
    properties.setProperty("engine", engine);
    putRate(properties, "fill", fill);
    properties.setProperty("fillStallNanos", Long.toString(fillStallNanos));
    properties.setProperty("longestBatchNanos", Long.toString(longestBatchNanos));
    putRate(properties, "readHot", readHot);
    putRate(properties, "readRandom", readRandom);
    putRate(properties, "readMissing", readMissing);
    putRate(properties, "scan", scan);
    putRate(properties, "seek", seek);
    if (put1 != null) {
      putRate(properties, "put1", put1);
    }
    properties.setProperty("fillWriteAmplification", Double.toString(fillWriteAmplification));
    properties.setProperty("totalWriteAmplification", Double.toString(totalWriteAmplification));
    properties.setProperty("spaceAmplification", Double.toString(spaceAmplification));
    properties.setProperty("settleSeconds", Double.toString(settleSeconds));
    properties.setProperty("peakHeapBytes", Long.toString(peakHeapBytes));
    Path partial = file.resolveSibling(file.getFileName() + ".partial");
    try (Writer writer = Files.newBufferedWriter(partial, StandardCharsets.UTF_8)) {
      properties.store(writer, "one engine's side-by-side result");
    }
    Files.move(partial, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /** Reads what {@link #write} wrote; a missing or malformed figure is an IOException naming it. */
  static Result read(Path file) throws IOException {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    }
    Fields fields = new Fields(properties, file);
    Result result = new Result();
    result.engine = fields.string("engine");
    result.fill = fields.rate("fill");
    result.fillStallNanos = fields.longValue("fillStallNanos");
    result.longestBatchNanos = fields.longValue("longestBatchNanos");
    result.readHot = fields.rate("readHot");
    result.readRandom = fields.rate("readRandom");
    result.readMissing = fields.rate("readMissing");
    result.scan = fields.rate("scan");
    result.seek = fields.rate("seek");
    result.put1 = properties.containsKey("put1.operations") ? fields.rate("put1") : null;
    result.fillWriteAmplification = fields.doubleValue("fillWriteAmplification");
    result.totalWriteAmplification = fields.doubleValue("totalWriteAmplification");
    result.spaceAmplification = fields.doubleValue("spaceAmplification");
    result.settleSeconds = fields.doubleValue("settleSeconds");
    result.peakHeapBytes = fields.longValue("peakHeapBytes");
    return result;
  }

  private static void putRate(Properties properties, String name, Rate rate) {
    properties.setProperty(name + ".operations", Long.toString(rate.operations()));
    properties.setProperty(name + ".bytes", Long.toString(rate.bytes()));
    properties.setProperty(name + ".nanos", Long.toString(rate.nanos()));
  }

  private record Fields(Properties properties, Path file) {
    String string(String name) throws IOException {
      String value = properties.getProperty(name);
      if (value == null) {
        throw new IOException(file + " has no " + name);
      }
      return value;
    }

    long longValue(String name) throws IOException {
      try {
        return Long.parseLong(string(name));
      } catch (NumberFormatException e) {
        throw new IOException(file + ": " + name + " is not a number: " + properties.getProperty(name), e);
      }
    }

    double doubleValue(String name) throws IOException {
      try {
        return Double.parseDouble(string(name));
      } catch (NumberFormatException e) {
        throw new IOException(file + ": " + name + " is not a number: " + properties.getProperty(name), e);
      }
    }

    Rate rate(String name) throws IOException {
      return new Rate(longValue(name + ".operations"), longValue(name + ".bytes"), longValue(name + ".nanos"));
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

  /** Figures of a result in table order, with the direction in which they improve. */
  static Map<String, Figure> figures() {
    Map<String, Figure> figures = new LinkedHashMap<>();
    figures.put("fill ops/s", new Figure(r -> r.fill.perSecond(), true, "%,.0f"));
    figures.put("fill MB/s", new Figure(r -> r.fill.megabytesPerSecond(), true, "%,.1f"));
    figures.put("fill stalls s (batch calls > 50 ms)", new Figure(r -> r.fillStallNanos / 1e9, false, "%.2f"));
    figures.put("longest batch call ms", new Figure(r -> r.longestBatchNanos / 1e6, false, "%,.1f"));
    figures.put("readhot ops/s (before settling)", new Figure(r -> r.readHot.perSecond(), true, "%,.0f"));
    figures.put("readrandom ops/s", new Figure(r -> r.readRandom.perSecond(), true, "%,.0f"));
    figures.put("readrandom MB/s", new Figure(r -> r.readRandom.megabytesPerSecond(), true, "%,.1f"));
    figures.put("readmissing ops/s", new Figure(r -> r.readMissing.perSecond(), true, "%,.0f"));
    figures.put("full scan keys/s", new Figure(r -> r.scan.perSecond(), true, "%,.0f"));
    figures.put("full scan MB/s", new Figure(r -> r.scan.megabytesPerSecond(), true, "%,.1f"));
    figures.put("seek + 100 keys ops/s", new Figure(r -> r.seek.perSecond(), true, "%,.0f"));
    figures.put("seek + 100 keys MB/s", new Figure(r -> r.seek.megabytesPerSecond(), true, "%,.1f"));
    figures.put("put1 ops/s (single-key writes)",
        new Figure(r -> r.put1 == null ? Double.NaN : r.put1.perSecond(), true, "%,.0f"));
    figures.put("fill WA (written in fill ÷ logical)", new Figure(r -> r.fillWriteAmplification, false, "%.2f"));
    figures.put("total WA (written through settling ÷ logical)",
        new Figure(r -> r.totalWriteAmplification, false, "%.2f"));
    figures.put("disk ÷ logical bytes", new Figure(r -> r.spaceAmplification, false, "%.2f"));
    figures.put("settle s", new Figure(r -> r.settleSeconds, false, "%.1f"));
    figures.put("peak live heap MiB", new Figure(r -> r.peakHeapBytes / 1048576.0, false, "%,.0f"));
    return figures;
  }

  /** One figure: how to read it from a result, whether more is better, and its format. */
  record Figure(ToDoubleFunction<Result> value, boolean higherIsBetter, String format) {
    String format(Result result) {
      double figure = value.applyAsDouble(result);
      return Double.isNaN(figure) ? "—" : String.format(Locale.ROOT, format, figure);
    }
  }
}
