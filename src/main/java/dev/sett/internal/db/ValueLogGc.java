package dev.sett.internal.db;

import dev.sett.DbClosedException;
import dev.sett.SettException;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValue;
import dev.sett.internal.manifest.Manifest;
import dev.sett.internal.manifest.ManifestEdit;
import dev.sett.internal.vlog.GcCandidates;
import dev.sett.internal.vlog.GcLiveness;
import dev.sett.internal.vlog.ValueLog;
import dev.sett.internal.vlog.ValueLogFile;
import dev.sett.internal.vlog.ValueLogRecord;
import dev.sett.internal.vlog.ValueLogScanner;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Value log garbage collection: picks the sealed file with the largest share of garbage (exact
 * counts, recorded by compactions in the MANIFEST), rewrites the values in it that readers may
 * still need, and deletes it.
 *
 * <p><b>Which records are rewritten.</b> The choice of files is {@link GcCandidates}' and the
 * verdict on each record {@link GcLiveness}': both pure, in {@code internal.vlog}; this class is
 * the mechanism that scans, rewrites and deletes, on the writer thread where it must be.
 * Live records are written again with the same key and version through the writer thread, which
 * first checks, between two commits, that {@code (k, v)} is still the newest version and still
 * points here. Newer sources are searched first and a rewrite never lands above a newer version,
 * so the rewrite shadows the old pointer everywhere and Sett's first-hit lookups stay correct
 * (Badger's GC can place an older version above a newer one, reference §13.8). A pinned record
 * cannot be moved without doing exactly that, so a file holding one is left for a later run (the
 * reader that pins it will finish) and the next candidate is tried.
 *
 * <p><b>Deleting.</b> Once every live record is rewritten, the rewrites are forced to disk, the
 * deletion is recorded in the MANIFEST (which ends the file's statistics) and the file leaves the
 * value log. A read already inside it finishes; a read that arrives later finds the file gone and
 * looks the key up again ({@link ValueResolver}), finding the rewrite.
 *
 * <p>Every sealed file is a candidate (Badger considers only the single worst file and gives up
 * when that is the active one, dgraph-io/badger#2334); when the active file itself holds enough
 * garbage it is sealed first so that it can be collected. With {@code autoValueLogGC}, a
 * background thread runs GC whenever a file passes the configured ratio, resting between runs as
 * long as the last run took, so that it never takes more than half of the writer's time.
 *
 * <p>Thread-safety: safe for concurrent use; runs are serialized.
 */
final class ValueLogGc implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ValueLogGc.class);
  private static final int BATCH_ENTRIES = 1000;
  private static final long BATCH_BYTES = 4L << 20;
  private static final long AUTO_INTERVAL_MILLIS = 1000;
  private static final long AUTO_BACKOFF_MILLIS = 10_000;

  /** What a run did with one file. */
  record FileResult(long fileId, boolean collected, long recordsRead, long bytesRead,
      long recordsRewritten, long bytesRewritten, long bytesFreed) {
  }


  /**
   * Compacts the whole LSM tree into its last level (the store's flatten), so that compaction
   * drops the versions that new writes replaced and counts their values as garbage.
   */
  interface Surfacer {
    void flattenForGc() throws IOException;

    /** The LSM tree's bytes now. */
    long lsmBytes();
  }

  /**
   * Garbage hides in memtables and upper levels until compactions drop the old versions, and
   * with values in the value log the LSM tree is small, so that can take long: the value log may
   * grow many times over while its statistics still say "no garbage". When no file qualifies and
   * the value log has received this many times the LSM tree's size since the last flatten, GC
   * flattens the tree first: rewriting the small tree is cheap next to the value log it frees.
   */
  private static final long SURFACE_FACTOR = 4;
  private static final long MAX_SURFACE_FACTOR = 1024;
  private static final long SURFACE_MIN_BYTES = 64L << 20;

  private final ValueLog valueLog;
  private final Manifest manifest;
  private final WritePipeline pipeline;
  private final WriteGate gate;
  private final GcLiveness.VersionLookup lookup;
  private final LongSupplier discardTs;
  private final Surfacer surfacer;
  /** {@link ValueLog#appendedBytes()} at the last flatten GC asked for. */
  private volatile long appendedAtLastSurface;
  /**
   * Grows after each flatten that freed nothing (an append-only workload has no garbage to find),
   * so flattens get rarer geometrically; back to {@link #SURFACE_FACTOR} after one that helped.
   */
  private volatile long surfaceFactor = SURFACE_FACTOR;
  private final int numVersionsToKeep;
  private final ReentrantLock runLock = new ReentrantLock();
  /** Bytes of live records rewritten since open, by every run. */
  private final AtomicLong bytesRewritten = new AtomicLong();
  private final double autoRatio;
  private final Thread autoThread;
  private final Object autoSignal = new Object();
  private volatile boolean closing;
  private final ValueLogGcTelemetry telemetry;
  /**
   * Files passed over because a reader pinned them, with the discard timestamp and garbage count
   * of that moment: they are not scanned again until one of the two has changed.
   */
  private final Map<Long, GcCandidates.PassedOver> passedOver = new ConcurrentHashMap<>();
  /** While true, runs collect nothing: compaction is moving values into key order. */
  private volatile java.util.function.BooleanSupplier waitWhile = () -> false;

  ValueLogGc(ValueLog valueLog, Manifest manifest, WritePipeline pipeline, WriteGate gate,
      GcLiveness.VersionLookup lookup, Surfacer surfacer,
      LongSupplier discardTs, int numVersionsToKeep, boolean auto, double autoRatio,
      OpenTelemetry openTelemetry, ThreadFactory threads) {
    this.valueLog = valueLog;
    this.manifest = manifest;
    this.pipeline = pipeline;
    this.gate = gate;
    this.lookup = lookup;
    this.surfacer = surfacer;
    this.discardTs = discardTs;
    this.numVersionsToKeep = numVersionsToKeep;
    this.autoRatio = autoRatio;
    this.telemetry = new ValueLogGcTelemetry(openTelemetry);
    if (auto) {
      this.autoThread = threads.newThread(this::autoLoop);
    } else {
      this.autoThread = null;
    }
  }

  /**
   * Makes runs collect nothing while {@code condition} holds: while values move into key order,
   * the files they leave become garbage whole, and collecting one half-way would rewrite its
   * remaining values in arrival order, to be moved again.
   */
  void waitWhile(java.util.function.BooleanSupplier condition) {
    this.waitWhile = condition;
  }

  /** Bytes of live records GC has rewritten since open. */
  long bytesRewritten() {
    return bytesRewritten.get();
  }

  /** Whether a run is collecting (or looking for) a file now. */
  boolean running() {
    return runLock.isLocked();
  }

  void start() {
    if (autoThread != null) {
      autoThread.start();
    }
  }

  /**
   * Collects the sealed file with the most garbage, if at least {@code discardRatio} of its bytes
   * are garbage; a file that a reader pins is passed over for the next. Returns whether a file was
   * collected. Waits for a run in progress.
   */
  boolean run(double discardRatio) throws IOException {
    runLock.lock();
    try {
      if (waitWhile.getAsBoolean()) {
        return false;
      }
      if (collectOne(discardRatio)) {
        return true;
      }
      long appended = valueLog.appendedBytes();
      long sinceSurface = appended - appendedAtLastSurface;
      if (sinceSurface >= SURFACE_MIN_BYTES
          && sinceSurface >= surfaceFactor * surfacer.lsmBytes()) {
        LOG.info("value log GC: {} bytes reached the value log since the last flatten and no"
            + " file is known to hold garbage; flattening the LSM tree ({} bytes) to find it",
            sinceSurface, surfacer.lsmBytes());
        appendedAtLastSurface = appended;
        surfacer.flattenForGc();
        boolean collected = collectOne(discardRatio);
        surfaceFactor = collected ? SURFACE_FACTOR
            : Math.min(MAX_SURFACE_FACTOR, surfaceFactor * 2);
        return collected;
      }
      return false;
    } finally {
      runLock.unlock();
    }
  }

  private boolean collectOne(double discardRatio) throws IOException {
    for (long fileId : candidates(discardRatio)) {
      if (closing) {
        throw new DbClosedException("the store is closing");
      }
      FileResult result = collect(fileId);
      if (result != null && result.collected()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Sealed files at or above {@code discardRatio}, most garbage (by share) first. When none is,
   * but the active file is, the active file is sealed and becomes the candidate.
   */
  private List<Long> candidates(double discardRatio) throws IOException {
    Map<Long, Long> discards = manifest.valueLogDiscards();
    passedOver.keySet().retainAll(discards.keySet());
    List<GcCandidates.FileGarbage> files = new ArrayList<>();
    for (ValueLog.FileInfo file : valueLog.files()) {
      files.add(new GcCandidates.FileGarbage(file.id(), file.size(),
          discards.getOrDefault(file.id(), 0L), file.active()));
    }
    GcCandidates.Choice choice =
        GcCandidates.choose(files, discardRatio, discardTs.getAsLong(), passedOver);
    if (choice.activeToSeal().isEmpty()) {
      return choice.sealed();
    }
    long sealing = choice.activeToSeal().getAsLong();
    onWriter(writer -> {
      if (writer.valueLog().activeFileId() == sealing) {
        writer.valueLog().rotate();
      }
    });
    return valueLog.activeFileId() != sealing ? List.of(sealing) : List.of();
  }

  /** Collects one file; null if it is no longer part of the value log. */
  private FileResult collect(long fileId) throws IOException {
    ValueLogFile file = valueLog.acquire(fileId);
    if (file == null) {
      return null;
    }
    Span span = telemetry.start(fileId);
    long start = System.nanoTime();
    long size = file.size();
    long recordsRead = 0;
    long bytesRead = 0;
    Rewrite rewrite = new Rewrite();
    try {
      try (ValueLogScanner scanner = file.scan(ValueLogScanner.Mode.SEALED)) {
        for (ValueLogRecord record = scanner.next(); record != null; record = scanner.next()) {
          recordsRead++;
          bytesRead += record.pointer().length();
          GcLiveness liveness = classify(record);
          if (liveness == GcLiveness.PINNED) {
            return passOver(span, fileId, recordsRead, bytesRead, rewrite, start,
                "a reader may still need " + InternalKey.toString(record.key()));
          }
          if (liveness == GcLiveness.LIVE) {
            rewrite.add(record);
            if (rewrite.full()) {
              if (!rewrite.flush()) {
                return passOver(span, fileId, recordsRead, bytesRead, rewrite, start,
                    "a record became pinned while it was being rewritten");
              }
            }
          }
        }
      } finally {
        file.release();
      }
      if (!rewrite.flush()) {
        return passOver(span, fileId, recordsRead, bytesRead, rewrite, start,
            "a record became pinned while it was being rewritten");
      }
      // The rewrites must be durable before the only other copy goes.
      onWriter(WritePipeline.Writer::sync);
      recordDeleted(List.of(fileId));
      valueLog.delete(fileId);
      FileResult result = new FileResult(fileId, true, recordsRead, bytesRead,
          rewrite.recordsWritten, rewrite.bytesWritten, size);
      telemetry.finished(span, result, null, start);
      return result;
    } catch (IOException | RuntimeException e) {
      telemetry.failed(span, e);
      throw e;
    }
  }

  private FileResult passOver(Span span, long fileId, long recordsRead, long bytesRead,
      Rewrite rewrite, long start, String reason) {
    passedOver.put(fileId, new GcCandidates.PassedOver(discardTs.getAsLong(),
        manifest.valueLogDiscards().getOrDefault(fileId, 0L)));
    FileResult result = new FileResult(fileId, false, recordsRead, bytesRead,
        rewrite.recordsWritten, rewrite.bytesWritten, 0);
    telemetry.finished(span, result, reason, start);
    return result;
  }

  /**
   * Reserves the id of a value log file a compaction writes values into in key order ({@link
   * ValueLog#reserveFileId}), on the writer thread. Not through the write gate: a drop holds the
   * gate while it waits for compactions, and the compaction asking here is one of them.
   */
  long reserveFileId() throws IOException {
    long[] reserved = new long[1];
    WritePipeline.await(pipeline.submitTask(writer -> reserved[0] = writer.valueLog().reserveFileId()));
    return reserved[0];
  }

  /**
   * Deletes every value log file and starts a new one (dropAll: the tables are already gone). On
   * the writer thread, with commits held back.
   */
  void dropAll(ValueThreshold threshold) throws IOException {
    WritePipeline.await(pipeline.submitTask(writer -> {
      List<Long> ids = new ArrayList<>();
      for (ValueLog.FileInfo file : valueLog.files()) {
        ids.add(file.id());
      }
      recordDeleted(ids);
      valueLog.deleteAll();
      threshold.reset();
    }));
  }

  /**
   * Records files as deleted in the MANIFEST, ending their statistics. Always before the files
   * go: a crash in between must not leave files that nothing accounts for (open deletes them).
   */
  private void recordDeleted(List<Long> fileIds) throws IOException {
    ManifestEdit deleted = new ManifestEdit();
    fileIds.forEach(deleted::deleteValueLogFile);
    manifest.apply(deleted);
  }

  private GcLiveness classify(ValueLogRecord record) {
    return GcLiveness.classify(lookup, record.key(), record.pointer(), discardTs.getAsLong(),
        numVersionsToKeep);
  }

  /** A batch of live records to write again, checked and written on the writer thread. */
  private final class Rewrite {
    private final List<ValueLogRecord> batch = new ArrayList<>();
    private long batchBytes;
    long recordsWritten;
    long bytesWritten;

    void add(ValueLogRecord record) {
      batch.add(record);
      batchBytes += record.pointer().length();
    }

    boolean full() {
      return batch.size() >= BATCH_ENTRIES || batchBytes >= BATCH_BYTES;
    }

    /** Writes the batch; false if a record turned out pinned. */
    boolean flush() throws IOException {
      if (batch.isEmpty()) {
        return true;
      }
      // In key order, not the file's: the survivors of a file that relocation emptied (values it
      // left where they were) then lie in key order too, and are not moved, rewritten and
      // collected again, spell after spell.
      batch.sort((a, b) -> InternalKey.compare(a.key(), b.key()));
      List<ValueLogRecord> records = List.copyOf(batch);
      batch.clear();
      batchBytes = 0;
      RewriteCount count = new RewriteCount();
      onWriter(writer -> {
        List<KeyValue> entries = new ArrayList<>(records.size());
        for (ValueLogRecord record : records) {
          switch (classify(record)) {
            case LIVE -> {
              entries.add(record.keyValue());
              count.records++;
              count.bytes += record.pointer().length();
            }
            case PINNED -> count.pinned = true;
            case DEAD -> {
              // dropped or replaced since it was read: nothing to keep
            }
          }
        }
        if (!entries.isEmpty()) {
          writer.write(entries);
        }
      });
      recordsWritten += count.records;
      bytesWritten += count.bytes;
      bytesRewritten.addAndGet(count.bytes);
      return !count.pinned;
    }
  }

  /** What one rewrite batch did on the writer thread. */
  private static final class RewriteCount {
    long records;
    long bytes;
    boolean pinned;
  }

  /**
   * Runs {@code task} on the writer thread and waits for it. It passes the write gate as a commit
   * does, so it never runs while a drop holds writes back.
   */
  private void onWriter(WritePipeline.WriterTask task) throws IOException {
    gate.enterCommit();
    try {
      WritePipeline.await(pipeline.submitTask(task));
    } finally {
      gate.exitCommit();
    }
  }

  private void autoLoop() {
    while (!closing) {
      long waitMillis = AUTO_INTERVAL_MILLIS;
      try {
        long start = System.nanoTime();
        if (run(autoRatio)) {
          // Rest as long as the run took: GC never takes more than half of the writer's time.
          waitMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        }
      } catch (DbClosedException e) {
        return;
      } catch (IOException | RuntimeException e) {
        if (closing) {
          return;
        }
        LOG.warn("background value log GC failed; retrying in {} s", AUTO_BACKOFF_MILLIS / 1000, e);
        waitMillis = AUTO_BACKOFF_MILLIS;
      }
      synchronized (autoSignal) {
        if (closing) {
          return;
        }
        try {
          autoSignal.wait(waitMillis);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /** Stops the background thread, waiting for a run in progress. */
  @Override
  public void close() {
    closing = true;
    synchronized (autoSignal) {
      autoSignal.notifyAll();
    }
    if (autoThread != null && autoThread.isAlive()) {
      Uninterruptibly.join(autoThread);
    }
  }

  @Override
  public String toString() {
    return "ValueLogGc[" + valueLog + "]";
  }
}
