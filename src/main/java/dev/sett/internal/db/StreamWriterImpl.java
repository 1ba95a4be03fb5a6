package dev.sett.internal.db;

import dev.sett.KV;
import dev.sett.SettException;
import dev.sett.StreamWriter;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValue;
import dev.sett.internal.key.Meta;
import dev.sett.internal.key.ValueStruct;
import dev.sett.internal.lsm.LevelsController;
import dev.sett.internal.lsm.TableFiles;
import dev.sett.internal.sstable.Table;
import dev.sett.internal.sstable.TableBuilder;
import dev.sett.internal.txn.Oracle;
import dev.sett.internal.vlog.ValuePointer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link StreamWriter}: a bulk load of sorted key-values straight into tables on the last level,
 * bypassing transactions, the WAL and the memtables (Badger's {@code StreamWriter}).
 *
 * <p>{@link #prepare} makes commits fail (with {@link IllegalStateException}) until {@link #flush}
 * or {@link #close}, flushes the memtables and checks that the store holds no table; a store that
 * holds data is refused and keeps it (Badger silently drops it). {@link #write} checks the whole
 * batch first (keys ascending across all batches, versions descending within a key), so a bad
 * batch changes nothing; then it sends the values at or above the value threshold to the value log
 * (on the writer thread, as commits do) and, while they are being written, appends the previous
 * batch's entries to a table builder (two stages), cutting a table only between two user keys once
 * it reaches the target size of the last level. Finished
 * tables are files that no MANIFEST names yet: {@link #flush} forces the value log, records every
 * table on the last level in one MANIFEST edit, moves the oracle past the highest version written
 * (normal mode) and lets commits in again. {@link #close} without a flush deletes the tables.
 *
 * <p>Thread-safety: methods are synchronized; batches must come in key order, so one producer at a
 * time makes sense.
 */
final class StreamWriterImpl implements StreamWriter {
  private static final Logger LOG = LoggerFactory.getLogger(StreamWriterImpl.class);

  private enum State { NEW, PREPARED, FINISHED }

  private final WriteGate gate;
  private final WritePipeline pipeline;
  private final LevelsController levels;
  private final Oracle oracle;
  private final boolean managed;
  private final IntSupplier valueThreshold;
  private final long tableSize;
  private State state = State.NEW;
  private final List<Table> tables = new ArrayList<>();
  private TableBuilder builder;
  /** The batch whose values are being appended to the value log, or null. */
  private Batch pending;
  /** The internal key last added to a table. */
  private byte[] lastTableKey;
  /** The last key and version of the batches validated so far. */
  private byte[] lastKey;
  private long lastVersion;
  private long maxVersion;
  private long keysWritten;
  private long bytesWritten;

  /**
   * @param valueThreshold values at least this long go to the value log ({@code MAX_VALUE}: none)
   * @param tableSize the size at which a table is cut
   */
  /** Tells the store this writer is done: it stops tracking it. */
  private final Consumer<StreamWriterImpl> onClose;
  /** Throws BannedNamespaceException for a key of a banned namespace. */
  private final Consumer<byte[]> checkNotBanned;

  StreamWriterImpl(WriteGate gate, WritePipeline pipeline, LevelsController levels, Oracle oracle,
      boolean managed, IntSupplier valueThreshold, long tableSize, Consumer<byte[]> checkNotBanned,
      Consumer<StreamWriterImpl> onClose) {
    this.onClose = onClose;
    this.checkNotBanned = checkNotBanned;
    this.gate = gate;
    this.pipeline = pipeline;
    this.levels = levels;
    this.oracle = oracle;
    this.managed = managed;
    this.valueThreshold = valueThreshold;
    this.tableSize = tableSize;
  }

  @Override
  public synchronized void prepare() {
    if (state != State.NEW) {
      throw new IllegalStateException("prepare() is called once, before write()");
    }
    gate.refuseCommits("a StreamWriter is loading the store", () -> {
      long tableCount = levels.levelStatus().stream().mapToLong(level -> level.numTables()).sum();
      if (tableCount > 0) {
        throw new IllegalStateException("the store holds data (" + tableCount + " tables): a "
            + "StreamWriter loads only into an empty store; nothing was dropped (call dropAll() "
            + "first to replace the contents)");
      }
    });
    state = State.PREPARED;
  }

  @Override
  public synchronized void write(List<KV> kvs) {
    if (state != State.PREPARED) {
      throw new IllegalStateException(state == State.NEW ? "call prepare() before write()"
          : "the StreamWriter is already flushed or closed");
    }
    validate(kvs);
    try {
      // Two stages: this batch's values go to the value log on the writer thread while the
      // previous batch goes into the table here.
      Batch next = startBatch(kvs);
      addPendingBatch();
      pending = next;
    } catch (IOException | RuntimeException e) {
      // Part of a batch may be in a table already: the load cannot go on with a hole in it.
      abort();
      LOG.error("stream writer failed; the load is abandoned and commits are allowed again", e);
      throw e instanceof IOException io ? Errors.convert(io) : (RuntimeException) e;
    }
  }

  /** Waits for the pending batch's values to reach the value log, then adds it to the table. */
  private void addPendingBatch() throws IOException {
    Batch batch = pending;
    if (batch == null) {
      return;
    }
    pending = null;
    List<KeyValue> entries = batch.entries();
    if (batch.valueLogDone() != null) {
      WritePipeline.await(batch.valueLogDone());
      List<ValuePointer> pointers = batch.pointers().get(0);
      for (int i = 0; i < pointers.size(); i++) {
        int index = batch.logged()[i];
        entries.set(index, ValueSeparation.withPointer(entries.get(index), pointers.get(i)));
      }
    }
    for (KeyValue entry : entries) {
      boolean newUserKey = lastTableKey == null || !InternalKey.sameUserKey(lastTableKey, entry.key());
      if (newUserKey && builder != null && builder.estimatedSize() >= tableSize) {
        finishTable(); // all versions of a key stay in one table
      }
      if (builder == null) {
        builder = levels.tableFiles().newBuilder();
      }
      builder.add(entry.key(), entry.value());
      lastTableKey = entry.key();
    }
  }

  /** Checks order, keys and versions of the whole batch before anything of it is written. */
  private void validate(List<KV> kvs) {
    byte[] previousKey = lastKey;
    long previousVersion = lastVersion;
    for (int i = 0; i < kvs.size(); i++) {
      KV kv = kvs.get(i);
      if (kv == null) {
        throw new SettException("KV " + i + " of the batch is null; nothing of the batch was written");
      }
      byte[] key = kv.key();
      if (key.length == 0 || key.length > TxnImpl.MAX_KEY_SIZE) {
        throw new SettException("KV " + i + " has a key of " + key.length + " bytes (1 to "
            + TxnImpl.MAX_KEY_SIZE + " allowed); nothing of the batch was written");
      }
      byte[] reserved = TxnImpl.RESERVED_PREFIX;
      if (key.length >= reserved.length
          && Arrays.equals(key, 0, reserved.length, reserved, 0, reserved.length)) {
        throw new SettException("KV " + i + " has a key in Sett's reserved prefix \"!sett!\"; "
            + "nothing of the batch was written");
      }
      checkNotBanned.accept(key); // BannedNamespaceException; nothing of the batch is written
      if (kv.version() <= 0) {
        throw new SettException("KV " + i + " (" + kv + ") has version "
            + kv.version() + "; versions must be positive; nothing of the batch was written");
      }
      if (previousKey != null) {
        int order = Arrays.compareUnsigned(previousKey, key);
        if (order > 0 || order == 0 && kv.version() >= previousVersion) {
          throw new SettException("keys not in sorted order at KV " + i + ": "
              + InternalKey.toString(InternalKey.of(key, kv.version())) + " after "
              + InternalKey.toString(InternalKey.of(previousKey, previousVersion))
              + " (keys ascending, versions descending within a key); nothing of the batch was written");
        }
      }
      previousKey = key;
      previousVersion = kv.version();
    }
    for (KV kv : kvs) {
      maxVersion = Math.max(maxVersion, kv.version());
      bytesWritten += kv.key().length + kv.value().length;
    }
    keysWritten += kvs.size();
    lastKey = previousKey;
    lastVersion = previousVersion;
  }

  /** One batch on its way: its entries, and the value log append of its large values. */
  private record Batch(List<KeyValue> entries, int[] logged,
      java.util.concurrent.CompletableFuture<Void> valueLogDone, List<List<ValuePointer>> pointers) {
  }

  /** The batch as internal entries; its large values are sent to the value log, not awaited. */
  private Batch startBatch(List<KV> kvs) {
    int threshold = valueThreshold.getAsInt();
    List<KeyValue> entries = new ArrayList<>(kvs.size());
    List<KeyValue> toLog = new ArrayList<>();
    int[] logged = new int[kvs.size()];
    for (KV kv : kvs) {
      byte meta = kv.deleted() ? Meta.DELETE : 0;
      byte[] value = kv.deleted() ? new byte[0] : kv.value();
      KeyValue entry = new KeyValue(InternalKey.of(kv.key(), kv.version()),
          new ValueStruct(meta, kv.userMeta(), kv.expiresAt(), kv.version(), value));
      if (!kv.deleted() && value.length >= threshold) {
        logged[toLog.size()] = entries.size();
        toLog.add(entry);
      }
      entries.add(entry);
    }
    if (toLog.isEmpty()) {
      return new Batch(entries, logged, null, null);
    }
    // On the writer thread, which owns the value log (no commit runs meanwhile).
    List<List<ValuePointer>> pointers = new ArrayList<>(1);
    java.util.concurrent.CompletableFuture<Void> done = pipeline.submitTask(
        writer -> pointers.add(writer.valueLog().append(toLog)));
    return new Batch(entries, logged, done, pointers);
  }

  private void finishTable() throws IOException {
    try {
      TableFiles.Written written = levels.tableFiles().write(builder);
      try {
        tables.add(levels.tableFiles().open(written.id(), written.path()));
      } catch (IOException | RuntimeException e) {
        levels.tableFiles().delete(written.path());
        throw e;
      }
    } finally {
      builder = null;
    }
  }

  @Override
  public synchronized void flush() {
    if (state != State.PREPARED) {
      throw new IllegalStateException(state == State.NEW ? "call prepare() before flush()"
          : "the StreamWriter is already flushed or closed");
    }
    state = State.FINISHED;
    try {
      addPendingBatch();
      if (builder != null) {
        finishTable();
      }
      // Values before the tables that point at them; the table files before the MANIFEST names them.
      WritePipeline.await(pipeline.submitTask(WritePipeline.Writer::sync));
      if (!tables.isEmpty()) {
        levels.tableFiles().syncDirectory();
      }
      List<Table> added = new ArrayList<>(tables);
      tables.clear();
      levels.addLastLevelTables(added); // takes over the references, even on failure
      if (!managed) {
        oracle.publishLoaded(maxVersion);
      }
      LOG.info("stream writer loaded {} versions, {} bytes of keys and values, into {} tables; "
          + "max version {}", keysWritten, bytesWritten, added.size(), maxVersion);
    } catch (IOException e) {
      throw Errors.convert(e);
    } finally {
      discardTables();
      gate.allowCommits();
    }
  }

  /** Ends the load: without a {@link #flush}, nothing written becomes visible. Idempotent. */
  @Override
  public synchronized void close() {
    if (state == State.PREPARED) {
      abort();
      LOG.info("stream writer closed without flush: {} versions discarded", keysWritten);
    }
    state = State.FINISHED;
    onClose.accept(this);
  }

  private void abort() {
    state = State.FINISHED;
    if (pending != null && pending.valueLogDone() != null) {
      pending.valueLogDone().handle((ignored, failure) -> null).join(); // not under way any more
    }
    pending = null;
    discardTables();
    if (builder != null) {
      try {
        builder.abandon(); // its blocks streamed to a file no MANIFEST names
      } catch (IOException e) {
        LOG.warn("could not delete the partial table of an abandoned stream writer", e);
      }
    }
    builder = null;
    gate.allowCommits();
  }

  private void discardTables() {
    for (Table table : tables) {
      table.markForDeletion();
      table.release();
    }
    tables.clear();
  }

  @Override
  public synchronized String toString() {
    return "StreamWriter[" + state + ", " + keysWritten + " versions, " + tables.size()
        + " tables pending]";
  }
}
