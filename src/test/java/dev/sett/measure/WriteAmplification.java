package dev.sett.measure;

import dev.sett.DB;
import dev.sett.LevelInfo;
import dev.sett.Options;
import dev.sett.internal.db.DbImpl;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Measures what compaction costs on the standard fill: N random keys of 16 bytes with 1 KiB
 * incompressible values, in transactions of 1,000, then waits for compaction to settle. Prints
 * bytes written to disk (from /proc/self/io) over logical bytes, stall times and the level shape.
 *
 * <pre>mvn -q test-compile exec:java -Dexec.mainClass=dev.sett.measure.WriteAmplification \
 *     -Dexec.args="1000000 /tmp/sett-wamp"</pre>
 */
public final class WriteAmplification {
  private WriteAmplification() {
  }

  public static void main(String[] args) throws Exception {
    int keys = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    Path dir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("sett-wamp");
    MeasureSupport.deleteRecursively(dir);
    int valueSize = 1024;
    Random random = new Random(42);
    byte[] value = new byte[valueSize];
    long logical = (long) keys * (16 + valueSize);
    long writtenBefore = MeasureSupport.writeBytes();
    long start = System.nanoTime();
    try (DB db = DB.open(Options.builder(dir).build())) {
      for (int batch = 0; batch < keys; batch += 1000) {
        int n = Math.min(1000, keys - batch);
        db.update(txn -> {
          for (int i = 0; i < n; i++) {
            random.nextBytes(value);
            txn.set(ByteBuffer.allocate(16).putLong(random.nextLong()).putLong(random.nextLong()).array(),
                value);
          }
        });
      }
      long fillNanos = System.nanoTime() - start;
      // Let background compaction settle: no level over its target.
      long deadline = System.nanoTime() + 120_000_000_000L;
      while (System.nanoTime() < deadline
          && db.levels().stream().anyMatch(level -> level.score() >= 1.0 && level.level() < 6)) {
        Thread.sleep(100);
      }
      DbImpl impl = (DbImpl) db;
      System.out.printf("fill: %,d keys x %d B in %.1f s (%,.0f ops/s)%n", keys, valueSize,
          fillNanos / 1e9, keys / (fillNanos / 1e9));
      System.out.printf("stalls: memtable %.2f s, L0 %.2f s%n", impl.memtableStallNanos() / 1e9,
          impl.level0StallNanos() / 1e9);
      for (LevelInfo level : db.levels()) {
        System.out.printf("L%d: %3d tables %,14d bytes  target %,14d  score %.2f%s%n", level.level(),
            level.numTables(), level.size(), level.targetSize(), level.score(),
            level.isBaseLevel() ? "  (base)" : "");
      }
      long disk = db.size().lsmBytes() + db.size().vlogBytes();
      System.out.printf("disk bytes / logical bytes: %.2f (%,d / %,d)%n", (double) disk / logical, disk, logical);
    }
    long written = MeasureSupport.writeBytes() - writtenBefore;
    System.out.printf("bytes written to disk / logical bytes: %.2f (%,d / %,d), total %.1f s%n",
        (double) written / logical, written, logical, (System.nanoTime() - start) / 1e9);
    MeasureSupport.deleteRecursively(dir);
  }
}
