package dev.sett.measure;

import dev.sett.DB;
import dev.sett.KV;
import dev.sett.Options;
import dev.sett.StreamWriter;
import dev.sett.WriteBatch;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Loads the same data, {@code N} keys of 16 bytes with incompressible values (default 1 M × 1 KiB),
 * once through a {@code WriteBatch} (keys in random order, as the standard fill writes them) and
 * once through a {@code StreamWriter} (keys sorted, as it requires), each into a fresh store with
 * default options, and prints keys per second, MB/s and the ratio. Each load is timed up to the
 * point where everything is written and visible ({@code WriteBatch.flush}, {@code
 * StreamWriter.flush}); closing the store is not included. The keys are generated before the
 * clock starts; both loads copy each value out of one random pool as they go.
 *
 * <pre>mvn -q test-compile exec:java -Dexec.mainClass=dev.sett.measure.StreamWriterThroughput \
 *     -Dexec.args="1000000 1024"</pre>
 *
 * <p>A third argument {@code stream-only} skips the {@code WriteBatch} load (for profiling).
 */
public final class StreamWriterThroughput {
  private StreamWriterThroughput() {
  }

  public static void main(String[] args) throws Exception {
    int keys = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int valueSize = args.length > 1 ? Integer.parseInt(args[1]) : 1024;
    Random random = new Random(42);
    byte[][] sortedKeys = new byte[keys][];
    for (int i = 0; i < keys; i++) {
      // Big-endian counter spread by a multiplier: unique, 16 bytes, sortable.
      sortedKeys[i] = ByteBuffer.allocate(16).putLong(i * 0x9E3779B97F4A7C15L).putLong(i).array();
    }
    Arrays.sort(sortedKeys, Arrays::compareUnsigned);
    byte[] pool = new byte[valueSize + 4096];
    random.nextBytes(pool);
    int[] shuffled = new int[keys];
    for (int i = 0; i < keys; i++) {
      shuffled[i] = i;
    }
    for (int i = keys - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = shuffled[i];
      shuffled[i] = shuffled[j];
      shuffled[j] = t;
    }
    Path root = Files.createTempDirectory("sett-stream-writer");
    try {
      boolean streamOnly = args.length > 2 && args[2].equals("stream-only"); // for profiling
      double batchSeconds = streamOnly ? Double.NaN
          : writeBatch(root.resolve("batch"), sortedKeys, shuffled, pool, valueSize);
      double streamSeconds = streamWriter(root.resolve("stream"), sortedKeys, pool, valueSize);
      double megabytes = keys * (16.0 + valueSize) / 1e6;
      System.out.printf("%,d keys of 16 bytes, %,d-byte values (%.0f MB), %d CPUs%n", keys,
          valueSize, megabytes, Runtime.getRuntime().availableProcessors());
      System.out.println("| loader | seconds | keys/s | MB/s |");
      System.out.println("|---|---:|---:|---:|");
      System.out.printf("| WriteBatch (random order) | %.2f | %,.0f | %.0f |%n", batchSeconds,
          keys / batchSeconds, megabytes / batchSeconds);
      System.out.printf("| StreamWriter (sorted) | %.2f | %,.0f | %.0f |%n", streamSeconds,
          keys / streamSeconds, megabytes / streamSeconds);
      System.out.printf("StreamWriter is %.1f x faster%n", batchSeconds / streamSeconds);
    } finally {
      MeasureSupport.deleteRecursively(root);
    }
  }

  private static byte[] value(byte[] pool, int i, int valueSize) {
    int offset = (int) ((i * 2654435761L) & 4095);
    return Arrays.copyOfRange(pool, offset, offset + valueSize);
  }

  private static double writeBatch(Path dir, byte[][] keys, int[] order, byte[] pool,
      int valueSize) {
    try (DB db = DB.open(Options.builder(dir).build())) {
      long start = System.nanoTime();
      try (WriteBatch wb = db.newWriteBatch()) {
        for (int i : order) {
          wb.set(keys[i], value(pool, i, valueSize));
        }
        wb.flush();
      }
      return (System.nanoTime() - start) / 1e9;
    }
  }

  private static double streamWriter(Path dir, byte[][] keys, byte[] pool, int valueSize) {
    try (DB db = DB.open(Options.builder(dir).build())) {
      long start = System.nanoTime();
      try (StreamWriter sw = db.newStreamWriter()) {
        sw.prepare();
        List<KV> batch = new ArrayList<>(1000);
        for (int i = 0; i < keys.length; i++) {
          batch.add(new KV(keys[i], value(pool, i, valueSize), (byte) 0, 1, 0, false));
          if (batch.size() == 1000) {
            sw.write(batch);
            batch = new ArrayList<>(1000);
          }
        }
        sw.write(batch);
        long flushStart = System.nanoTime();
        sw.flush();
        System.out.printf("StreamWriter: writes %.2f s, flush (fsync of values and tables) %.2f s%n",
            (flushStart - start) / 1e9, (System.nanoTime() - flushStart) / 1e9);
      }
      return (System.nanoTime() - start) / 1e9;
    }
  }
}
