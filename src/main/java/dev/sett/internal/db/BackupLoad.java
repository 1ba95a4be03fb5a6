package dev.sett.internal.db;

import dev.sett.BannedNamespaceException;
import dev.sett.internal.backup.BackupFormat;
import dev.sett.internal.backup.BackupReader;
import dev.sett.internal.fs.CorruptFileException;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValue;
import dev.sett.internal.key.ValueStruct;
import dev.sett.internal.txn.Oracle;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * Loads a backup stream (Sett's or Badger's, docs/format/backup.md) into the store, keeping every
 * record's own version, tombstones, TTLs, user meta and discard markers (reference §1.13).
 *
 * <p><b>How.</b> Records are gathered into batches bounded like a transaction
 * ({@code maxBatchCount}, {@code maxBatchSize}); each batch goes to the single writer as a task,
 * through the write gate as a commit does, and becomes one WAL record (values at or above the
 * value threshold go to the value log first), of at most {@link #MAX_BATCH_PAYLOAD} bytes of keys
 * and values. At most {@code maxPendingWrites} batches, and {@link #MAX_PENDING_PAYLOAD} bytes, are
 * queued at once, so a load's memory is bounded whatever {@code maxPendingWrites} is. A batch is
 * queued under the oracle's commit lock as it moves commit timestamps past the batch's highest
 * version ({@link Oracle#advancePast}), so commits allocated before it are written before it and
 * commits allocated after it are newer and written after it; once the writer has applied it,
 * readers may see it. A commit made during or after the load is thus newer than everything
 * loaded, and no reader is given a timestamp that shows a later commit but not a loaded batch. Loaded writes are not transactions: they are not
 * checked for conflicts against transactions running meanwhile. Only the meta bits that travel
 * between stores are kept (delete, discard earlier versions, merge); Badger's value-pointer bit
 * is meaningless in a backup and dropped. At the end the value log and WAL are forced to disk.
 *
 * <p><b>Damage.</b> A frame that is truncated or does not parse, or a record Sett cannot store (a
 * key that is empty, too long or in Sett's reserved prefix, a value beyond the value log file
 * size, a version beyond 2^63 − 2), rejects its whole frame: every frame before it is loaded and
 * forced to disk, nothing from it on, and the load fails naming the frame's byte offset
 * ({@code CorruptionException} for damage, {@code IllegalArgumentException} for a record Sett
 * cannot hold).
 */
final class BackupLoad {
  /** Where load's batches go; the DB implements it with its write gate and pipeline. */
  interface Sink {
    /** Runs {@code queue} inside the write gate, as a commit enters it (a drop or close waits). */
    <T> T gated(Supplier<T> queue);

    /**
     * Queues {@code entries} (versions assigned) for the writer without blocking; the future
     * completes once they are written.
     */
    CompletableFuture<Void> submit(List<KeyValue> entries);

    /** Forces the value log and the WAL to disk, after everything queued before. */
    void sync() throws IOException;

    /**
     * Throws {@link BannedNamespaceException} when {@code key} lies in a banned namespace. A
     * store without namespaces accepts every key.
     */
    default void checkNotBanned(byte[] key) {
    }
  }

  /** The most key and value bytes in one batch: a WAL record of a few MiB, not of 100. */
  static final long MAX_BATCH_PAYLOAD = 4 << 20;
  /** The most key and value bytes queued at once, whatever {@code maxPendingWrites} says. */
  static final long MAX_PENDING_PAYLOAD = 64 << 20;

  /** The name damaged streams are reported under. */
  static final Path STREAM_NAME = Path.of("backup-stream");

  private final Sink sink;
  private final Oracle oracle;
  private final TxnContext.TxnLimits limits;
  private final int valueThreshold;
  private final int maxPendingWrites;
  private final ArrayDeque<Batch> inFlight = new ArrayDeque<>();
  private List<KeyValue> batch = new ArrayList<>();
  private long batchBytes;
  private long batchPayload;
  private long pendingPayload;
  private long batchMaxVersion = -1;
  private long records;
  private long maxVersion = -1;

  private record Batch(CompletableFuture<Void> done, long maxVersion, long payload) {
  }

  /** What a load read. */
  record Result(long records, long maxVersion, long bytes) {
  }

  BackupLoad(Sink sink, Oracle oracle, TxnContext.TxnLimits limits, int valueThreshold,
      int maxPendingWrites) {
    if (maxPendingWrites < 1) {
      throw new IllegalArgumentException("maxPendingWrites must be at least 1, was "
          + maxPendingWrites);
    }
    this.sink = sink;
    this.oracle = oracle;
    this.limits = limits;
    this.valueThreshold = valueThreshold;
    this.maxPendingWrites = maxPendingWrites;
  }

  /** Loads all of {@code in}; see the class comment for what happens on damage. */
  Result load(InputStream in) throws IOException {
    BackupReader reader = new BackupReader(in, STREAM_NAME);
    Exception failure = null;
    try {
      while (true) {
        List<BackupReader.Record> frame = reader.nextFrame();
        if (frame == null) {
          break;
        }
        List<KeyValue> entries = toEntries(frame, reader.frameOffset());
        for (KeyValue entry : entries) {
          add(entry);
        }
      }
    } catch (CorruptFileException | IllegalArgumentException | BannedNamespaceException e) {
      failure = e; // what came before is loaded below, then the load fails
    }
    try {
      submitBatch();
      while (!inFlight.isEmpty()) {
        awaitOldest();
      }
      sink.sync();
    } catch (IOException | RuntimeException e) {
      if (failure != null) {
        e.addSuppressed(failure);
      }
      throw e;
    }
    if (failure instanceof CorruptFileException corrupt) {
      throw corrupt;
    }
    if (failure != null) {
      throw (RuntimeException) failure; // IllegalArgumentException or BannedNamespaceException
    }
    return new Result(records, maxVersion, reader.offset());
  }

  /** Checks a whole frame before any of it is loaded. */
  private List<KeyValue> toEntries(List<BackupReader.Record> frame, long frameOffset) {
    List<KeyValue> entries = new ArrayList<>(frame.size());
    for (BackupReader.Record record : frame) {
      try {
        TxnImpl.validateKey(record.key());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("backup frame at offset " + frameOffset
            + " holds a record Sett cannot store: " + e.getMessage(), e);
      }
      sink.checkNotBanned(record.key());
      if (record.value().length > limits.maxValueSize()) {
        throw new IllegalArgumentException("backup frame at offset " + frameOffset + " holds a "
            + record.value().length + "-byte value, beyond the limit of " + limits.maxValueSize()
            + " bytes (valueLogFileSize)");
      }
      if (record.version() < 0 || record.version() >= Long.MAX_VALUE - 1) {
        throw new IllegalArgumentException("backup frame at offset " + frameOffset
            + " holds version " + Long.toUnsignedString(record.version())
            + ", beyond Sett's limit of 2^63 - 2");
      }
      byte meta = (byte) (record.meta() & BackupFormat.PORTABLE_META);
      byte[] value = (meta & BackupFormat.META_DELETE) != 0 ? new byte[0] : record.value();
      entries.add(new KeyValue(InternalKey.of(record.key(), record.version()),
          new ValueStruct(meta, record.userMeta(), record.expiresAt(), record.version(), value)));
    }
    return entries;
  }

  private void add(KeyValue entry) throws IOException {
    long size = estimatedSize(entry);
    long payload = entry.key().length + (long) entry.value().value().length;
    if (!batch.isEmpty()
        && (batch.size() + 1 >= limits.maxBatchCount() || batchBytes + size >= limits.maxBatchSize()
            || batchPayload + payload > MAX_BATCH_PAYLOAD)) {
      submitBatch();
    }
    batch.add(entry);
    batchBytes += size;
    batchPayload += payload;
    long version = InternalKey.version(entry.key());
    batchMaxVersion = Math.max(batchMaxVersion, version);
    maxVersion = Math.max(maxVersion, version);
    records++;
  }

  /** As a transaction counts it: a separated value costs only its pointer. */
  private long estimatedSize(KeyValue entry) {
    int length = entry.value().value().length;
    boolean separated = !entry.value().isDeleted() && length >= valueThreshold;
    return entry.key().length + (separated ? 12 : length) + 12L;
  }

  private void submitBatch() throws IOException {
    if (batch.isEmpty()) {
      return;
    }
    while (!inFlight.isEmpty() && (inFlight.size() >= maxPendingWrites
        || pendingPayload + batchPayload > MAX_PENDING_PAYLOAD)) {
      awaitOldest();
    }
    // Commits allocated from now on are newer than this batch and queued behind it.
    List<KeyValue> entries = batch;
    long version = batchMaxVersion;
    CompletableFuture<Void> done = sink.gated(() -> oracle.advancePast(version,
        () -> sink.submit(entries)));
    inFlight.addLast(new Batch(done, batchMaxVersion, batchPayload));
    pendingPayload += batchPayload;
    batch = new ArrayList<>();
    batchBytes = 0;
    batchPayload = 0;
    batchMaxVersion = -1;
  }

  private void awaitOldest() throws IOException {
    Batch oldest = inFlight.removeFirst();
    pendingPayload -= oldest.payload();
    try {
      WritePipeline.await(oldest.done());
    } catch (IOException | RuntimeException e) {
      // The later batches fail the same way (the writer's failure is sticky); wait for them so
      // nothing is still being written when the caller hears of the failure.
      for (Batch later : inFlight) {
        later.done().exceptionally(error -> null).join();
      }
      inFlight.clear();
      throw e;
    }
    // Every commit at or below the batch's versions was queued before it, so it is finished too:
    // readers may now see the batch.
    oracle.markApplied(oldest.maxVersion());
  }
}
