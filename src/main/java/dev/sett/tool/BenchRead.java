package dev.sett.tool;

import dev.sett.DB;
import dev.sett.DbIterator;
import dev.sett.Item;
import dev.sett.IteratorOptions;
import dev.sett.Options;
import dev.sett.TableInfo;
import dev.sett.Txn;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sett bench read}: reads random keys of an existing store from several threads for a
 * while, as {@code badger benchmark read} does: first a uniform sample of the store's keys
 * (reservoir sampling over one key-only scan), then point lookups of sampled keys. With
 * {@code --full-scan} it iterates the whole store instead.
 */
@Command(name = "read", mixinStandardHelpOptions = true,
    description = "Read random keys of an existing store to benchmark read speed.")
final class BenchRead implements Callable<Integer> {
  private static final Pattern GO_DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

  @CommandLine.Mixin
  KeyFileOption keyFile = new KeyFileOption();

  @CommandLine.Spec
  private CommandLine.Model.CommandSpec spec;

  @Option(names = "--dir", required = true, description = "Directory of the store.")
  Path dir;

  @Option(names = {"-g", "--goroutines", "--threads"}, defaultValue = "16",
      description = "Number of reading threads (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(names = {"-d", "--duration"}, defaultValue = "1m",
      description = "How long to read, as 30s, 1m, 1m30s or 500ms (default: ${DEFAULT-VALUE}).")
  String duration;

  @Option(names = "--sample-size", defaultValue = "1000000",
      description = "How many keys to sample for the random lookups (default: ${DEFAULT-VALUE}).")
  int sampleSize;

  @Option(names = "--keys-only", arity = "0..1", description = "Read keys only, not values.")
  boolean keysOnly;

  @Option(names = "--read-only", arity = "0..1", defaultValue = "true",
      description = "Open the store read-only (default: ${DEFAULT-VALUE}).")
  boolean readOnly;

  @Option(names = "--full-scan", arity = "0..1", description = "Scan the whole store with an iterator instead.")
  boolean fullScan;

  @Option(names = "--block-cache", defaultValue = "256", description = "Block cache size in MB (default: ${DEFAULT-VALUE}).")
  long blockCacheMb;

  @Option(names = "--index-cache", defaultValue = "0", description = "Index cache size in MB (default: ${DEFAULT-VALUE}).")
  long indexCacheMb;

  @Override
  public Integer call() throws InterruptedException, java.io.IOException {
    Duration runFor = parseDuration(duration);
    if (threads < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--goroutines must be at least 1: " + threads);
    }
    if (sampleSize < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--sample-size must be at least 1: " + sampleSize);
    }
    Options options;
    try {
      options = Options.builder(dir).readOnly(readOnly).blockCacheSize(blockCacheMb << 20)
          .indexCacheSize(indexCacheMb << 20).encryptionKey(keyFile.key()).build();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    if (!java.nio.file.Files.isDirectory(dir)) {
      throw new IllegalStateException("no store at " + dir + ": not a directory");
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    keyFile.requireKeyFor(dir);
    try (DB db = DB.open(options)) {
      if (fullScan) {
        scan(db, out, err);
      } else {
        readRandom(db, runFor, out, err);
      }
    }
    return 0;
  }

  private void scan(DB db, PrintWriter out, PrintWriter err) {
    long estimate = db.tables().stream().mapToLong(TableInfo::keyCount).sum();
    long keys = 0;
    long bytes = 0;
    long start = System.nanoTime();
    IteratorOptions iteratorOptions = IteratorOptions.builder().prefetchValues(!keysOnly).build();
    try (ProgressBar progress = ProgressBar.ofCount(err, "keys", Math.max(estimate, 1)).start();
         Txn txn = db.newTransaction(false);
         DbIterator it = txn.newIterator(iteratorOptions)) {
      for (it.rewind(); it.valid(); it.next()) {
        Item item = it.item();
        bytes += item.key().length + (keysOnly ? 0 : item.value().length);
        keys++;
        if ((keys & 1023) == 0) {
          progress.add(1024);
        }
      }
      progress.add(keys - progress.done());
    }
    report(out, "scanned", keys, bytes, System.nanoTime() - start);
  }

  private void readRandom(DB db, Duration runFor, PrintWriter out, PrintWriter err)
      throws InterruptedException {
    long sampleStart = System.nanoTime();
    List<byte[]> sample = sampleKeys(db, sampleSize, new SplittableRandom(7));
    out.printf(Locale.ROOT, "sampled %,d keys in %.2f s%n", sample.size(), (System.nanoTime() - sampleStart) / 1e9);
    out.flush();
    if (sample.isEmpty()) {
      out.println("the store is empty: nothing to read");
      return;
    }
    AtomicLong entries = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    AtomicLong missing = new AtomicLong();
    long start = System.nanoTime();
    long deadline = start + runFor.toNanos();
    List<Thread> readers = new ArrayList<>();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    try (ProgressBar progress = ProgressBar.ofDuration(err, "reads", runFor).start()) {
      for (int t = 0; t < threads; t++) {
        SplittableRandom random = new SplittableRandom(1000 + t);
        Thread reader = new Thread(() -> {
          try {
            long localEntries = 0;
            long localBytes = 0;
            while (System.nanoTime() < deadline) {
              for (int i = 0; i < 256; i++) {
                byte[] key = sample.get(random.nextInt(sample.size()));
                if (keysOnly) {
                  try (Txn txn = db.newTransaction(false)) {
                    Item item = txn.get(key);
                    if (item == null) {
                      missing.incrementAndGet();
                    } else {
                      localBytes += key.length;
                    }
                  }
                } else {
                  byte[] value = db.get(key);
                  if (value == null) {
                    missing.incrementAndGet();
                  } else {
                    localBytes += key.length + value.length;
                  }
                }
                localEntries++;
              }
              progress.add(256);
            }
            entries.addAndGet(localEntries);
            bytes.addAndGet(localBytes);
          } catch (Throwable failure) {
            failures.add(failure);
          }
        }, "sett-bench-read-" + t);
        readers.add(reader);
        reader.start();
      }
      for (Thread reader : readers) {
        reader.join();
      }
    }
    if (!failures.isEmpty()) {
      throw new IllegalStateException("a reader failed: " + Sett.oneLine(failures.get(0)), failures.get(0));
    }
    report(out, "read", entries.get(), bytes.get(), System.nanoTime() - start);
    if (missing.get() > 0) {
      out.printf(Locale.ROOT, "%,d sampled keys were not found (deleted or expired meanwhile?)%n", missing.get());
    }
  }

  private static void report(PrintWriter out, String verb, long entries, long bytes, long nanos) {
    out.printf(Locale.ROOT, "%s %,d entries (%s) in %.2f s: %,.0f entries/s, %.1f MB/s%n", verb, entries,
        Info.bytes(bytes), nanos / 1e9, entries / (nanos / 1e9), bytes / 1e6 / (nanos / 1e9));
    out.flush();
  }

  /** A uniform sample of at most {@code size} keys (reservoir sampling over a key-only scan). */
  static List<byte[]> sampleKeys(DB db, int size, SplittableRandom random) {
    List<byte[]> sample = new ArrayList<>();
    long seen = 0;
    try (Txn txn = db.newTransaction(false);
         DbIterator it = txn.newIterator(IteratorOptions.builder().prefetchValues(false).build())) {
      for (it.rewind(); it.valid(); it.next()) {
        seen++;
        if (sample.size() < size) {
          sample.add(it.item().key());
        } else {
          long slot = random.nextLong(seen);
          if (slot < size) {
            sample.set((int) slot, it.item().key());
          }
        }
      }
    }
    return sample;
  }

  /** Parses a Go-style duration ({@code 1m30s}, {@code 500ms}) or an ISO-8601 one ({@code PT1M}). */
  Duration parseDuration(String text) {
    if (text.startsWith("P") || text.startsWith("p")) {
      try {
        return Duration.parse(text);
      } catch (java.time.format.DateTimeParseException e) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--duration is not a duration: " + text);
      }
    }
    Matcher matcher = GO_DURATION_PART.matcher(text);
    double nanos = 0;
    int end = 0;
    while (matcher.find() && matcher.start() == end) {
      double amount = Double.parseDouble(matcher.group(1));
      nanos += amount * switch (matcher.group(2)) {
        case "ns" -> 1;
        case "us", "µs" -> 1e3;
        case "ms" -> 1e6;
        case "s" -> 1e9;
        case "m" -> 60e9;
        default -> 3600e9;
      };
      end = matcher.end();
    }
    if (end == 0 || end != text.length() || nanos <= 0) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--duration is not a positive duration such as 30s, 1m or 1m30s: " + text);
    }
    return Duration.ofNanos((long) nanos);
  }
}
