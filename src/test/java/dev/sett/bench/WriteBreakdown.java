package dev.sett.bench;

import dev.sett.DB;
import dev.sett.LevelInfo;
import dev.sett.Options;
import dev.sett.WriteBatch;
import dev.sett.internal.db.DbImpl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Where Sett's write amplification comes from: fills the side-by-side driver's standard workload
 * through {@code db.newWriteBatch()} (batches of 1,000), then watches the store settle, and prints
 * every half second which threads wrote how many bytes ({@code write_bytes} of {@code
 * /proc/self/task/<tid>/io}, grouped by thread name), with the level shape. At the end: the bytes
 * each kind of thread wrote over the logical bytes.
 *
 * <pre>mvn -q test-compile exec:exec -Dexec.executable=java \
 *     -Dexec.args="-Xmx1g -cp %classpath dev.sett.bench.WriteBreakdown 1000000 1024 60"</pre>
 */
public final class WriteBreakdown {
  private WriteBreakdown() {
  }

  public static void main(String[] args) throws Exception {
    long keys = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
    int valueSize = args.length > 1 ? Integer.parseInt(args[1]) : 1024;
    int watchSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 60;
    Workload workload = new Workload(keys, valueSize);
    // A short directory name: threads are named after it, and /proc keeps 15 characters of a name.
    Path dir = Files.createTempDirectory("wb").resolve("s");
    Map<Long, Long> perThread = new HashMap<>();
    Map<Long, String> names = new HashMap<>();
    long start = System.nanoTime();
    try (DB db = DB.open(Options.builder(dir).build())) {
      byte[][] batchKeys = new byte[1000][];
      byte[][] batchValues = new byte[1000][];
      for (long i = 0; i < keys; i += 1000) {
        int count = (int) Math.min(1000, keys - i);
        for (int j = 0; j < count; j++) {
          batchKeys[j] = Workload.key(i + j);
          batchValues[j] = workload.value(i + j);
        }
        try (WriteBatch batch = db.newWriteBatch()) {
          for (int j = 0; j < count; j++) {
            batch.set(batchKeys[j], batchValues[j]);
          }
          batch.flush();
        }
      }
      System.out.printf(Locale.ROOT, "fill done in %.1f s%n", (System.nanoTime() - start) / 1e9);
      Map<String, Long> lastByName = sample(perThread, names);
      print("fill", lastByName, workload.logicalBytes());
      for (int tick = 0; tick < watchSeconds * 2; tick++) {
        Thread.sleep(500);
        Map<String, Long> byName = sample(perThread, names);
        StringBuilder line = new StringBuilder();
        for (Map.Entry<String, Long> e : byName.entrySet()) {
          long delta = e.getValue() - lastByName.getOrDefault(e.getKey(), 0L);
          if (delta > 0) {
            line.append(String.format(Locale.ROOT, " %s +%.1fM", e.getKey(), delta / 1e6));
          }
        }
        if (line.length() > 0) {
          StringBuilder shape = new StringBuilder();
          for (LevelInfo level : db.levels()) {
            if (level.numTables() > 0) {
              shape.append(String.format(Locale.ROOT, " L%d:%d(%.2f)", level.level(),
                  level.numTables(), level.score()));
            }
          }
          System.out.printf(Locale.ROOT, "t=%5.1f%s |%s vlog %.0fM%n",
              (System.nanoTime() - start) / 1e9, line, shape, db.size().vlogBytes() / 1e6);
        }
        lastByName = byName;
      }
      print("total", lastByName, workload.logicalBytes());
      DbImpl impl = (DbImpl) db;
      System.out.printf(Locale.ROOT, "moved into key order / logical %.3f, rewritten by GC / logical %.3f%n",
          (double) impl.valueBytesMovedIntoKeyOrder() / workload.logicalBytes(),
          (double) impl.valueLogGcBytesRewritten() / workload.logicalBytes());
      System.out.printf(Locale.ROOT, "disk / logical %.2f%n",
          (double) (db.size().lsmBytes() + db.size().vlogBytes()) / workload.logicalBytes());
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void print(String label, Map<String, Long> byName, long logical) {
    long sum = 0;
    StringBuilder line = new StringBuilder();
    for (Map.Entry<String, Long> e : byName.entrySet()) {
      sum += e.getValue();
      line.append(String.format(Locale.ROOT, "  %s %.3f", e.getKey(), (double) e.getValue() / logical));
    }
    System.out.printf(Locale.ROOT, "%s: written/logical %.3f;%s%n", label, (double) sum / logical, line);
  }

  /** Bytes written per thread name (digits dropped), counting threads that have exited. */
  private static Map<String, Long> sample(Map<Long, Long> perThread, Map<Long, String> names)
      throws IOException {
    try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        long tid = Long.parseLong(task.getFileName().toString());
        try {
          String name = Files.readString(task.resolve("comm")).trim().replaceAll("[0-9]+", "#");
          for (String line : Files.readAllLines(task.resolve("io"))) {
            if (line.startsWith("write_bytes:")) {
              perThread.put(tid, Long.parseLong(line.substring(12).trim()));
              names.put(tid, name);
            }
          }
        } catch (IOException gone) {
          // the thread exited between the listing and the read: its last sample stays
        }
      }
    }
    Map<String, Long> byName = new TreeMap<>();
    perThread.forEach((tid, bytes) -> byName.merge(names.get(tid), bytes, Long::sum));
    return byName;
  }
}
