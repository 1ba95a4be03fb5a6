package dev.sett.kafka;

import dev.sett.DB;
import dev.sett.Item;
import dev.sett.Options;
import dev.sett.SettException;
import dev.sett.Txn;
import dev.sett.TxnTooBigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.processor.internals.ChangelogRecordDeserializationHelper;
import org.apache.kafka.streams.processor.internals.RecordBatchingStateRestoreCallback;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

/**
 * A Kafka Streams persistent key-value store kept in one Sett store under
 * {@code stateDir()/<name>}.
 *
 * <p><b>Design.</b> Writes between two Kafka commits are held in a sorted in-memory buffer
 * (reads see them, as RocksDB's write batch with index does) and reach Sett in one transaction
 * at {@link #commit(Map)}, together with the changelog offsets Kafka hands over, the query
 * {@link Position} and the entry count. So the offsets on disk always describe exactly the data
 * on disk ({@link #managesOffsets()} is true, KIP-1035): after a crash Kafka restores from the
 * committed offset, not from the changelog's start. A Sett transaction is a prefix-consistent
 * unit of recovery, so no fsync per commit is needed: the changelog is the durable copy.
 *
 * <p>The buffer is written early, without new offsets, when it grows past a bound (4 MiB under
 * at-least-once, 64 MiB under exactly-once, where Kafka's {@code statestore.uncommitted.max.bytes}
 * should commit first). Under exactly-once such an early write (or a commit too large for one Sett
 * transaction) first deletes the stored offsets: data of an uncommitted Kafka transaction may then
 * be on disk, so a crash must make Kafka rebuild the task, which it does for a store without
 * offsets. Under at-least-once data ahead of its offsets is harmless: the changelog is replayed
 * over it.
 *
 * <p>Restore takes the changelog's records in batches ({@link RecordBatchingStateRestoreCallback},
 * the batching callback Kafka's own RocksDB store uses): each batch is one Sett write that carries
 * the offset of its last record. Closing discards uncommitted writes (the changelog has them) and
 * closes every iterator still open. Rejected: one Sett transaction per put (a commit costs
 * microseconds, a buffered put nanoseconds) and a Sett transaction held open across puts (its
 * iterators would pin it, and Sett transactions belong to one thread).
 *
 * <p>Reads see the buffer ({@code READ_UNCOMMITTED}, as RocksDB's store under at-least-once);
 * {@link #readOnly} and IQv2 queries at {@code READ_COMMITTED} see only what the last commit wrote.
 *
 * <p>Thread-safety: every public method is synchronized, as in Kafka's RocksDB store, so
 * interactive queries from other threads are safe; an iterator belongs to the thread using it.
 */
class SettKeyValueStore implements KeyValueStore<Bytes, byte[]> {

  private static final long EARLY_WRITE_BYTES = 4L << 20;
  private static final long EARLY_WRITE_BYTES_EOS = 64L << 20;

  private final String name;
  private final Function<Path, Options> options;

  private final WriteBuffer pending = new WriteBuffer();
  private final Set<MergingIterator> openIterators = new HashSet<>();

  private DB db;
  private StateStoreContext context;
  private Path directory;
  private boolean exactlyOnce;
  private boolean consistencyEnabled;
  private Map<TopicPartition, Long> committedOffsets = Map.of();
  private Position position = Position.emptyPosition();
  private long count;
  private volatile boolean open;

  SettKeyValueStore(String name, Function<Path, Options> options) {
    this.name = Objects.requireNonNull(name, "name");
    this.options = Objects.requireNonNull(options, "options");
  }

  @Override
  public String name() {
    return name;
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  @Override
  public synchronized void init(StateStoreContext context, StateStore root) {
    if (open) {
      throw new IllegalStateException("Sett store " + name + " is already open");
    }
    this.context = context;
    Map<String, Object> configs = context.appConfigs();
    exactlyOnce = StreamsConfig.EXACTLY_ONCE_V2.equals(configs.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
    consistencyEnabled = StreamsConfig.InternalConfig.getBoolean(
        configs, StreamsConfig.InternalConfig.IQ_CONSISTENCY_OFFSET_VECTOR_ENABLED, false);
    directory = context.stateDir().toPath().resolve(name);
    try {
      Files.createDirectories(directory);
      db = DB.open(options.apply(directory));
    } catch (IOException | SettException e) {
      throw new ProcessorStateException("cannot open Sett store " + name + " in " + directory, e);
    }
    try {
      loadMetadata();
    } catch (RuntimeException e) {
      db.close();
      db = null;
      throw new ProcessorStateException("cannot read the metadata of Sett store " + name, e);
    }
    open = true;
    context.register(root, new RecordBatchingStateRestoreCallback() {
      @Override
      public void restoreBatch(Collection<ConsumerRecord<byte[], byte[]>> records) {
        SettKeyValueStore.this.restoreBatch(records);
      }

      @Override
      public void restoreAll(Collection<KeyValue<byte[], byte[]>> records) {
        SettKeyValueStore.this.restoreAll(records);
      }
    });
  }

  private void loadMetadata() {
    byte[] offsets = db.get(StoreMetadata.OFFSETS_KEY);
    committedOffsets = offsets == null ? Map.of() : StoreMetadata.decodeOffsets(offsets);
    byte[] storedPosition = db.get(StoreMetadata.POSITION_KEY);
    position = storedPosition == null ? Position.emptyPosition() : StoreMetadata.decodePosition(storedPosition);
    byte[] storedCount = db.get(StoreMetadata.COUNT_KEY);
    count = storedCount == null ? 0 : StoreMetadata.decodeCount(storedCount);
  }

  /** The options the Sett store was opened with. */
  synchronized Options settOptions() {
    checkOpen();
    return db.options();
  }

  /** The directory of this store's files, once initialised. */
  synchronized Path directory() {
    return directory;
  }

  /** Writes the buffer without new offsets (deprecated in Kafka 4.4, which calls {@link #commit} instead). */
  @Deprecated
  @Override
  public synchronized void flush() {
    if (open) {
      writePending(null);
    }
  }

  @Override
  public synchronized void commit(Map<TopicPartition, Long> changelogOffsets) {
    if (!open) {
      return;
    }
    writePending(changelogOffsets);
  }

  @Override
  public synchronized Long committedOffset(TopicPartition partition) {
    checkOpen();
    return committedOffsets.get(partition);
  }

  /** True: offsets live in the store (deprecated in Kafka 4.4 as every store is to manage them). */
  @SuppressWarnings("deprecation")
  @Override
  public boolean managesOffsets() {
    return true;
  }

  @Override
  public synchronized long approximateNumUncommittedBytes() {
    return pending.bytes();
  }

  @Override
  public synchronized void close() {
    if (!open) {
      return;
    }
    open = false;
    for (MergingIterator iterator : new ArrayList<>(openIterators)) {
      iterator.closeQuietly();
    }
    openIterators.clear();
    pending.clear();
    try {
      db.close();
    } catch (SettException e) {
      throw new ProcessorStateException("cannot close Sett store " + name, e);
    } finally {
      db = null;
    }
  }

  @Override
  public boolean persistent() {
    return true;
  }

  @Override
  public boolean isOpen() {
    return open;
  }

  @Override
  public synchronized Position getPosition() {
    return position;
  }

  // ---- writes ---------------------------------------------------------------------------------

  @Override
  public synchronized void put(Bytes key, byte[] value) {
    checkOpen();
    buffer(key, value);
    updatePosition();
    maybeWriteEarly();
  }

  @Override
  public synchronized byte[] putIfAbsent(Bytes key, byte[] value) {
    checkOpen();
    byte[] current = get(key);
    if (current == null) {
      put(key, value);
    }
    return current;
  }

  /** Every entry goes to the buffer before any early write, so the whole list lands in one Sett write. */
  @Override
  public synchronized void putAll(List<KeyValue<Bytes, byte[]>> entries) {
    checkOpen();
    for (KeyValue<Bytes, byte[]> entry : entries) {
      Objects.requireNonNull(entry.key, "putAll: null key");
    }
    for (KeyValue<Bytes, byte[]> entry : entries) {
      buffer(entry.key, entry.value);
    }
    updatePosition();
    maybeWriteEarly();
  }

  @Override
  public synchronized byte[] delete(Bytes key) {
    checkOpen();
    byte[] current = get(key);
    buffer(key, null);
    updatePosition();
    maybeWriteEarly();
    return current;
  }

  private void buffer(Bytes key, byte[] value) {
    pending.put(key, value);
  }

  private void updatePosition() {
    Optional<RecordMetadata> metadata = context.recordMetadata();
    if (metadata.isPresent() && metadata.get().topic() != null) {
      position = position.withComponent(metadata.get().topic(), metadata.get().partition(), metadata.get().offset());
    }
  }

  private void maybeWriteEarly() {
    if (pending.bytes() > (exactlyOnce ? EARLY_WRITE_BYTES_EOS : EARLY_WRITE_BYTES)) {
      writePending(null);
    }
  }

  /**
   * Writes the buffer, the position and the count in one Sett transaction, with
   * {@code newOffsets} (merged over the stored ones) when given. Under exactly-once a write
   * without new offsets deletes the stored ones first (see the class note).
   */
  private void writePending(Map<TopicPartition, Long> newOffsets) {
    Writer writer = new Writer();
    try {
      long newCount = count;
      for (Map.Entry<Bytes, byte[]> entry : pending.entries()) {
        byte[] dataKey = StoreMetadata.dataKey(entry.getKey().get());
        boolean existed = writer.get(dataKey) != null;
        if (entry.getValue() == WriteBuffer.TOMBSTONE) {
          if (existed) {
            writer.delete(dataKey);
            newCount--;
          }
        } else {
          writer.set(dataKey, entry.getValue());
          if (!existed) {
            newCount++;
          }
        }
      }
      writer.set(StoreMetadata.POSITION_KEY, StoreMetadata.encodePosition(position));
      writer.set(StoreMetadata.COUNT_KEY, StoreMetadata.encodeCount(newCount));
      Map<TopicPartition, Long> offsets = committedOffsets;
      if (newOffsets != null && !newOffsets.isEmpty()) {
        offsets = new HashMap<>(committedOffsets);
        offsets.putAll(newOffsets);
        writer.set(StoreMetadata.OFFSETS_KEY, StoreMetadata.encodeOffsets(offsets));
      } else if (newOffsets == null && exactlyOnce && !committedOffsets.isEmpty()) {
        writer.delete(StoreMetadata.OFFSETS_KEY);
        offsets = Map.of();
      }
      writer.commit();
      committedOffsets = offsets;
      count = newCount;
      pending.clear();
    } catch (SettException e) {
      throw new ProcessorStateException("cannot write to Sett store " + name, e);
    } finally {
      writer.discard();
    }
  }

  /** A Sett transaction that, when full, commits what it holds and goes on in a new one. */
  private final class Writer {
    private Txn txn = db.newTransaction(true);

    Item get(byte[] key) {
      return txn.get(key);
    }

    void set(byte[] key, byte[] value) {
      try {
        txn.set(key, value);
      } catch (TxnTooBigException e) {
        rotate();
        txn.set(key, value);
      }
    }

    void delete(byte[] key) {
      try {
        txn.delete(key);
      } catch (TxnTooBigException e) {
        rotate();
        txn.delete(key);
      }
    }

    private void rotate() {
      if (exactlyOnce && !committedOffsets.isEmpty()) {
        db.delete(StoreMetadata.OFFSETS_KEY);
        committedOffsets = Map.of();
      }
      txn.commit();
      txn = db.newTransaction(true);
    }

    void commit() {
      txn.commit();
    }

    void discard() {
      txn.discard();
    }
  }

  // ---- restore --------------------------------------------------------------------------------

  /** One changelog batch as one Sett write, carrying the offset of its last record. */
  synchronized void restoreBatch(Collection<ConsumerRecord<byte[], byte[]>> records) {
    checkOpen();
    if (records.isEmpty()) {
      return;
    }
    if (!pending.isEmpty()) {
      writePending(null);
    }
    Map<TopicPartition, Long> last = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> record : records) {
      ChangelogRecordDeserializationHelper.applyChecksAndUpdatePosition(record, consistencyEnabled, position);
      buffer(Bytes.wrap(record.key()), record.value());
      last.put(new TopicPartition(record.topic(), record.partition()), record.offset());
    }
    writePending(last);
  }

  /** Restores plain key-value pairs (no offsets) in one Sett write; a null value deletes. */
  synchronized void restoreAll(Collection<KeyValue<byte[], byte[]>> records) {
    checkOpen();
    for (KeyValue<byte[], byte[]> record : records) {
      buffer(Bytes.wrap(record.key), record.value);
    }
    writePending(Map.of());
  }

  // ---- reads ----------------------------------------------------------------------------------

  @Override
  public synchronized byte[] get(Bytes key) {
    checkOpen();
    Objects.requireNonNull(key, "key");
    byte[] buffered = pending.get(key);
    if (buffered != null) {
      return buffered == WriteBuffer.TOMBSTONE ? null : buffered;
    }
    try {
      return db.get(StoreMetadata.dataKey(key.get()));
    } catch (SettException e) {
      throw new ProcessorStateException("cannot read from Sett store " + name, e);
    }
  }

  @Override
  public synchronized KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
    return range(from, to, false);
  }

  @Override
  public synchronized KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
    return range(from, to, true);
  }

  @Override
  public synchronized KeyValueIterator<Bytes, byte[]> all() {
    return range(null, null, false);
  }

  @Override
  public synchronized KeyValueIterator<Bytes, byte[]> reverseAll() {
    return range(null, null, true);
  }

  private synchronized KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to, boolean reverse) {
    checkOpen();
    if (from != null && to != null && from.compareTo(to) > 0) {
      return emptyIterator();   // as Kafka's own stores answer an inverted range
    }
    return open(pending.copyRange(from, to, reverse),
        from == null ? null : StoreMetadata.dataKey(from.get()),
        to == null ? null : StoreMetadata.dataKey(to.get()), null, reverse);
  }

  @Override
  public synchronized <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(
      P prefix, PS prefixKeySerializer) {
    checkOpen();
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(prefixKeySerializer, "prefixKeySerializer");
    byte[] prefixBytes = prefixKeySerializer.serialize(null, prefix);
    return open(pending.copyPrefix(prefixBytes), null, null, StoreMetadata.dataKey(prefixBytes), false);
  }

  private KeyValueIterator<Bytes, byte[]> open(List<Map.Entry<Bytes, byte[]>> pendingInOrder, byte[] lowest,
      byte[] highest, byte[] prefix, boolean reverse) {
    try {
      MergingIterator iterator = new MergingIterator(db, name, pendingInOrder, lowest, highest, prefix, reverse,
          this::iteratorClosed);
      openIterators.add(iterator);
      return iterator;
    } catch (SettException e) {
      throw new ProcessorStateException("cannot iterate Sett store " + name, e);
    }
  }

  private synchronized void iteratorClosed(MergingIterator iterator) {
    openIterators.remove(iterator);
  }

  /** The number of iterators open on this store (for tests and metrics). */
  synchronized int openIteratorCount() {
    return openIterators.size();
  }

  /**
   * The committed entry count (exact: each commit checks which keys it adds or removes) plus the
   * buffered puts (some of which may overwrite existing keys).
   */
  @Override
  public synchronized long approximateNumEntries() {
    checkOpen();
    return count + pending.puts();
  }

  // ---- interactive queries v2 -----------------------------------------------------------------

  @Override
  public synchronized <R> QueryResult<R> query(Query<R> query, PositionBound positionBound, QueryConfig config) {
    if (!open) {
      return StoreQueries.notOpen(this);
    }
    if (config.getIsolationLevel() == IsolationLevel.READ_COMMITTED) {
      CommittedView committed = new CommittedView();
      return StoreQueries.execute(this, query, positionBound, config, position, context.taskId().partition(),
          committed::get, committed::range);
    }
    return StoreQueries.execute(this, query, positionBound, config, position, context.taskId().partition(),
        this::get, this::range);
  }

  /**
   * {@code READ_UNCOMMITTED}: this store, its buffered writes included. {@code READ_COMMITTED}: a
   * view of what the last commit wrote to Sett, without the buffer (what a restart would see).
   */
  @Override
  public ReadOnlyKeyValueStore<Bytes, byte[]> readOnly(IsolationLevel isolationLevel) {
    Objects.requireNonNull(isolationLevel, "isolationLevel");
    return isolationLevel == IsolationLevel.READ_COMMITTED ? new CommittedView() : this;
  }

  /** The committed data only: Sett's snapshot, the write buffer left out. */
  private final class CommittedView implements ReadOnlyKeyValueStore<Bytes, byte[]> {
    private static final List<Map.Entry<Bytes, byte[]>> NOTHING_BUFFERED = List.of();

    @Override
    public byte[] get(Bytes key) {
      synchronized (SettKeyValueStore.this) {
        checkOpen();
        Objects.requireNonNull(key, "key");
        try {
          return db.get(StoreMetadata.dataKey(key.get()));
        } catch (SettException e) {
          throw new ProcessorStateException("cannot read from Sett store " + name, e);
        }
      }
    }

    KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to, boolean reverse) {
      synchronized (SettKeyValueStore.this) {
        checkOpen();
        if (from != null && to != null && from.compareTo(to) > 0) {
          return emptyIterator();
        }
        return open(NOTHING_BUFFERED, from == null ? null : StoreMetadata.dataKey(from.get()),
            to == null ? null : StoreMetadata.dataKey(to.get()), null, reverse);
      }
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to) {
      return range(from, to, false);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseRange(Bytes from, Bytes to) {
      return range(from, to, true);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> all() {
      return range(null, null, false);
    }

    @Override
    public KeyValueIterator<Bytes, byte[]> reverseAll() {
      return range(null, null, true);
    }

    @Override
    public <PS extends Serializer<P>, P> KeyValueIterator<Bytes, byte[]> prefixScan(P prefix, PS serializer) {
      synchronized (SettKeyValueStore.this) {
        checkOpen();
        byte[] prefixBytes = Objects.requireNonNull(serializer, "prefixKeySerializer")
            .serialize(null, Objects.requireNonNull(prefix, "prefix"));
        return open(NOTHING_BUFFERED, null, null, StoreMetadata.dataKey(prefixBytes), false);
      }
    }

    @Override
    public long approximateNumEntries() {
      synchronized (SettKeyValueStore.this) {
        checkOpen();
        return count;
      }
    }
  }

  private void checkOpen() {
    if (!open) {
      throw new InvalidStateStoreException("Sett store " + name + " is not open");
    }
  }

  private static KeyValueIterator<Bytes, byte[]> emptyIterator() {
    return new KeyValueIterator<>() {
      @Override
      public boolean hasNext() {
        return false;
      }

      @Override
      public KeyValue<Bytes, byte[]> next() {
        throw new NoSuchElementException("empty range");
      }

      @Override
      public Bytes peekNextKey() {
        throw new NoSuchElementException("empty range");
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + name + (directory == null ? "" : " in " + directory) + "]";
  }
}
