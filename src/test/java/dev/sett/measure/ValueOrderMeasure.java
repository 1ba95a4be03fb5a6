package dev.sett.measure;

import dev.sett.DB;
import dev.sett.DbIterator;
import dev.sett.IteratorOptions;
import dev.sett.Options;
import dev.sett.Txn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Full-scan keys/s on one store before and after its values move into key order, in one JVM:
 * fills {@code keys} random-order keys with {@code valueLogKeyOrder(false)}, scans three times,
 * reopens it with the default (on), waits until the moves and GC are done (no file in
 * {@code relocated/} grows, and GC has deleted the files the values left), and scans three times
 * again.
 * Prints the medians and the bytes the process wrote (/proc/self/io) over the fill and over the
 * moves, each ÷ the logical bytes.
 *
 * <pre>mvn -q test-compile exec:java -Dexec.classpathScope=test \
 *   -Dexec.mainClass=dev.sett.measure.ValueOrderMeasure -Dexec.args="1000000 1024 /tmp/vo"</pre>
 */
public final class ValueOrderMeasure {
  private ValueOrderMeasure() {
  }

  public static void main(String[] args) throws Exception {
    int keys = Integer.parseInt(args[0]);
    int valueSize = Integer.parseInt(args[1]);
    Path dir = Path.of(args[2]);
    long logical = (long) keys * (16 + valueSize);
    byte[] pool = new byte[8 << 20];
    new SplittableRandom(1).nextBytes(pool);
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < keys; i++) {
      order.add(i);
    }
    Collections.shuffle(order, new java.util.Random(2));
    long written0 = writeBytes();
    try (DB db = DB.open(Options.builder(dir).valueLogKeyOrder(false).build())) {
      for (int from = 0; from < keys; from += 1000) {
        int start = from;
        db.update(txn -> {
          for (int i = start; i < Math.min(keys, start + 1000); i++) {
            int k = order.get(i);
            int at = (int) ((k * 7919L) % (pool.length - valueSize));
            txn.set(key(k), java.util.Arrays.copyOfRange(pool, at, at + valueSize));
          }
        });
      }
      db.flatten(1);
      long written1 = writeBytes();
      System.out.printf(Locale.ROOT, "fill: written/logical %.2f%n",
          (written1 - written0) / (double) logical);
      System.out.printf(Locale.ROOT, "before: scan %s keys/s%n", medianScan(db, keys));
    }
    long written2 = writeBytes();
    try (DB db = DB.open(Options.builder(dir).build())) {
      long start = System.nanoTime();
      awaitSettled(dir, (long) keys * valueSize);
      long written3 = writeBytes();
      System.out.printf(Locale.ROOT, "moves took %.1f s: written/logical %.2f (all so far %.2f)%n",
          (System.nanoTime() - start) / 1e9, (written3 - written2) / (double) logical,
          (written3 - written0) / (double) logical);
      System.out.printf(Locale.ROOT, "after: scan %s keys/s%n", medianScan(db, keys));
    }
  }

  private static byte[] key(int i) {
    long a = mix(i);
    long b = mix(a);
    byte[] key = new byte[16];
    for (int j = 0; j < 8; j++) {
      key[j] = (byte) (a >>> (56 - 8 * j));
      key[8 + j] = (byte) (b >>> (56 - 8 * j));
    }
    return key;
  }

  private static long mix(long z) {
    z = (z + 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private static String medianScan(DB db, int keys) {
    List<Double> rates = new ArrayList<>();
    for (int run = 0; run < 3; run++) {
      long start = System.nanoTime();
      long seen = 0;
      try (Txn txn = db.newTransaction(false);
          DbIterator it = txn.newIterator(IteratorOptions.DEFAULT)) {
        for (it.rewind(); it.valid(); it.next()) {
          seen += it.item().value().length > 0 ? 1 : 0;
        }
      }
      if (seen != keys) {
        throw new IllegalStateException("scanned " + seen + " of " + keys);
      }
      rates.add(keys / ((System.nanoTime() - start) / 1e9));
    }
    Collections.sort(rates);
    return String.format(Locale.ROOT, "%,.0f (runs %,.0f %,.0f %,.0f)", rates.get(1),
        rates.get(0), rates.get(1), rates.get(2));
  }

  /**
   * Waits until relocated/ and the value log size have not changed for 3 s and GC has deleted
   * the files the values left (all value log files together at most 1.2 × {@code valueBytes}),
   * or 600 s have passed: a scan timed while GC reads a dead file would time GC too.
   */
  private static void awaitSettled(Path dir, long valueBytes) throws Exception {
    String last = "";
    long stableSince = System.nanoTime();
    long deadline = System.nanoTime() + 600_000_000_000L;
    while ((System.nanoTime() - stableSince < 3_000_000_000L
        || relocatedBytes(dir) + vlogBytes(dir) > valueBytes * 6 / 5)
        && System.nanoTime() < deadline) {
      Thread.sleep(250); // a measurement's pacing, not a test's wait
      String now = relocatedBytes(dir) + "/" + vlogBytes(dir);
      if (!now.equals(last)) {
        last = now;
        stableSince = System.nanoTime();
      }
    }
  }

  private static long relocatedBytes(Path dir) throws IOException {
    Path relocated = dir.resolve("relocated");
    return Files.exists(relocated) ? vlogBytes(relocated) : 0;
  }

  private static long vlogBytes(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      long total = 0;
      for (Path file : files.filter(p -> p.toString().endsWith(".vlog")).toList()) {
        total += Files.size(file);
      }
      return total;
    }
  }

  private static long writeBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
      if (line.startsWith("write_bytes:")) {
        return Long.parseLong(line.substring("write_bytes:".length()).trim());
      }
    }
    throw new IOException("no write_bytes in /proc/self/io");
  }
}
