package dev.sett.internal.db;

import dev.sett.ConflictException;
import dev.sett.DbIterator;
import dev.sett.Entry;
import dev.sett.Item;
import dev.sett.IteratorOptions;
import dev.sett.Txn;
import dev.sett.TxnTooBigException;
import dev.sett.internal.codec.KeyHash;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValue;
import dev.sett.internal.key.Meta;
import dev.sett.internal.key.ValueStruct;
import dev.sett.internal.txn.Oracle;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * A transaction: a read timestamp, the keys it read (as fingerprints, for conflict detection) and
 * the writes it buffers until commit.
 *
 * <p>Thread-safety: not thread-safe, except that the open-iterator count may be changed by
 * iterators closed on other threads.
 */
final class TxnImpl implements Txn {
  /** Keys that start with this are Sett's own; users cannot write them. Never change. */
  static final byte[] RESERVED_PREFIX = "!sett!".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  static final int MAX_KEY_SIZE = 65_000;

  private final TxnContext context;
  private final boolean update;
  /** Managed mode: the caller chose the read timestamp and must commit with commitAt. */
  private final boolean managed;
  /**
   * The snapshot timestamp; -1 until taken. A read-only transaction takes it when created. A
   * read-write one takes it (and waits for the commits before it) at its first read, so one that
   * only writes never waits; snapshot isolation holds with the snapshot taken then.
   */
  private long readTs = -1;
  private final TreeMap<byte[], PendingWrite> pending = new TreeMap<>(Arrays::compareUnsigned);
  private long[] reads = new long[8];
  private int readCount;
  /** Entries plus the commit's own overhead, as Badger counts them. */
  private long count = 1;
  private long size = 21;
  /** Iterators may be closed from other threads than the transaction's. */
  private final java.util.concurrent.atomic.AtomicInteger openIterators =
      new java.util.concurrent.atomic.AtomicInteger();
  private boolean finished;

  /** A transaction of a normal store: Sett picks the read timestamp. */
  TxnImpl(TxnContext context, boolean update) {
    this.context = context;
    this.update = update;
    this.managed = false;
    if (!update) {
      snapshot(); // a read-only transaction is a snapshot of the moment it was created
    }
  }

  /** A transaction of a managed store, reading at {@code readTs}. */
  TxnImpl(TxnContext context, boolean update, long readTs) {
    this.context = context;
    this.update = update;
    this.managed = true;
    this.readTs = context.oracle().beginAt(readTs, update);
  }

  /** The snapshot timestamp, taken (and registered with the oracle) at the first read. */
  private synchronized long snapshot() {
    if (readTs < 0) {
      if (finished) {
        return context.oracle().readTimestamp(); // ended without reading: nothing to register
      }
      readTs = context.oracle().begin(update);
    }
    return readTs;
  }

  @Override
  public void set(byte[] key, byte[] value) {
    setEntry(Entry.of(key, value));
  }

  @Override
  public void setEntry(Entry entry) {
    byte meta = entry.discardEarlierVersions() ? Meta.DISCARD_EARLIER_VERSIONS : 0;
    long expiresAt = entry.expiresAt(java.time.Instant.ofEpochMilli(context.nowMillis()));
    addWrite(new PendingWrite(entry.key(), entry.value(), meta, entry.userMeta(), expiresAt));
  }

  /**
   * Writes a merge-operator operand: a version marked as a merge entry, which compaction never
   * counts against {@code numVersionsToKeep}, so operands survive until they are folded.
   */
  void setMergeOperand(byte[] key, byte[] value) {
    addWrite(new PendingWrite(key.clone(), value.clone(), Meta.MERGE_ENTRY, (byte) 0, 0));
  }

  @Override
  public void delete(byte[] key) {
    addWrite(new PendingWrite(key.clone(), new byte[0], Meta.DELETE, (byte) 0, 0));
  }

  private void addWrite(PendingWrite write) {
    checkUsable();
    if (!update) {
      throw new IllegalStateException("this transaction is read-only; writes need newTransaction(true)");
    }
    context.checkWritable();
    validateKey(write.key());
    context.checkNotBanned(write.key());
    TxnContext.TxnLimits limits = context.limits();
    if (write.value().length > limits.maxValueSize()) {
      throw new IllegalArgumentException("value of " + write.value().length
          + " bytes exceeds the limit of " + limits.maxValueSize() + " bytes (valueLogFileSize)");
    }
    long newSize = size + write.estimatedSize(context.valueThreshold());
    if (count + 1 >= limits.maxBatchCount() || newSize >= limits.maxBatchSize()) {
      throw new TxnTooBigException("transaction would exceed " + limits.maxBatchCount()
          + " entries or " + limits.maxBatchSize() + " bytes; commit it and start another");
    }
    count++;
    size = newSize;
    pending.put(write.key(), write);
  }

  static void validateKey(byte[] key) {
    if (key == null) {
      throw new NullPointerException("key");
    }
    if (key.length == 0) {
      throw new IllegalArgumentException("key is empty");
    }
    if (key.length > MAX_KEY_SIZE) {
      throw new IllegalArgumentException("key of " + key.length + " bytes exceeds the limit of "
          + MAX_KEY_SIZE + " bytes");
    }
    if (key.length >= RESERVED_PREFIX.length
        && Arrays.equals(key, 0, RESERVED_PREFIX.length, RESERVED_PREFIX, 0, RESERVED_PREFIX.length)) {
      throw new IllegalArgumentException("keys starting with \"!sett!\" are reserved for Sett");
    }
  }

  @Override
  public Item get(byte[] key) {
    checkUsable();
    validateKey(key);
    ValueStruct value;
    PendingWrite write = update ? pending.get(key) : null;
    if (write != null) {
      value = write.toValue(snapshot()); // own writes are not reads: nothing to conflict with
    } else {
      if (update) {
        recordRead(key);
      }
      value = context.lookup(key, snapshot());
    }
    long now = context.nowSeconds();
    return value == null || value.isDeletedOrExpired(now) ? null : new ItemImpl(key.clone(), value, now, context.resolver());
  }

  /** Remembers that this transaction read {@code key} (for conflict detection). */
  void recordRead(byte[] key) {
    if (!update || !context.limits().detectConflicts()) {
      return;
    }
    synchronized (this) {
      if (readCount == reads.length) {
        reads = Arrays.copyOf(reads, reads.length * 2);
      }
      reads[readCount++] = KeyHash.of(key);
    }
  }

  @Override
  public void commit() {
    if (managed) {
      checkUsable();
      throw new IllegalStateException("a managed store commits with commitAt(commitTs)");
    }
    Errors.awaitCommit(submitCommit(0, true)); // converts the failure as commitAsync's does
  }

  @Override
  public CompletableFuture<Void> commitAsync() {
    if (managed) {
      checkUsable();
      throw new IllegalStateException("a managed store commits with commitAt(commitTs)");
    }
    return commitAsync(0, false);
  }

  /**
   * Commits, at {@code managedCommitTs} in managed mode (at the oracle's next timestamp when it
   * is 0, in normal mode). The future fails with the exception {@link #commit()} would throw.
   */
  CompletableFuture<Void> commitAsync(long managedCommitTs, boolean writeHere) {
    return submitCommit(managedCommitTs, writeHere).handle((ignored, error) -> {
      if (error != null) {
        throw new CompletionException(Errors.convert(
            error instanceof CompletionException ? error.getCause() : error));
      }
      return null;
    });
  }

  /**
   * Commits as {@link #commitAsync(long, boolean)} does; the future fails with the pipeline's own
   * exception, not yet converted to the public one (a synchronous commit converts it once, in
   * {@link Errors#awaitCommit}, without a second future per commit).
   */
  private CompletableFuture<Void> submitCommit(long managedCommitTs, boolean writeHere) {
    checkUsable();
    if (openIterators.get() > 0) {
      throw new IllegalStateException("close the transaction's " + openIterators.get()
          + " open iterator(s) before committing");
    }
    if (pending.isEmpty()) {
      discard();
      return CompletableFuture.completedFuture(null);
    }
    context.checkOpen();
    context.checkWritable();
    long[] readSet = Arrays.copyOf(reads, readCount);
    long[] writeSet = new long[pending.size()];
    int index = 0;
    for (byte[] key : pending.keySet()) {
      writeSet[index++] = KeyHash.of(key);
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    long commitTs = Oracle.CONFLICT;
    context.reserveCommit();
    try {
      if (managed) {
        boolean committed = context.oracle().commitAt(readTs, managedCommitTs, readSet, writeSet,
            ts -> context.submit(new WritePipeline.Request(entriesAt(ts), ts, done, writeHere)));
        commitTs = committed ? managedCommitTs : Oracle.CONFLICT;
      } else {
        // A transaction that never read has no snapshot and nothing to conflict on.
        commitTs = context.oracle().commit(Math.max(readTs, 0), readSet, writeSet,
            ts -> context.submit(new WritePipeline.Request(entriesAt(ts), ts, done, writeHere)));
      }
    } finally {
      context.endCommit(commitTs != Oracle.CONFLICT);
      discard();
    }
    if (commitTs == Oracle.CONFLICT) {
      return CompletableFuture.failedFuture(new ConflictException(
          "transaction conflict: a key this transaction read was written by a later commit; retry the transaction"));
    }
    if (writeHere) {
      context.writeQueued(); // an uncontended commit is written here, with no hand-off
    }
    return done;
  }

  private List<KeyValue> entriesAt(long commitTs) {
    List<KeyValue> entries = new ArrayList<>(pending.size());
    for (PendingWrite write : pending.values()) {
      entries.add(new KeyValue(InternalKey.of(write.key(), commitTs), write.toValue(commitTs)));
    }
    return entries;
  }

  @Override
  public void commitAt(long commitTs) {
    if (!managed) {
      throw new IllegalStateException("commitAt is for managed stores (DB.openManaged); use commit()");
    }
    if (commitTs <= 0) {
      throw new IllegalArgumentException("commitTs must be positive, was " + commitTs);
    }
    Errors.awaitCommit(submitCommit(commitTs, true));
  }

  @Override
  public long readTs() {
    return snapshot();
  }

  @Override
  public DbIterator newIterator(IteratorOptions options) {
    checkUsable();
    context.checkOpen();
    PendingWritesIterator own = update && !pending.isEmpty()
        ? new PendingWritesIterator(pending.values(), snapshot(), options.reverse()) : null;
    DbIteratorImpl iterator = new DbIteratorImpl(this, context, options, own, null);
    openIterators.incrementAndGet();
    return iterator;
  }

  @Override
  public DbIterator newKeyIterator(byte[] key, IteratorOptions options) {
    checkUsable();
    validateKey(key);
    if (options.prefix().length > 0) {
      throw new IllegalArgumentException("a key iterator takes its prefix from the key; options.prefix must be unset");
    }
    context.checkOpen();
    IteratorOptions all = options.toBuilder().allVersions(true).prefix(key).build();
    PendingWritesIterator own = null;
    if (update && pending.containsKey(key)) {
      own = new PendingWritesIterator(List.of(pending.get(key)), snapshot(), options.reverse());
    }
    DbIteratorImpl iterator = new DbIteratorImpl(this, context, all, own, key.clone());
    openIterators.incrementAndGet();
    return iterator;
  }

  void iteratorClosed() {
    openIterators.decrementAndGet();
  }

  @Override
  public void discard() {
    if (finished) {
      return;
    }
    if (openIterators.get() > 0) {
      throw new IllegalStateException("close the transaction's " + openIterators.get()
          + " open iterator(s) before ending it");
    }
    finished = true;
    if (readTs >= 0) {
      context.oracle().finish(readTs, update);
    }
  }

  @Override
  public void close() {
    discard();
  }

  private void checkUsable() {
    if (finished) {
      throw new IllegalStateException("the transaction is already committed or discarded");
    }
  }

  @Override
  public String toString() {
    return "Txn[readTs=" + (readTs < 0 ? "not yet taken" : readTs) + (update ? ", read-write, " + pending.size() + " pending" : ", read-only")
        + (finished ? ", finished" : "") + "]";
  }
}
