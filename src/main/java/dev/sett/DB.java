package dev.sett;

import dev.sett.internal.db.DbImpl;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BinaryOperator;
import java.util.function.Consumer;

/**
 * An open Sett store: the one object applications hold.
 *
 * <p><b>What it is.</b> A log-structured merge tree in the manner of Badger. A commit is appended to
 * the write-ahead log of the active memtable (an arena-backed skiplist) by a single writer thread
 * that groups concurrent commits; full memtables are flushed by a background thread into
 * memory-mapped, checksummed SSTables recorded in a protobuf MANIFEST. Reads merge the memtables
 * and the tables, newest first, at the transaction's read timestamp. docs/architecture.md tells
 * the whole story.
 *
 * <p><b>Lifetime.</b> {@link #open} takes an exclusive lock on the directory (a second open, in
 * this or another process, fails with {@link SettException} naming the lock); {@link #close}
 * flushes every memtable, releases the lock and is idempotent; any other call after it throws
 * {@link DbClosedException}.
 *
 * <p><b>Errors.</b> All exceptions are unchecked {@link SettException}s. An I/O failure in the
 * background (a flush that cannot be written) is sticky: later writes fail with it until the store
 * is reopened. Sett never exits the process.
 *
 * <p>Thread-safety: a DB is safe for concurrent use by any number of threads; transactions and
 * iterators are not (each belongs to one thread at a time).
 */
public interface DB extends AutoCloseable {

  /** Opens (creating if needed) the store at {@code options.dir()}; Sett assigns timestamps. */
  static DB open(Options options) {
    return DbImpl.open(options, false);
  }

  /** Opens the store in managed mode: the caller supplies read and commit timestamps. */
  static DB openManaged(Options options) {
    return DbImpl.open(options, true);
  }

  /** The options the store was opened with. */
  Options options();

  // ---- transactions ---------------------------------------------------------------------------

  /** Starts a transaction; {@code update=false} gives a read-only one. Close it (or commit it). */
  Txn newTransaction(boolean update);

  /** Runs {@code body} in a read-write transaction and commits it when the body returns. */
  void update(Consumer<Txn> body);

  /** Runs {@code body} in a read-only transaction, which is always discarded. */
  void view(Consumer<Txn> body);

  /** The value of {@code key}, or null when it is absent, deleted or expired. */
  byte[] get(byte[] key);

  /** Sets {@code key} to {@code value} in a transaction of its own. */
  void put(byte[] key, byte[] value);

  /** Deletes {@code key} in a transaction of its own. */
  void delete(byte[] key);

  /** A batch of writes that commits itself in as many transactions as it needs. */
  WriteBatch newWriteBatch();

  // ---- managed mode ---------------------------------------------------------------------------

  /** Managed mode: a transaction reading at {@code readTs}. */
  Txn newTransactionAt(long readTs, boolean update);

  /** Managed mode: a batch whose transactions all commit at {@code commitTs}. */
  WriteBatch newWriteBatchAt(long commitTs);

  /** Managed mode: versions at or below {@code ts} may be garbage-collected. */
  void setDiscardTs(long ts);

  // ---- maintenance and introspection ----------------------------------------------------------

  /** Rewrites the most garbage-laden value-log file; false when nothing was worth rewriting. */
  boolean runValueLogGC(double discardRatio);

  /**
   * Flushes the memtables and compacts until all data sits on one sorted level, running up to
   * {@code workers} compactions at once. Useful after a bulk load; background compaction does the
   * same work gradually.
   */
  void flatten(int workers);

  /**
   * Deletes every key. Commits wait while it runs. A drop is physical, not versioned: an iterator
   * opened before it finishes over what it already held (safely: its files stay mapped until it
   * closes), but reads that start afterwards, in any transaction, no longer see the dropped keys.
   * Timestamps are not reset.
   */
  void dropAll();

  /**
   * Deletes every key that starts with one of {@code prefixes}, with drop-prefix compactions that
   * rewrite only the tables that may hold such keys. Commits wait while it runs; readers are safe
   * and see the keys disappear as described for {@link #dropAll()}.
   */
  void dropPrefix(byte[]... prefixes);

  /**
   * Bans namespace {@code ns} (an unsigned 64-bit number; see
   * {@link Options.Builder#namespaceOffset}) for good. The ban is recorded in the MANIFEST and
   * forced to disk before this returns, so it survives a reopen and a crash. From the return on,
   * every key of the namespace is invisible to gets, iterators (already open ones included),
   * streams and backups; every write into it (transactions, {@link #put}, write batches, merge
   * operands, the stream writer, {@link #load}) throws {@link BannedNamespaceException}; and
   * compactions drop its data. A key shorter than {@code namespaceOffset + 8} bytes is in no
   * namespace. Banning a namespace twice does nothing.
   *
   * @throws IllegalStateException if the store has no namespaces ({@code namespaceOffset} -1)
   * @throws ReadOnlyException if the store is open read-only
   */
  void banNamespace(long ns);

  /** Forces the write-ahead log (and value log) to disk. */
  void sync();

  /** Verifies the checksum of every block of every table; throws {@link CorruptionException}. */
  void verifyChecksum();

  /** Exact bytes of the live LSM files and value-log files. */
  DbSize size();

  /** One entry per level, L0 first. */
  List<LevelInfo> levels();

  /** Every live table, by level and then id. */
  List<TableInfo> tables();

  /** The highest version in the store. */
  long maxVersion();

  boolean isClosed();

  /**
   * What the cache of decompressed blocks ({@link Options.Builder#blockCacheSize}) has done since
   * open. Only compressed blocks go through it: a block stored uncompressed is read in place.
   */
  CacheMetrics blockCacheMetrics();

  /**
   * What the cache of table indexes and bloom filters ({@link Options.Builder#indexCacheSize})
   * has done since open; all zeros when it is off (indexes then stay with their tables).
   */
  CacheMetrics indexCacheMetrics();

  /** A sequence of unique numbers stored under {@code key}, leased {@code bandwidth} at a time. */
  Sequence getSequence(byte[] key, long bandwidth);

  /** A merge operator folding the versions of {@code key} with {@code fn} every {@code every}. */
  MergeOperator getMergeOperator(byte[] key, BinaryOperator<byte[]> fn, Duration every);

  // ---- streams, backup, subscriptions ---------------------------------------------------------

  /**
   * Writes a backup of a snapshot taken now, in Badger's format (docs/format/backup.md), so that
   * Badger can load it too: of each key, its versions above {@code since}, newest first, down to
   * the first tombstone, expired version or discard marker. Memory stays bounded whatever the
   * store's size; commits go on meanwhile and are not in it. Works on read-only and managed stores
   * (a managed store's snapshot holds every version). {@code out} is flushed, not closed.
   *
   * @return the highest version written, or {@code since} when nothing was above it: pass it as
   *     the next {@code since} for an incremental backup
   * @throws IllegalArgumentException if {@code since} is negative
   */
  long backup(OutputStream out, long since);

  /**
   * Loads a backup written by {@link #backup} or by Badger (v2 and later): every record at its
   * own version, with its tombstone, TTL, user meta and discard marker; commits made afterwards
   * get newer versions. At most {@code maxPendingWrites} batches wait for the writer at once. At
   * the end everything loaded is forced to disk. Meant for a new or quiet store: commits may run
   * meanwhile, but loaded records are not transactions and are not checked for conflicts.
   *
   * @throws CorruptionException if the stream is truncated or damaged; it names the byte offset
   *     of the damaged frame, and every frame before it was loaded and forced to disk
   * @throws IllegalArgumentException if {@code maxPendingWrites} is below 1, or the stream holds a
   *     record Sett cannot store (named with its frame's offset; the frames before it are loaded)
   */
  void load(InputStream in, int maxPendingWrites);

  /**
   * A parallel scan of a snapshot of the latest state, taken now; see {@link Stream}.
   *
   * @throws IllegalStateException in a managed store, which takes {@link #newStreamAt}
   */
  Stream newStream();

  /**
   * Managed mode: a parallel scan of the snapshot at {@code readTs}; see {@link Stream}.
   *
   * @throws IllegalStateException in a normal store, which takes {@link #newStream}
   */
  Stream newStreamAt(long readTs);

  /** A bulk loader of sorted data straight into tables. */
  StreamWriter newStreamWriter();

  /**
   * Calls {@code onUpdate} with every committed change to a key under one of {@code prefixes} (an
   * empty prefix matches every key), in commit order, exactly once while subscribed, on a thread of
   * the subscription's own; a delete arrives as a {@link KV} with {@code deleted} set, and several
   * commits may come in one call.
   *
   * <p><b>Back-pressure:</b> a subscription buffers up to 1,000 commits; beyond that every commit
   * waits for the callback to catch up, so a slow subscriber slows the store down rather than lose
   * changes or grow without bound. The callback must therefore not wait for a commit of this
   * store, nor close it. A callback that throws ends its own subscription (logged), never the
   * writers. After the returned handle's {@code close()} returns, the callback is not called again;
   * closing the store delivers what is buffered, then ends every subscription. A
   * {@link StreamWriter}'s bulk load is not a commit and is not delivered.
   */
  AutoCloseable subscribe(List<byte[]> prefixes, Consumer<List<KV>> onUpdate);

  /** Flushes every memtable, stops background work, releases the directory lock. Idempotent. */
  @Override
  void close();

  /** Commits {@code txn} asynchronously (convenience for {@link Txn#commitAsync()}). */
  default CompletableFuture<Void> commitAsync(Txn txn) {
    return txn.commitAsync();
  }
}
