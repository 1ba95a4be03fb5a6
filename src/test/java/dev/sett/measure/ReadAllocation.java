package dev.sett.measure;

import dev.sett.DB;
import dev.sett.DbIterator;
import dev.sett.IteratorOptions;
import dev.sett.Options;
import dev.sett.Txn;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;

/**
 * Bytes allocated by the calling thread per read operation, and nanoseconds per operation, on the
 * stores of {@code ReadPathBenchmark} (src/jmh/java): {@code keys} random 16-byte keys written in
 * batches of 1,000, either left in the memtable ({@code memtable}) or flattened into tables with
 * as many other keys then left in the memtable ({@code table}). Allocation is counted on the
 * reading thread only ({@code com.sun.management.ThreadMXBean}), so the store's background
 * threads do not blur it, which is why this exists beside JMH's {@code -prof gc} on a busy
 * machine. The times are the reading thread's CPU time per operation, which other processes move
 * less than wall-clock time (they still share the caches): read them as rough.
 *
 * <pre>mvn -q test-compile exec:java -Dexec.mainClass=dev.sett.measure.ReadAllocation \
 *     -Dexec.args="200000 128"</pre>
 */
public final class ReadAllocation {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private ReadAllocation() {
  }

  public static void main(String[] args) throws IOException {
    int keys = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int valueSize = args.length > 1 ? Integer.parseInt(args[1]) : 128;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    for (String source : new String[] {"memtable", "table"}) {
      measure(source, keys, valueSize, rounds);
    }
  }

  private static void measure(String source, int keys, int valueSize, int rounds)
      throws IOException {
    Path dir = Files.createTempDirectory("sett-read-alloc");
    try (DB db = DB.open(Options.builder(dir).build())) {
      SplittableRandom random = new SplittableRandom(7);
      byte[] value = new byte[valueSize];
      random.nextBytes(value);
      byte[][] present = MeasureSupport.randomKeys(random, keys);
      byte[][] absent = MeasureSupport.randomKeys(random, keys);
      MeasureSupport.load(db, present, value);
      if (source.equals("table")) {
        db.flatten(1);
        MeasureSupport.load(db, MeasureSupport.randomKeys(random, keys), value);
      }
      for (int i = present.length - 1; i > 0; i--) {
        int j = random.nextInt(i + 1);
        byte[] swap = present[i];
        present[i] = present[j];
        present[j] = swap;
      }
      for (int round = 1; round <= rounds; round++) {
        long sink = 0;
        long bytes = THREADS.getCurrentThreadAllocatedBytes();
        long start = THREADS.getCurrentThreadCpuTime();
        for (byte[] key : present) {
          sink += db.get(key).length;
        }
        report(source, valueSize, "get", round, keys, start, bytes);
        bytes = THREADS.getCurrentThreadAllocatedBytes();
        start = THREADS.getCurrentThreadCpuTime();
        for (byte[] key : absent) {
          sink += db.get(key) == null ? 0 : 1;
        }
        report(source, valueSize, "getMissing", round, keys, start, bytes);
        int seeks = keys / 100;
        bytes = THREADS.getCurrentThreadAllocatedBytes();
        start = THREADS.getCurrentThreadCpuTime();
        for (int s = 0; s < seeks; s++) {
          try (Txn txn = db.newTransaction(false);
              DbIterator it = txn.newIterator(IteratorOptions.DEFAULT)) {
            int n = 0;
            for (it.seek(present[s]); it.valid() && n < 100; it.next(), n++) {
              sink += it.item().key().length + it.item().value().length;
            }
          }
        }
        report(source, valueSize, "seek+100", round, seeks, start, bytes);
        bytes = THREADS.getCurrentThreadAllocatedBytes();
        start = THREADS.getCurrentThreadCpuTime();
        long pairs = 0;
        try (Txn txn = db.newTransaction(false);
            DbIterator it = txn.newIterator(IteratorOptions.DEFAULT)) {
          for (it.rewind(); it.valid(); it.next()) {
            sink += it.item().key().length + it.item().value().length;
            pairs++;
          }
        }
        report(source, valueSize, "scan/pair", round, pairs, start, bytes);
        if (sink == 42) {
          System.out.println();
        }
      }
    } finally {
      try (var paths = Files.walk(dir)) {
        for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
          Files.deleteIfExists(path);
        }
      }
    }
  }

  private static void report(String source, int valueSize, String what, int round, long ops,
      long startNanos, long startBytes) {
    long nanos = THREADS.getCurrentThreadCpuTime() - startNanos;
    long bytes = THREADS.getCurrentThreadAllocatedBytes() - startBytes;
    System.out.printf("%-8s %6d B  %-10s round %d: %8.1f B/op %9.0f cpu ns/op%n", source, valueSize,
        what, round, (double) bytes / ops, (double) nanos / ops);
  }
}
