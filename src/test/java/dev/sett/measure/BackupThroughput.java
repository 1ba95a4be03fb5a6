package dev.sett.measure;

import dev.sett.DB;
import dev.sett.Options;
import dev.sett.WriteBatch;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;

/**
 * Measures {@code DB.backup} and {@code DB.load} throughput on the standard workload (DESIGN.md
 * §5): 16-byte keys with incompressible values written in random order in batches of 1,000. The
 * backup goes to a file (1 MiB buffer, forced to disk before the clock stops); the load reads it
 * into a new store (its end forces the WAL and value log). MB/s are of the backup file's bytes,
 * which are the keys and values plus about 20 bytes per record; the store is closed and reopened
 * before the backup so that it reads settled tables, not memtables.
 *
 * <pre>mvn -q test-compile exec:java -Dexec.mainClass=dev.sett.measure.BackupThroughput \
 *     -Dexec.args="/tmp/sett-backup 1000000 1024"</pre>
 */
public final class BackupThroughput {
  private BackupThroughput() {
  }

  public static void main(String[] args) throws IOException {
    Path root = Path.of(args.length > 0 ? args[0] : "/tmp/sett-backup");
    int keys = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
    int valueSize = args.length > 2 ? Integer.parseInt(args[2]) : 1024;
    MeasureSupport.deleteRecursively(root);
    Path source = root.resolve("source");
    Path target = root.resolve("target");
    Path file = root.resolve("store.backup");
    Files.createDirectories(root);

    long fillStart = System.nanoTime();
    try (DB db = DB.open(Options.builder(source).build())) {
      fill(db, keys, valueSize);
    }
    System.out.printf("fill: %,d keys x %,d B in %.1f s%n", keys, valueSize,
        (System.nanoTime() - fillStart) / 1e9);

    long maxVersion;
    long backupNanos;
    long cpuBefore = cpuNanos();
    try (DB db = DB.open(Options.builder(source).build())) {
      long start = System.nanoTime();
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 20);
        maxVersion = db.backup(out, 0);
        out.flush();
        channel.force(true);
      }
      backupNanos = System.nanoTime() - start;
    }
    long backupCpu = cpuNanos() - cpuBefore;
    long bytes = Files.size(file);
    System.out.printf("backup: %,d bytes in %.2f s = %.0f MB/s (%.2f s of CPU; highest version"
        + " %d)%n", bytes, backupNanos / 1e9, bytes / 1e6 / (backupNanos / 1e9), backupCpu / 1e9,
        maxVersion);

    long loadNanos;
    cpuBefore = cpuNanos();
    try (DB db = DB.open(Options.builder(target).build())) {
      long start = System.nanoTime();
      try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 20)) {
        db.load(in, 256);
      }
      loadNanos = System.nanoTime() - start;
      if (db.maxVersion() != maxVersion) {
        throw new IllegalStateException("loaded up to version " + db.maxVersion() + ", expected "
            + maxVersion);
      }
    }
    long loadCpu = cpuNanos() - cpuBefore;
    System.out.printf("load: %,d bytes in %.2f s = %.0f MB/s (%.2f s of CPU, close included)%n",
        bytes, loadNanos / 1e9, bytes / 1e6 / (loadNanos / 1e9), loadCpu / 1e9);
    System.out.printf("load average during the run: %.1f on %d cores%n",
        java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
        Runtime.getRuntime().availableProcessors());
    MeasureSupport.deleteRecursively(root);
  }

  /** CPU time of every thread of this process (background work included). */
  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static void fill(DB db, int keys, int valueSize) {
    SplittableRandom random = new SplittableRandom(42);
    int[] order = new int[keys];
    for (int i = 0; i < keys; i++) {
      order[i] = i;
    }
    for (int i = keys - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    byte[] value = new byte[valueSize];
    for (int start = 0; start < keys; start += 1000) {
      try (WriteBatch batch = db.newWriteBatch()) {
        for (int i = start; i < Math.min(keys, start + 1000); i++) {
          byte[] key = String.format("%016d", order[i]).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
          random.nextBytes(value);
          batch.set(key, value.clone());
        }
        batch.flush();
      }
    }
  }
}
