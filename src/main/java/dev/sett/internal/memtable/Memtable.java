package dev.sett.internal.memtable;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.sett.internal.codec.DataKey;
import dev.sett.internal.codec.DataKeys;
import dev.sett.internal.codec.KeyHash;
import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValue;
import dev.sett.internal.key.KeyValueIterator;
import dev.sett.internal.key.ValueStruct;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;

/**
 * The in-memory level of the LSM tree: recent writes, sorted, with the write-ahead log that makes
 * them survive a crash.
 *
 * <p><b>Design.</b> A memtable is an arena-backed {@link SkipList} (no Java object per entry and no
 * entry bytes on the Java heap: a 64 MiB memtable is a few dozen direct buffers, which cost the
 * collector nothing) plus a WAL ({@code .mem} file, {@code docs/format/wal.md}). {@link #write} appends the
 * whole batch to the WAL as one checksummed record and only then inserts it, so after a crash the
 * replay rebuilds exactly a prefix of the acknowledged transactions, never part of one. Rejected:
 * Badger's layout of one WAL record per entry with a separate transaction-end marker (replay
 * needs a transaction-aware reader, and a torn marker is ambiguous); a memory-mapped, pre-sized
 * WAL (zero-filled tails, remapping when it grows, and page-cache writes that {@code fsync} and
 * crash tests reason about less easily than plain appends); a {@code ConcurrentSkipListMap}
 * (several objects per entry).
 *
 * <p><b>Lifecycle.</b> Created (or recovered) mutable; the DB writes to it until {@link #isFull};
 * {@link #closeWal} then makes it immutable; once its contents are safely in an SSTable the
 * flusher calls {@link #deleteWal} and the store calls {@link #release}.
 *
 * <p><b>Memory and readers.</b> The arena's chunks are off the heap and are reused by the next
 * memtable once this one is released, so a reader must never touch them after that. A reference
 * count decides: the store holds one reference from creation until {@link #release}; a lookup
 * ({@link #get}) holds one while it searches and copies the value out, an iterator from its
 * creation until it is closed; the last one to let go gives the chunks back to the pool
 * ({@link MemtableOptions}). A lookup whose filter rules the key out takes no reference, so a get
 * that is answered by a table touches no memtable counter at all. A lookup or iterator that finds
 * the memtable already released sees it as empty: the store releases a memtable only after its
 * table is in L0 and it is gone from the read order, and every reader reads the memtables before
 * the levels, so such a reader finds the entries in L0. An iterator that is never closed keeps
 * its memtable's chunks from being reused; they are freed by the garbage collector once the
 * iterator is unreachable.
 *
 * <p><b>Thread-safety.</b> Write-side methods ({@link #write}, {@link #sync}, {@link #closeWal},
 * {@link #deleteWal}) serialise on a private lock, so the DB's single writer thread and its
 * flusher thread can share a memtable; the design has one writer, and concurrent writers would
 * only queue. Readers ({@link #get}, {@link #iterator}, the size and count accessors) take no lock
 * and run concurrently with writes; they see each entry whole or not at all.
 */
public final class Memtable {
  /** Bytes of a WAL's header: a shorter file was cut off while being created and holds nothing. */
  public static final int WAL_HEADER_LENGTH = WalFormat.HEADER_LENGTH;
  /** The header length of an encrypted WAL, which names its data key. */
  public static final int ENCRYPTED_WAL_HEADER_LENGTH = WalFormat.ENCRYPTED_HEADER_LENGTH;

  private final long id;
  private final Path walPath;
  private final FileSystem fileSystem;
  private final MemtableOptions options;
  private final SkipList skipList;
  /** Every user key written; written by the writer before the skiplist insert. */
  private final MemtableFilter filter;
  private final Object writeLock = new Object();

  /** Open WAL, or null when in memory or closed. Guarded by {@code writeLock}. */
  @GuardedBy("writeLock")
  private WalWriter wal;
  /** Whether writes are accepted. Guarded by {@code writeLock}. */
  @GuardedBy("writeLock")
  private boolean writable;
  /** Guarded by {@code writeLock}. */
  @GuardedBy("writeLock")
  private boolean walDeleted;

  private static final VarHandle REFERENCES;

  static {
    try {
      REFERENCES = MethodHandles.lookup().findVarHandle(Memtable.class, "references", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Holders of this memtable's arena: the store until {@link #release}, lookups, iterators. */
  @SuppressWarnings("unused") // through REFERENCES
  private volatile int references = 1;
  private final AtomicBoolean released = new AtomicBoolean();

  private volatile long maxVersion;
  private volatile long walSize;
  private boolean replayRefused;

  private Memtable(long id, Path walPath, FileSystem fileSystem, MemtableOptions options,
      SkipList skipList, MemtableFilter filter, WalWriter wal, boolean writable, long maxVersion,
      long walSize) {
    this.id = id;
    this.walPath = walPath;
    this.fileSystem = fileSystem;
    this.options = options;
    this.skipList = skipList;
    this.filter = filter;
    this.wal = wal;
    this.writable = writable;
    this.maxVersion = maxVersion;
    this.walSize = walSize;
  }

  /**
   * Creates an empty memtable with a new WAL at {@code walPath}, which must not exist. The header
   * is written and forced to disk, with the directory entry, before this returns.
   *
   * @param random decides skiplist node heights; pass a seeded generator in tests
   */
  public static Memtable create(FileSystem fileSystem, Path walPath, long id,
      MemtableOptions options, RandomGenerator random) throws IOException {
    return create(fileSystem, walPath, id, options, random, null);
  }

  /** As above, with a WAL whose records {@code dataKey} seals (null: a plain WAL). */
  public static Memtable create(FileSystem fileSystem, Path walPath, long id,
      MemtableOptions options, RandomGenerator random, DataKey dataKey) throws IOException {
    WalWriter wal = WalWriter.create(fileSystem, walPath, id, dataKey);
    return new Memtable(id, walPath, fileSystem, options, newSkipList(options, random),
        newFilter(options), wal, true, 0, wal.size());
  }

  /**
   * Rebuilds a memtable from its WAL. The id comes from the WAL header. Whole transactions are
   * replayed in order up to the first torn or damaged record; unless {@code readOnly}, the file is
   * truncated there (with a warning in the log) and the memtable keeps accepting writes, appended
   * after the last good record. A read-only memtable accepts no writes and leaves the file alone.
   *
   * @throws dev.sett.internal.fs.CorruptFileException      if the file is not a WAL or its header
   *                                                         is damaged or short
   * @throws dev.sett.internal.fs.UnsupportedFormatException if its format version is unknown
   */
  public static Memtable recover(FileSystem fileSystem, Path walPath, MemtableOptions options,
      RandomGenerator random, boolean readOnly) throws IOException {
    return recover(fileSystem, walPath, options, random, readOnly, batch -> true);
  }

  /**
   * As {@link #recover(FileSystem, Path, MemtableOptions, RandomGenerator, boolean)}, but {@code
   * accept} may refuse a transaction: it and everything after it are cut off the WAL (unless
   * read-only), and {@link #replayRefused()} is true.
   */
  public static Memtable recover(FileSystem fileSystem, Path walPath, MemtableOptions options,
      RandomGenerator random, boolean readOnly, Predicate<List<KeyValue>> accept)
      throws IOException {
    return recover(fileSystem, walPath, options, random, readOnly, true, accept);
  }

  /**
   * As above; {@code newest} false says a newer WAL follows this one, so damage at its end is
   * corruption rather than a torn tail (it was synced whole when the newer one began).
   */
  public static Memtable recover(FileSystem fileSystem, Path walPath, MemtableOptions options,
      RandomGenerator random, boolean readOnly, boolean newest,
      Predicate<List<KeyValue>> accept) throws IOException {
    return recover(fileSystem, walPath, options, random, readOnly, newest, DataKeys.NONE, accept);
  }

  /** As above, for a WAL that may be encrypted under one of {@code keys}. */
  public static Memtable recover(FileSystem fileSystem, Path walPath, MemtableOptions options,
      RandomGenerator random, boolean readOnly, boolean newest, DataKeys keys,
      Predicate<List<KeyValue>> accept) throws IOException {
    return recover(fileSystem, walPath, options, random, readOnly, newest, keys, accept,
        WalReader.REFUSE_SYNCED);
  }

  /**
   * As above; a refused transaction that was synced (so the crash cannot have lost its values)
   * is not cut off: {@code syncedRefusal} makes the error to throw, given the WAL, the record's
   * offset and why it is known to have been synced.
   */
  public static Memtable recover(FileSystem fileSystem, Path walPath, MemtableOptions options,
      RandomGenerator random, boolean readOnly, boolean newest, DataKeys keys,
      Predicate<List<KeyValue>> accept, SyncedRefusal syncedRefusal) throws IOException {
    SkipList skipList = newSkipList(options, random);
    MemtableFilter filter = newFilter(options);
    long[] maxVersion = {0};
    WalReader.ReplayResult replay = WalReader.replayAccepting(fileSystem, walPath, readOnly,
        newest, keys, batch -> {
          if (!accept.test(batch)) {
            return false;
          }
          for (KeyValue entry : batch) {
            skipList.put(entry.key(), entry.value()); // rejects a key shorter than its suffix
            filter.add(userKeyHash(entry.key()));
            maxVersion[0] = maxOf(maxVersion[0], InternalKey.version(entry.key()));
          }
          return true;
        }, syncedRefusal);
    WalWriter wal = null;
    if (!readOnly) {
      wal = WalWriter.openForAppend(fileSystem, walPath, replay.dataKey());
      if (wal.size() != replay.validEnd()) {
        long found = wal.size();
        wal.close();
        throw new IOException("WAL " + walPath + " is " + found + " bytes after truncation to "
            + replay.validEnd() + "; is another process writing it?");
      }
    }
    Memtable memtable = new Memtable(replay.memtableId(), walPath, fileSystem, options, skipList,
        filter, wal, !readOnly, maxVersion[0], replay.validEnd());
    memtable.replayRefused = replay.refused();
    return memtable;
  }

  /**
   * Makes the error for a refused transaction that had been synced (see {@link #recover}): the
   * store refuses one whose values the value log lost, which a crash cannot do to a synced
   * transaction (its values are forced before it), so the value log is damaged there.
   */
  @FunctionalInterface
  public interface SyncedRefusal {
    /**
     * @param wal the WAL holding the transaction
     * @param offset where its record starts
     * @param evidence why it is known to have been synced
     */
    IOException corruption(Path wal, long offset, String evidence);
  }

  /** Whether recovery refused a transaction of the WAL, cutting it and everything after it. */
  public boolean replayRefused() {
    return replayRefused;
  }

  /** Creates a memtable without a WAL, for a DB that lives in memory only. */
  public static Memtable inMemory(long id, MemtableOptions options, RandomGenerator random) {
    return new Memtable(id, null, null, options, newSkipList(options, random), newFilter(options),
        null, true, 0, 0);
  }

  /** The memtable id, which also names its WAL file. */
  public long id() {
    return id;
  }

  /** The WAL file, or null for an in-memory memtable. */
  public Path walPath() {
    return walPath;
  }

  /**
   * Appends {@code batch} to the WAL as one record, then inserts every entry; an entry whose
   * internal key is already present replaces that key's value. The versions come from the keys;
   * {@link ValueStruct#version()} is ignored. The bytes have reached the OS, but not necessarily
   * the device, when this returns: see {@link #sync}. An empty batch is a no-op.
   *
   * @throws IllegalStateException    if the memtable no longer accepts writes ({@link #closeWal},
   *                                  or recovered read-only)
   * @throws IllegalArgumentException if a key is shorter than its version suffix or the batch
   *                                  exceeds the WAL's 256 MiB record limit; nothing is written
   * @throws IOException              if the WAL append fails; the memtable is unchanged
   */
  public void write(List<KeyValue> batch) throws IOException {
    synchronized (writeLock) {
      if (!writable) {
        throw new IllegalStateException("memtable " + id + " is immutable: it accepts no writes");
      }
      for (KeyValue entry : batch) {
        if (entry.key().length < InternalKey.SUFFIX_LENGTH) {
          throw new IllegalArgumentException("internal key of " + entry.key().length
              + " bytes is shorter than its version suffix: " + entry);
        }
      }
      if (batch.isEmpty()) {
        return;
      }
      if (wal != null) {
        wal.append(batch);
        walSize = wal.size();
      }
      long newMaxVersion = maxVersion;
      for (KeyValue entry : batch) {
        filter.add(userKeyHash(entry.key()));
        skipList.put(entry.key(), entry.value());
        newMaxVersion = maxOf(newMaxVersion, InternalKey.version(entry.key()));
      }
      maxVersion = newMaxVersion;
    }
  }

  /** Forces the WAL to the device. A no-op without an open WAL (closing it forced it). */
  public void sync() throws IOException {
    synchronized (writeLock) {
      if (wal != null) {
        wal.sync();
      }
    }
  }

  /**
   * The newest version of {@code userKey} at or below {@code readTs}, with
   * {@link ValueStruct#version()} filled in; tombstones are returned as they are. Null if there is
   * none.
   */
  public ValueStruct get(byte[] userKey, long readTs) {
    return get(userKey, KeyHash.of(userKey), readTs);
  }

  /**
   * As {@link #get(byte[], long)}, given {@code userKeyHash = KeyHash.of(userKey)}: a lookup
   * hashes the key once for every memtable and table. A memtable whose filter rules the key out
   * is not searched.
   */
  public ValueStruct get(byte[] userKey, long userKeyHash, long readTs) {
    if (!filter.mayContain(userKeyHash) || !retain()) {
      return null;
    }
    try {
      long node = skipList.seekUserKey(userKey, readTs);
      return node != 0 && skipList.hasUserKey(node, userKey) ? skipList.value(node) : null;
    } finally {
      releaseReference();
    }
  }

  /**
   * A cursor over every version of every key, in internal-key order or its reverse. It sees
   * entries written while it runs or not, each one whole. It holds a reference to the memtable's
   * memory until it is closed; after {@link #release} it is empty.
   */
  public KeyValueIterator iterator(boolean reverse) {
    return retain() ? new MemtableIterator(skipList, reverse, this::releaseReference)
        : new MemtableIterator(null, reverse, null);
  }

  /**
   * Drops the store's reference: no new reader will come (the memtable is out of the read
   * order), and once the ones still reading are done the arena's chunks go back to the pool for
   * the next memtable. Afterwards the memtable reads as empty. Idempotent.
   */
  public void release() {
    if (released.compareAndSet(false, true)) {
      releaseReference();
    }
  }

  /** Whether {@link #release} was called and no reader holds the arena any more. */
  public boolean isFreed() {
    return references == 0;
  }

  /** Takes a reference unless the count already reached 0 (the arena was freed). */
  private boolean retain() {
    int current = (int) REFERENCES.getVolatile(this);
    while (current > 0) {
      int witness = (int) REFERENCES.compareAndExchange(this, current, current + 1);
      if (witness == current) {
        return true;
      }
      current = witness;
    }
    return false;
  }

  private void releaseReference() {
    int before = (int) REFERENCES.getAndAdd(this, -1);
    if (before == 1) {
      skipList.free();
    } else if (before <= 0) {
      throw new IllegalStateException("memtable " + id + " released more often than retained");
    }
  }

  /** Whether the arena or the WAL has reached {@link MemtableOptions#memTableSize()}. */
  public boolean isFull() {
    return memoryUsed() >= options.memTableSize() || walSize >= options.memTableSize();
  }

  /** Whether nothing has been written (or replayed) yet; an empty memtable needs no flush. */
  public boolean isEmpty() {
    return skipList.nodeCount() == 0;
  }

  /**
   * Arena bytes claimed by the skiplist (entries, their towers and values, alignment): off-heap
   * memory, in chunks of {@link MemtableOptions#arenaChunkSize()}.
   */
  public long memoryUsed() {
    return skipList.memoryUsed();
  }

  /** Bytes in the WAL file (header and whole records); 0 in memory. */
  public long walSize() {
    return walSize;
  }

  /** The highest version written (unsigned comparison), 0 if none. */
  public long maxVersion() {
    return maxVersion;
  }

  /** The number of distinct internal keys; replacing a key's value does not count. */
  public long entryCount() {
    return skipList.nodeCount();
  }

  /**
   * Makes the memtable immutable: later writes fail. Forces and closes the WAL, so an immutable
   * memtable's WAL is complete on the device. Idempotent; after a failure the WAL is closed all
   * the same.
   */
  public void closeWal() throws IOException {
    synchronized (writeLock) {
      writable = false;
      WalWriter closing = wal;
      if (closing == null) {
        return;
      }
      wal = null;
      try (closing) {
        closing.sync();
      }
    }
  }

  /**
   * Closes (as {@link #closeWal}) and deletes the WAL, once the memtable's contents are durable
   * elsewhere. Idempotent; a no-op in memory.
   */
  public void deleteWal() throws IOException {
    synchronized (writeLock) {
      closeWal();
      if (walPath != null && !walDeleted) {
        fileSystem.delete(walPath);
        walDeleted = true;
      }
    }
  }

  @Override
  public String toString() {
    return "Memtable[id=" + id + ", entries=" + entryCount() + ", memoryUsed=" + memoryUsed()
        + ", walSize=" + walSize + ", wal=" + walPath + "]";
  }

  private static MemtableFilter newFilter(MemtableOptions options) {
    return MemtableFilter.forMemtableSize(options.memTableSize());
  }

  private static long userKeyHash(byte[] internalKey) {
    return KeyHash.of(internalKey, 0, internalKey.length - InternalKey.SUFFIX_LENGTH);
  }

  private static SkipList newSkipList(MemtableOptions options, RandomGenerator random) {
    return new SkipList(new Arena(options.arenaChunkSize(), options.chunkPool()), random);
  }

  private static long maxOf(long a, long b) {
    return Long.compareUnsigned(a, b) >= 0 ? a : b;
  }
}
