package dev.sett.bench;

import dev.sett.bench.Result.Rate;
import dev.sett.bench.SideBySide.Config;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One engine through the standard workload, in the JVM this runs in (the driver's child JVM):
 * fill (timing every batch call), readhot, settle, readrandom, readmissing, scan, seek + 100 and
 * put1, in that order, on one store.
 */
final class EngineRun {
  static final int BATCH = 1000;
  /** A batch call slower than this counts as a stall. */
  static final long STALL_NANOS = 50_000_000L;
  /** The value size of the put1 phase. */
  static final int PUT1_VALUE_SIZE = 100;

  private final Config config;
  private final PrintStream log;

  EngineRun(Config config, PrintStream log) {
    this.config = config;
    this.log = log;
  }

  Result run(String engineName, Workload workload) throws Exception {
    Path dir = config.dir.resolve(engineName + "-" + workload.keys + "x" + workload.valueSize);
    SideBySide.deleteRecursively(dir);
    Files.createDirectories(dir);
    Result result = new Result();
    System.gc();
    try (HeapWatch heap = new HeapWatch(); Engine engine = SideBySide.engine(engineName)) {
      result.engine = engine.name();
      log.printf(Locale.ROOT, "== %s: %,d keys x %d B values in %s (pid %d)%n", engine.name(), workload.keys,
          workload.valueSize, dir, ProcessHandle.current().pid());
      long writtenBefore = ProcIo.writeBytes();
      engine.open(dir, workload.logicalBytes());

      fill(engine, workload, result);
      result.fillWriteAmplification = (double) (ProcIo.writeBytes() - writtenBefore) / workload.logicalBytes();
      log.printf(Locale.ROOT, "   fill         %s%s%n", result.fill, engine instanceof SettEngine sett
          && sett.splitsBatches() ? "  (batches of 1,000 passed the transaction limit: split by a WriteBatch)" : "");
      log.printf(Locale.ROOT, "   stalls %.2f s in batch calls > 50 ms; longest batch call %.1f ms; written/logical %.2f%n",
          result.fillStallNanos / 1e9, result.longestBatchNanos / 1e6, result.fillWriteAmplification);

      result.readHot = readRandom(engine, workload, config.reads(workload), false);
      log.printf(Locale.ROOT, "   readhot      %s%n", result.readHot);

      long settleStart = System.nanoTime();
      settle(engine);
      result.settleSeconds = (System.nanoTime() - settleStart) / 1e9;
      result.totalWriteAmplification = (double) (ProcIo.writeBytes() - writtenBefore) / workload.logicalBytes();
      result.spaceAmplification = (double) SideBySide.directorySize(dir) / workload.logicalBytes();
      log.printf(Locale.ROOT, "   settled in %.1f s; written/logical %.2f, disk/logical %.2f%n",
          result.settleSeconds, result.totalWriteAmplification, result.spaceAmplification);

      result.readRandom = readRandom(engine, workload, config.reads(workload), false);
      log.printf(Locale.ROOT, "   readrandom   %s%n", result.readRandom);
      result.readMissing = readRandom(engine, workload, config.missing(workload), true);
      log.printf(Locale.ROOT, "   readmissing  %s%n", result.readMissing);

      Engine.PairCounter counter = new Engine.PairCounter();
      long start = System.nanoTime();
      long bytes = engine.scan(counter);
      result.scan = Rate.of(counter.pairs, bytes, System.nanoTime() - start);
      if (counter.pairs != workload.keys) {
        throw new IllegalStateException(engine.name() + " scanned " + counter.pairs + " keys, wrote " + workload.keys);
      }
      log.printf(Locale.ROOT, "   scan         %s%n", result.scan);

      SplittableRandom random = new SplittableRandom(99);
      start = System.nanoTime();
      bytes = 0;
      for (int s = 0; s < config.seeks; s++) {
        bytes += engine.seekAndRead(Workload.key(random.nextLong(workload.keys)), config.seekKeys);
      }
      result.seek = Rate.of(config.seeks, bytes, System.nanoTime() - start);
      log.printf(Locale.ROOT, "   seek+%d     %s%n", config.seekKeys, result.seek);

      if (config.put1 > 0) {
        result.put1 = put1(engine, workload, config.put1);
        log.printf(Locale.ROOT, "   put1         %s%n", result.put1);
      }
      result.peakHeapBytes = heap.peakAfterGc();
    } finally {
      SideBySide.deleteRecursively(dir);
    }
    return result;
  }

  /** Writes every key in batches of 1,000 through the engine's bulk API, timing each call. */
  private static void fill(Engine engine, Workload workload, Result result) throws IOException {
    long start = System.nanoTime();
    byte[][] keys = new byte[BATCH][];
    byte[][] values = new byte[BATCH][];
    for (long first = 0; first < workload.keys; first += BATCH) {
      int count = (int) Math.min(BATCH, workload.keys - first);
      for (int i = 0; i < count; i++) {
        keys[i] = Workload.key(first + i);
        values[i] = workload.value(first + i);
      }
      long callStart = System.nanoTime();
      engine.writeBatch(keys, values, count);
      long call = System.nanoTime() - callStart;
      if (call > STALL_NANOS) {
        result.fillStallNanos += call;
      }
      result.longestBatchNanos = Math.max(result.longestBatchNanos, call);
    }
    result.fill = Rate.of(workload.keys, workload.logicalBytes(), System.nanoTime() - start);
  }

  /**
   * {@code count} single-key writes of 100-byte values on this thread, keys outside the filled
   * range; then reads back every 1,000th (and the last) to check they landed.
   */
  private static Rate put1(Engine engine, Workload workload, long count) throws IOException {
    long start = System.nanoTime();
    for (long i = 0; i < count; i++) {
      engine.put(Workload.key(workload.keys + i), workload.smallValue(i, PUT1_VALUE_SIZE));
    }
    long nanos = System.nanoTime() - start;
    for (long i = 0; i < count; i += 1000) {
      checkPut(engine, workload, i);
    }
    checkPut(engine, workload, count - 1);
    return Rate.of(count, count * (Workload.KEY_SIZE + PUT1_VALUE_SIZE), nanos);
  }

  private static void checkPut(Engine engine, Workload workload, long i) throws IOException {
    byte[] value = engine.get(Workload.key(workload.keys + i));
    if (!Arrays.equals(value, workload.smallValue(i, PUT1_VALUE_SIZE))) {
      throw new IllegalStateException(engine.name() + " lost single-key write " + i);
    }
  }

  /**
   * Waits until the engine reports no background work and the process has written less than
   * 1 MiB for {@code --settle-ms} (a JFR recording, if one runs, keeps writing a little).
   */
  private void settle(Engine engine) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + 600_000_000_000L;
    long windowStartBytes = ProcIo.writeBytes();
    long windowStart = System.nanoTime();
    while (System.nanoTime() < deadline) {
      Thread.sleep(Math.min(250, Math.max(10, config.settleMillis / 4)));
      long written = ProcIo.writeBytes();
      if (written - windowStartBytes > (1 << 20) || !engine.quiet()) {
        windowStartBytes = written;
        windowStart = System.nanoTime();
      } else if (System.nanoTime() - windowStart >= config.settleMillis * 1_000_000L) {
        return;
      }
    }
    log.println("   (gave up waiting for background work after 600 s)");
  }

  private Rate readRandom(Engine engine, Workload workload, long reads, boolean absent) throws Exception {
    int threads = config.threads;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      AtomicLong bytes = new AtomicLong();
      List<Future<?>> futures = new ArrayList<>();
      long start = System.nanoTime();
      for (int t = 0; t < threads; t++) {
        long share = reads / threads + (t < reads % threads ? 1 : 0);
        SplittableRandom random = new SplittableRandom(absent ? 500 + t : 100 + t);
        futures.add(pool.submit(() -> {
          long local = 0;
          for (long n = 0; n < share; n++) {
            long i = random.nextLong(workload.keys);
            byte[] key = absent ? Workload.absentKey(i) : Workload.key(i);
            byte[] value = engine.get(key);
            if (absent) {
              if (value != null) {
                throw new IllegalStateException(engine.name() + " found an absent key");
              }
            } else if (value == null || value.length != workload.valueSize
                || (n & 63) == 0 && !workload.isValue(i, value)) {
              throw new IllegalStateException(engine.name() + " returned a wrong value for key " + i);
            } else {
              local += key.length + value.length;
            }
          }
          bytes.addAndGet(local);
          return null;
        }));
      }
      for (Future<?> future : futures) {
        future.get();
      }
      return Rate.of(reads, bytes.get(), System.nanoTime() - start);
    } finally {
      pool.shutdownNow();
    }
  }

  /** write_bytes of /proc/self/io: bytes this process caused to be written to storage. */
  static final class ProcIo {
    private ProcIo() {
    }

    static long writeBytes() throws IOException {
      for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
        if (line.startsWith("write_bytes:")) {
          return Long.parseLong(line.substring("write_bytes:".length()).trim());
        }
      }
      throw new IOException("no write_bytes in /proc/self/io");
    }
  }
}
