package dev.sett.measure;

import dev.sett.DB;
import dev.sett.DbSize;
import dev.sett.Options;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Measures key-value separation and value log GC on an overwrite workload: N keys of 16 bytes
 * with 1 KiB incompressible values, written in random order in transactions of 1,000, three times
 * over; then value log GC runs until nothing qualifies. Prints the write amplification of the
 * first fill (bytes written to disk from /proc/self/io over logical bytes), disk bytes over live
 * bytes before and after GC, and GC throughput (bytes of the value log files collected per second
 * of GC). Background GC is off so that GC's share can be measured on its own.
 *
 * <pre>mvn -q test-compile exec:java -Dexec.mainClass=dev.sett.measure.ValueLogGcMeasure \
 *     -Dexec.args="1000000 /tmp/sett-vlog-gc 0.5"</pre>
 */
public final class ValueLogGcMeasure {
  private static final int VALUE_SIZE = 1024;

  private ValueLogGcMeasure() {
  }

  public static void main(String[] args) throws Exception {
    int keys = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    Path dir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("sett-vlog-gc");
    double ratio = args.length > 2 ? Double.parseDouble(args[2]) : 0.5;
    MeasureSupport.deleteRecursively(dir);
    long live = (long) keys * (16 + VALUE_SIZE);
    try (DB db = DB.open(Options.builder(dir).autoValueLogGC(false).build())) {
      for (int pass = 0; pass < 3; pass++) {
        long writtenBefore = MeasureSupport.writeBytes();
        long start = System.nanoTime();
        fill(db, keys, pass);
        long fillNanos = System.nanoTime() - start;
        settle(db);
        long written = MeasureSupport.writeBytes() - writtenBefore;
        System.out.printf("pass %d: %,d keys in %.1f s (%,.0f ops/s); bytes written to disk /"
            + " logical bytes %.2f (with the compaction it caused); %s%n", pass + 1, keys,
            fillNanos / 1e9, keys / (fillNanos / 1e9), (double) written / live, describe(db, live));
        if (Boolean.getBoolean("sett.levels")) {
          db.levels().forEach(level -> System.out.println("  " + level));
        }
      }
      Map<Path, Long> before = valueLogFiles(dir);
      long start = System.nanoTime();
      int files = 0;
      while (db.runValueLogGC(ratio)) {
        files++;
      }
      long gcNanos = System.nanoTime() - start;
      long collectedBytes = 0;
      Map<Path, Long> after = valueLogFiles(dir);
      for (Map.Entry<Path, Long> file : before.entrySet()) {
        if (!after.containsKey(file.getKey())) {
          collectedBytes += file.getValue();
        }
      }
      System.out.printf("GC(%.2f): %d files, %,d bytes collected in %.1f s: %.1f MB/s; %s%n",
          ratio, files, collectedBytes, gcNanos / 1e9, collectedBytes / 1e6 / (gcNanos / 1e9),
          describe(db, live));
      db.flatten(2);
      start = System.nanoTime();
      files = 0;
      while (db.runValueLogGC(ratio)) {
        files++;
      }
      System.out.printf("after flatten, GC(%.2f): %d more files in %.1f s; %s%n", ratio, files,
          (System.nanoTime() - start) / 1e9, describe(db, live));
    }
    MeasureSupport.deleteRecursively(dir);
  }

  private static void fill(DB db, int keys, int pass) {
    Random random = new Random(1000 + pass);
    byte[] value = new byte[VALUE_SIZE];
    // Keys in a random order that every pass repeats differently: a permutation by multiplication.
    long step = 0x9E3779B97F4A7C15L;
    for (int batch = 0; batch < keys; batch += 1000) {
      int n = Math.min(1000, keys - batch);
      int first = batch;
      db.update(txn -> {
        for (int i = first; i < first + n; i++) {
          long index = Math.floorMod((i + (long) pass * 7919) * 48271L, keys);
          random.nextBytes(value);
          txn.set(ByteBuffer.allocate(16).putLong(index * step).putLong(index).array(), value);
        }
      });
    }
  }

  private static void settle(DB db) throws InterruptedException {
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (System.nanoTime() < deadline
        && db.levels().stream().anyMatch(level -> level.score() >= 1.0 && level.level() < 6)) {
      Thread.sleep(100);
    }
  }

  private static String describe(DB db, long live) {
    DbSize size = db.size();
    return String.format("disk/live %.2f (LSM %,d + value log %,d over %,d live)",
        (double) (size.lsmBytes() + size.vlogBytes()) / live, size.lsmBytes(), size.vlogBytes(),
        live);
  }

  private static Map<Path, Long> valueLogFiles(Path dir) throws IOException {
    Map<Path, Long> files = new HashMap<>();
    try (Stream<Path> list = Files.list(dir)) {
      for (Path file : (Iterable<Path>) list::iterator) {
        if (file.getFileName().toString().endsWith(".vlog")) {
          files.put(file, Files.size(file));
        }
      }
    }
    return files;
  }
}
