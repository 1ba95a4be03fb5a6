package dev.sett.internal.db;

import dev.sett.BannedNamespaceException;
import dev.sett.CacheMetrics;
import dev.sett.DB;
import dev.sett.DbClosedException;
import dev.sett.DbSize;
import dev.sett.IteratorOptions;
import dev.sett.KV;
import dev.sett.LevelInfo;
import dev.sett.MergeOperator;
import dev.sett.Options;
import dev.sett.ReadOnlyException;
import dev.sett.Sequence;
import dev.sett.SettException;
import dev.sett.Stream;
import dev.sett.StreamWriter;
import dev.sett.TableInfo;
import dev.sett.Txn;
import dev.sett.WriteBatch;
import dev.sett.internal.codec.DataKeys;
import dev.sett.internal.codec.KeyHash;
import dev.sett.internal.fs.DirectoryLock;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValueIterator;
import dev.sett.internal.key.Namespaces;
import dev.sett.internal.key.ValueStruct;
import dev.sett.internal.lsm.LevelsController;
import dev.sett.internal.lsm.LevelsView;
import dev.sett.internal.lsm.ValueRelocation;
import dev.sett.internal.manifest.Manifest;
import dev.sett.internal.manifest.ManifestEdit;
import dev.sett.internal.memtable.Memtable;
import dev.sett.internal.sstable.BlockCache;
import dev.sett.internal.sstable.ByteBoundedCache;
import dev.sett.internal.sstable.IndexCache;
import dev.sett.internal.sstable.Table;
import dev.sett.internal.txn.Oracle;
import dev.sett.internal.vlog.ValueLog;
import dev.sett.internal.vlog.ValueLogOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BinaryOperator;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store: wires the memtables, the write pipeline, the flusher, the levels, the value log and
 * its garbage collection, the oracle, streams, stream writers, backups and subscriptions together
 * and implements {@link DB}. The design note is on {@link DB}; docs/architecture.md has
 * the whole picture.
 *
 * <p>Thread-safety: safe for concurrent use. {@link #close} may race with any other call: calls
 * that start after it throw {@link DbClosedException}; readers that already hold a snapshot keep
 * their tables mapped until they close, so a racing reader never touches an unmapped file.
 */
public final class DbImpl implements DB, TxnContext {
  private static final Logger LOG = LoggerFactory.getLogger(DbImpl.class);

  private final Options options;
  private final boolean managed;
  /** Stream writers not closed yet: closing the store discards their unflushed loads. */
  private final Set<StreamWriterImpl> openStreamWriters = ConcurrentHashMap.newKeySet();
  private final StoreFiles files;
  private final DirectoryLock lock;
  private final Manifest manifest;
  private final LevelsController levels;
  private final Memtables memtables;
  private final Oracle oracle;
  private final StickyError stickyError = new StickyError();
  private final WritePipeline pipeline;
  private final Flusher flusher;
  private final TxnLimits limits;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final WriteGate writeGate;
  /** Null for an in-memory store, whose values all stay in the LSM tree. */
  private final ValueLog valueLog;
  private final DirectoryLock valueDirLock;
  private final ValueResolver resolver;
  private final ValueThreshold valueThreshold;
  /** Null when the store cannot collect (read-only, in-memory). */
  private final ValueLogGc valueLogGc;
  /** Moves cooled values into key order; null without a value log or compactors. */
  private final ValueRelocation relocation;
  private final Subscriptions subscriptions;
  private final Namespaces namespaces;
  private final BlockCache blockCache;
  private final IndexCache indexCache;

  private DbImpl(Options options, boolean managed, StoreFiles files, DirectoryLock lock,
      DirectoryLock valueDirLock, Manifest manifest, LevelsController levels, ValueLog valueLog,
      Memtables memtables, Oracle oracle, Namespaces namespaces, BlockCache blockCache,
      IndexCache indexCache) {
    this.options = options;
    this.blockCache = blockCache;
    this.indexCache = indexCache;
    this.namespaces = namespaces;
    this.valueLog = valueLog;
    this.valueDirLock = valueDirLock;
    this.resolver = new ValueResolver(valueLog, this::lookup);
    this.valueThreshold = new ValueThreshold(options.valueThreshold(),
        (int) Math.min(1 << 20, options.maxBatchSize()), options.vlogPercentile());
    this.managed = managed;
    this.files = files;
    this.lock = lock;
    this.manifest = manifest;
    this.levels = levels;
    this.memtables = memtables;
    this.oracle = oracle;
    this.limits = new TxnLimits(options.maxBatchCount(), options.maxBatchSize(),
        options.valueLogFileSize(), options.detectConflicts());
    Path storeDir = files.dir();
    String name = DaemonThreads.prefix(storeDir);
    if (options.readOnly()) {
      this.pipeline = null;
      this.flusher = null;
    } else {
      this.pipeline = new WritePipeline(memtables, files::newMemtable,
          new ValueSeparation(valueLog, valueThreshold), oracle, options.syncWrites(), stickyError,
          DaemonThreads.named(name + "-writer"));
      this.flusher = new Flusher(memtables, levels.tableFiles(), levels::addLevel0Table,
          files.fileSystem(), stickyError, DaemonThreads.named(name + "-flusher"));
    }
    this.subscriptions = new Subscriptions(DaemonThreads.numbered(name + "-subscriber"));
    if (pipeline != null) {
      pipeline.publishTo(subscriptions);
    }
    this.writeGate = new WriteGate(this::checkOpen, pipeline, memtables, stickyError);
    if (pipeline != null && valueLog != null) {
      this.valueLogGc = new ValueLogGc(valueLog, manifest, pipeline, writeGate, this::lookup,
          new ValueLogGc.Surfacer() {
            @Override
            public void flattenForGc() throws IOException {
              writeGate.withWritesBlocked(() -> { });
              levels.flatten(1);
            }

            @Override
            public long lsmBytes() {
              return size().lsmBytes();
            }
          },
          oracle::discardTimestamp, options.numVersionsToKeep(), options.autoValueLogGC(),
          options.valueLogGCDiscardRatio(), options.openTelemetry(),
          DaemonThreads.named(name + "-value-log-gc"));
      if (options.valueLogKeyOrder() && options.numCompactors() > 0) {
        this.relocation = new ValueRelocation(valueLog, valueLogGc::reserveFileId,
            this::flushMemtablesForRelocation, () -> System.nanoTime() / 1_000_000);
        levels.relocateValues(relocation);
        valueLogGc.waitWhile(relocation::moving);
      } else {
        this.relocation = null;
      }
    } else {
      this.valueLogGc = null;
      this.relocation = null;
    }
  }

  /**
   * Seals the mutable memtable and waits for every memtable to be flushed, without holding
   * commits back: for {@link ValueRelocation}, once writes have cooled.
   */
  private void flushMemtablesForRelocation() throws IOException {
    WritePipeline.await(pipeline.submitTask(WritePipeline.Writer::sealMutable));
    try {
      memtables.awaitFlushed();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while waiting for a flush");
    }
    stickyError.throwIfSet();
  }

  /** Opens the store described by {@code options}; see {@link DB#open}. */
  public static DB open(Options options, boolean managed) {
    return open(options, managed, new StoreFiles(options));
  }

  /**
   * Opens the store with every file operation going to {@code fileSystem}: the seam through which
   * tests inject I/O errors, full disks and power loss.
   */
  public static DB open(Options options, boolean managed,
      dev.sett.internal.fs.FileSystem fileSystem) {
    return open(options, managed, new StoreFiles(options, fileSystem));
  }

  private static DB open(Options options, boolean managed, StoreFiles files) {
    // The levels ask for the discard timestamp once compactions run, after the oracle exists.
    java.util.concurrent.atomic.AtomicReference<Oracle> oracleHolder =
        new java.util.concurrent.atomic.AtomicReference<>();
    DirectoryLock lock = null;
    DirectoryLock valueDirLock = null;
    Manifest manifest = null;
    LevelsController levels = null;
    ValueLog valueLog = null;
    try {
      lock = files.prepareDirectory();
      valueDirLock = files.prepareValueDirectory();
      DataKeys keys = files.openKeys(Manifest.FILE_NAME);
      manifest = Manifest.open(files.fileSystem(), files.dir(), options.externalMagic(), options.readOnly());
      Namespaces namespaces = namespaces(options, manifest);
      BlockCache cache = options.blockCacheSize() > 0
          ? new BlockCache(options.blockCacheSize()) : BlockCache.disabled();
      IndexCache indexCache = new IndexCache(options.indexCacheSize());
      levels = LevelsController.open(files.fileSystem(), files.dir(), manifest,
          DerivedOptions.tableOptions(options), cache, indexCache,
          DerivedOptions.levelsOptions(options, oracleHolder, namespaces), options.readOnly(),
          keys);
      ValueLog.Recovery recovery = null;
      if (!options.inMemory()) {
        valueLog = ValueLog.open(files.fileSystem(), files.valueDir(), new ValueLogOptions(
            options.valueLogFileSize(), options.valueLogMaxEntries(),
            options.verifyValueChecksum(), options.readOnly()), manifest.deletedValueLogFiles(),
            keys, manifest.valueLogDiscards().keySet());
        recovery = valueLog.recovery();
      }
      ValueLog.Recovery lostAt = recovery;
      ValueLog log = valueLog;
      List<Memtable> recovered = files.recoverMemtables(
          batch -> lostAt == null || !lostAt.losesValues(batch),
          (wal, offset, evidence) -> new dev.sett.internal.fs.CorruptFileException(
              log.filePath(lostAt.fileId()), lostAt.validEnd(), "damaged value log record: the"
              + " transaction at offset " + offset + " of " + wal + " names a value at or after"
              + " this offset, and it was synced (" + evidence + "), so a crash cannot have lost"
              + " its values"));
      if (valueLog != null) {
        // Whole records after damage in the last file: the replay accepted no synced
        // transaction naming them, so they are a tail torn out of order. Cut it now.
        valueLog.finishRecovery();
      }
      Memtables memtables = new Memtables(options.numMemtables());
      Memtable first = options.readOnly() ? null : files.newMemtable();
      memtables.initialize(first, recovered);
      long maxVersion = levels.maxVersion();
      for (Memtable memtable : recovered) {
        maxVersion = Math.max(maxVersion, memtable.maxVersion());
      }
      Oracle oracle = new Oracle(maxVersion, options.detectConflicts(), managed);
      oracleHolder.set(oracle);
      DbImpl db = new DbImpl(options, managed, files, lock, valueDirLock, manifest, levels,
          valueLog, memtables, oracle, namespaces, cache, indexCache);
      db.start();
      LOG.info("opened {}: {} bytes of tables, {} memtables replayed, max version {}",
          files.dir(), levels.totalSize(), recovered.size(), maxVersion);
      return db;
    } catch (IOException | RuntimeException e) {
      closeQuietly(levels, e);
      closeQuietly(valueLog, e);
      closeQuietly(manifest, e);
      closeQuietly(valueDirLock, e);
      closeQuietly(lock, e);
      if (e instanceof IOException io) {
        throw Errors.convert(io);
      }
      throw (RuntimeException) e;
    }
  }

  /**
   * The namespaces of {@code options} with the bans the MANIFEST records. A store with bans
   * cannot be opened without namespaces: its banned keys, those compaction has not dropped yet,
   * would reappear.
   */
  private static Namespaces namespaces(Options options, Manifest manifest) {
    List<Long> banned = manifest.bannedNamespaces();
    if (options.namespaceOffset() < 0 && !banned.isEmpty()) {
      throw new SettException("the store at " + options.dir() + " has " + banned.size()
          + " banned namespaces: open it with the namespaceOffset it was banned with");
    }
    return new Namespaces(options.namespaceOffset(), banned);
  }

  private static void closeQuietly(AutoCloseable resource, Throwable primary) {
    if (resource == null) {
      return;
    }
    try {
      resource.close();
    } catch (Exception e) {
      primary.addSuppressed(e);
    }
  }

  /** The store's directory (a synthetic one for an in-memory store). */
  private Path storeDir() {
    return files.dir();
  }

  private void start() {
    if (pipeline != null) {
      flusher.start();
      pipeline.start();
      levels.startCompactions();
      if (valueLogGc != null) {
        valueLogGc.start();
      }
    }
  }

  // ---- TxnContext -------------------------------------------------------------------------------

  @Override
  public void checkOpen() {
    if (closed.get()) {
      throw new DbClosedException("the store at " + storeDir() + " is closed");
    }
  }

  @Override
  public void checkWritable() {
    if (options.readOnly()) {
      throw new ReadOnlyException("the store at " + storeDir() + " is open read-only");
    }
  }

  @Override
  public long nowSeconds() {
    return options.clock().millis() / 1000;
  }

  @Override
  public long nowMillis() {
    return options.clock().millis();
  }

  @Override
  public Oracle oracle() {
    return oracle;
  }

  @Override
  public int valueThreshold() {
    return valueLog == null ? Integer.MAX_VALUE : valueThreshold.current();
  }

  @Override
  public ValueResolver resolver() {
    return resolver;
  }

  @Override
  public TxnLimits limits() {
    return limits;
  }

  @Override
  public ValueStruct lookup(byte[] userKey, long readTs) {
    checkOpen();
    if (namespaces.isBannedUserKey(userKey)) {
      return null; // a banned key reads as absent, whatever versions are still stored
    }
    // Memtables before levels: see Memtables for why the order matters. A normal store stops at
    // the first hit (newer sources hold newer versions); a managed one must compare them all.
    ValueStruct newest = null;
    long userKeyHash = KeyHash.of(userKey); // one hash for every memtable and bloom filter
    for (Memtable memtable : memtables.readOrder()) {
      ValueStruct found = memtable.get(userKey, userKeyHash, readTs);
      if (found != null && !managed) {
        return found;
      }
      newest = LevelsView.newer(newest, found);
    }
    try {
      // The levels pinned for this lookup, not retained: no shared counter written.
      return LevelsView.newer(newest, levels.get(userKey, userKeyHash, readTs, !managed));
    } catch (IllegalStateException e) {
      if (levels.isClosed()) {
        throw new DbClosedException("the store at " + storeDir() + " is closed");
      }
      throw e;
    } catch (IOException e) {
      throw Errors.convert(e);
    }
  }

  private LevelsView acquireLevels() {
    try {
      return levels.acquire();
    } catch (IllegalStateException e) {
      throw new DbClosedException("the store at " + storeDir() + " is closed");
    }
  }

  @Override
  public Sources openSources(boolean reverse, IteratorOptions iteratorOptions) {
    checkOpen();
    List<KeyValueIterator> iterators = new ArrayList<>();
    for (Memtable memtable : memtables.readOrder()) {
      iterators.add(memtable.iterator(reverse));
    }
    LevelsView view = acquireLevels();
    byte[] prefix = iteratorOptions.prefix().length == 0 ? null : iteratorOptions.prefix();
    long sinceTs = iteratorOptions.sinceTs();
    iterators.addAll(view.iterators(reverse, table ->
        (sinceTs == 0 || Long.compareUnsigned(table.maxVersion(), sinceTs) > 0)
            && (prefix == null || mayHoldPrefix(table, prefix))));
    return new Sources(iterators, view);
  }

  /** Whether {@code table}'s key range can hold a key that starts with {@code prefix}. */
  private static boolean mayHoldPrefix(Table table, byte[] prefix) {
    byte[] smallest = table.smallestKey();
    byte[] biggest = table.biggestKey();
    return comparePrefix(smallest, prefix) <= 0 && comparePrefix(biggest, prefix) >= 0;
  }

  /** Compares the first {@code prefix.length} bytes of an internal key's user key with {@code prefix}. */
  private static int comparePrefix(byte[] internalKey, byte[] prefix) {
    int userLength = internalKey.length - InternalKey.SUFFIX_LENGTH;
    int length = Math.min(userLength, prefix.length);
    int order = java.util.Arrays.compareUnsigned(internalKey, 0, length, prefix, 0, length);
    if (order != 0 || userLength >= prefix.length) {
      return order;
    }
    return -1; // a user key shorter than the prefix, equal so far, sorts before it
  }

  @Override
  public Namespaces namespaces() {
    return namespaces;
  }

  @Override
  public void checkNotBanned(byte[] key) {
    if (namespaces.isBannedUserKey(key)) {
      throw new BannedNamespaceException(namespaces.namespaceOf(key));
    }
  }

  @Override
  public void reserveCommit() {
    writeGate.enterCommit();
    try {
      pipeline.reserve();
    } catch (RuntimeException e) {
      writeGate.exitCommit();
      throw e;
    }
  }

  @Override
  public void endCommit(boolean submitted) {
    if (!submitted) {
      pipeline.unreserve();
    }
    writeGate.exitCommit();
  }

  @Override
  public void submit(WritePipeline.Request request) {
    pipeline.submit(request);
  }

  @Override
  public void writeQueued() {
    pipeline.writeQueued();
  }

  // ---- DB: transactions -------------------------------------------------------------------------

  @Override
  public Options options() {
    return options;
  }

  @Override
  public Txn newTransaction(boolean update) {
    checkOpen();
    if (managed) {
      throw new IllegalStateException("a managed store takes newTransactionAt(readTs, update)");
    }
    return new TxnImpl(this, update && !options.readOnly());
  }

  @Override
  public void update(Consumer<Txn> body) {
    requireNormalMode("update");
    checkWritable();
    try (Txn txn = newTransaction(true)) {
      body.accept(txn);
      txn.commit();
    }
  }

  /** Read-only; in a managed store it reads the newest version of everything. */
  @Override
  public void view(Consumer<Txn> body) {
    try (Txn txn = readLatest()) {
      body.accept(txn);
    }
  }

  /** A read-only transaction at the latest state (in managed mode: at the largest timestamp). */
  private Txn readLatest() {
    return managed ? newTransactionAt(Long.MAX_VALUE, false) : newTransaction(false);
  }

  private void requireNormalMode(String operation) {
    checkOpen();
    if (managed) {
      throw new IllegalStateException(operation + " needs Sett-assigned timestamps; a managed store "
          + "uses newTransactionAt(readTs, true) and commitAt(commitTs)");
    }
  }

  private void requireManagedMode(String operation) {
    checkOpen();
    if (!managed) {
      throw new IllegalStateException(operation + " is for managed stores (DB.openManaged)");
    }
  }

  /**
   * A one-shot read: what {@code view(txn -> txn.get(key))} returns, without the transaction. The
   * read timestamp is pinned in the oracle without its lock ({@link Oracle#pinRead}), and the
   * value array that the lookup produced (a fresh copy out of the memtable, block or value log
   * record, shared with nobody) is returned as it is instead of copied once more.
   */
  @Override
  public byte[] get(byte[] key) {
    TxnImpl.validateKey(key);
    checkOpen();
    // Pinned reads are for normal mode; managed mode, or more concurrent gets than pin slots,
    // reads through a transaction.
    int pin = managed ? -1 : oracle.pinRead();
    if (pin < 0) {
      try (Txn txn = readLatest()) {
        dev.sett.Item item = txn.get(key);
        return item == null ? null : item.value();
      }
    }
    try {
      ValueStruct value = lookup(key, oracle.pinnedReadTimestamp(pin));
      if (value == null || value.isDeletedOrExpired(nowSeconds())) {
        return null;
      }
      return resolver.resolve(key, value).value();
    } finally {
      oracle.unpin(pin);
    }
  }

  @Override
  public void put(byte[] key, byte[] value) {
    update(txn -> txn.set(key, value));
  }

  @Override
  public void delete(byte[] key) {
    update(txn -> txn.delete(key));
  }

  @Override
  public WriteBatch newWriteBatch() {
    checkOpen();
    checkWritable();
    if (managed) {
      throw new IllegalStateException("a managed store takes newWriteBatchAt(commitTs)");
    }
    return new WriteBatchImpl(() -> newTransaction(true),
        txn -> ((TxnImpl) txn).commitAsync(0, true));
  }

  // ---- DB: managed mode -------------------------------------------------------------------------

  @Override
  public Txn newTransactionAt(long readTs, boolean update) {
    requireManagedMode("newTransactionAt");
    if (readTs < 0) {
      throw new IllegalArgumentException("readTs must not be negative, was " + readTs);
    }
    return new TxnImpl(this, update && !options.readOnly(), readTs);
  }

  /** Managed mode: a batch whose transactions all commit at {@code commitTs}. */
  @Override
  public WriteBatch newWriteBatchAt(long commitTs) {
    requireManagedMode("newWriteBatchAt");
    checkWritable();
    if (commitTs <= 0) {
      throw new IllegalArgumentException("commitTs must be positive, was " + commitTs);
    }
    return new WriteBatchImpl(() -> new TxnImpl(this, true, commitTs),
        txn -> ((TxnImpl) txn).commitAsync(commitTs, true));
  }

  @Override
  public void setDiscardTs(long ts) {
    requireManagedMode("setDiscardTs");
    oracle.setDiscardTimestamp(ts);
  }

  // ---- DB: maintenance --------------------------------------------------------------------------

  @Override
  public boolean runValueLogGC(double discardRatio) {
    checkOpen();
    if (!(discardRatio > 0 && discardRatio < 1)) {
      throw new IllegalArgumentException("discardRatio must be in (0, 1), was " + discardRatio);
    }
    checkWritable();
    if (valueLogGc == null) {
      return false; // an in-memory store keeps every value in the LSM tree
    }
    try {
      return valueLogGc.run(discardRatio);
    } catch (IOException e) {
      throw Errors.convert(e);
    }
  }

  /**
   * Flushes the memtables (as RocksDB's CompactRange does, so that everything written so far is
   * included), then compacts until the data sits on one level. Commits wait only during the flush.
   */
  @Override
  public void flatten(int workers) {
    checkOpen();
    checkWritable();
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1, was " + workers);
    }
    writeGate.withWritesBlocked(() -> { });
    try {
      levels.flatten(workers);
    } catch (IOException e) {
      throw Errors.convert(e);
    }
  }

  /**
   * Deletes every key: with commits held back, the memtables are flushed and then every table is
   * dropped in one MANIFEST edit. Readers keep their snapshots (the files go when they close).
   * Timestamps are not reset.
   */
  @Override
  public void dropAll() {
    checkOpen();
    checkWritable();
    writeGate.withWritesBlocked(() -> {
      levels.dropAll();
      if (valueLogGc != null) {
        valueLogGc.dropAll(valueThreshold);
      }
    });
  }

  /**
   * Deletes every key that starts with one of {@code prefixes}: with commits held back, the
   * memtables are flushed, then drop-prefix compactions rewrite the tables that may hold such keys.
   */
  @Override
  public void dropPrefix(byte[]... prefixes) {
    checkOpen();
    checkWritable();
    List<byte[]> list = new ArrayList<>();
    for (byte[] prefix : prefixes) {
      if (prefix == null || prefix.length == 0) {
        throw new IllegalArgumentException("a prefix to drop must not be null or empty");
      }
      list.add(prefix.clone());
    }
    if (list.isEmpty()) {
      return;
    }
    writeGate.withWritesBlocked(() -> levels.dropPrefixes(list));
  }


  /**
   * Records the ban in the MANIFEST (synced), then adds it to the set that every read and write
   * consults. Writes are not held back: one that passed its check before the ban may still be
   * stored, but no read returns it and compaction drops it.
   */
  @Override
  public void banNamespace(long ns) {
    checkOpen();
    if (!namespaces.enabled()) {
      throw new IllegalStateException(
          "banNamespace needs namespaces: set Options.Builder.namespaceOffset");
    }
    checkWritable();
    synchronized (namespaces) {
      if (namespaces.isBanned(ns)) {
        return;
      }
      try {
        manifest.apply(new ManifestEdit().banNamespace(ns));
      } catch (IOException e) {
        throw Errors.convert(e);
      }
      namespaces.ban(ns);
    }
    LOG.info("{}: banned namespace {}", storeDir(), Long.toUnsignedString(ns));
  }

  @Override
  public void sync() {
    checkOpen();
    if (pipeline == null) {
      return; // read-only: nothing was written
    }
    try {
      // On the writer thread, which owns the files: the value log first, then the WAL.
      WritePipeline.await(pipeline.submitTask(WritePipeline.Writer::sync));
    } catch (IOException e) {
      throw Errors.convert(e);
    }
  }

  @Override
  public void verifyChecksum() {
    checkOpen();
    try {
      levels.verifyChecksums();
      if (valueLog != null) {
        valueLog.verifyChecksums();
      }
    } catch (IOException e) {
      throw Errors.convert(e);
    }
  }

  @Override
  public DbSize size() {
    checkOpen();
    long walBytes = 0;
    for (Memtable memtable : memtables.readOrder()) {
      walBytes += memtable.walSize();
    }
    return new DbSize(levels.totalSize() + walBytes,
        valueLog == null ? 0 : valueLog.totalBytes());
  }

  @Override
  public List<LevelInfo> levels() {
    checkOpen();
    return Introspection.levels(levels);
  }

  @Override
  public List<TableInfo> tables() {
    checkOpen();
    return Introspection.tables(levels);
  }

  @Override
  public long maxVersion() {
    checkOpen();
    long max = levels.maxVersion();
    for (Memtable memtable : memtables.readOrder()) {
      max = Math.max(max, memtable.maxVersion());
    }
    return max;
  }

  /** Time commits waited for a memtable to be flushed (the memtable stall), in nanoseconds. */
  public long memtableStallNanos() {
    return pipeline == null ? 0 : pipeline.stallNanos();
  }

  /** Bytes of live values that value log GC has rewritten since open. */
  public long valueLogGcBytesRewritten() {
    return valueLogGc == null ? 0 : valueLogGc.bytesRewritten();
  }

  /** Bytes of values moved into key order since open. */
  public long valueBytesMovedIntoKeyOrder() {
    return relocation == null ? 0 : relocation.bytesMoved();
  }

  /** Whether value log GC is running or values are moving into key order (a spell is on). */
  public boolean valueLogBusy() {
    return (valueLogGc != null && valueLogGc.running())
        || (relocation != null && relocation.moving());
  }

  /** Time flushes waited for L0 to drain (the L0 stall), in nanoseconds. */
  public long level0StallNanos() {
    return levels.stallNanos();
  }

  @Override
  public CacheMetrics blockCacheMetrics() {
    checkOpen();
    return metricsOf(blockCache);
  }

  @Override
  public CacheMetrics indexCacheMetrics() {
    checkOpen();
    return metricsOf(indexCache);
  }

  private static CacheMetrics metricsOf(ByteBoundedCache<?> cache) {
    return new CacheMetrics(cache.hitCount(), cache.missCount(), cache.evictionCount(),
        cache.sizeBytes(), cache.capacityBytes());
  }

  @Override
  public boolean isClosed() {
    return closed.get();
  }

  @Override
  public Sequence getSequence(byte[] key, long bandwidth) {
    checkOpen();
    if (managed) {
      throw new IllegalStateException("sequences need Sett-assigned timestamps (DB.open)");
    }
    return new SequenceImpl(this, key, bandwidth);
  }

  @Override
  public MergeOperator getMergeOperator(byte[] key, BinaryOperator<byte[]> fn, Duration every) {
    requireNormalMode("getMergeOperator");
    checkWritable();
    return new MergeOperatorImpl(this, key, fn, every,
        DaemonThreads.named(DaemonThreads.prefix(storeDir()) + "-merge-operator"));
  }

  /**
   * Writes a backup of a snapshot taken now (in a managed store: of every version) in Badger's
   * format; see {@link BackupStream}. Commits go on meanwhile and are not in it.
   */
  @Override
  public long backup(OutputStream out, long since) {
    checkOpen();
    java.util.Objects.requireNonNull(out, "out");
    if (since < 0) {
      throw new IllegalArgumentException("since must not be negative, was " + since);
    }
    try (Txn snapshot = readLatest()) {
      return BackupStream.write(snapshot, out, since, dev.sett.internal.backup.BackupWriter.DEFAULT_FRAME_BYTES)
          .maxVersion();
    } catch (IOException e) {
      throw Errors.convert(e);
    }
  }

  /**
   * Loads a backup written by Sett or Badger, each record at its own version; see
   * {@link BackupLoad}. A damaged stream fails with {@code CorruptionException} naming the byte
   * offset of the damaged frame, after everything before it was loaded and forced to disk.
   */
  @Override
  public void load(InputStream in, int maxPendingWrites) {
    checkOpen();
    checkWritable();
    java.util.Objects.requireNonNull(in, "in");
    BackupLoad.Sink sink = new BackupLoad.Sink() {
      @Override
      public <T> T gated(java.util.function.Supplier<T> queue) {
        writeGate.enterCommit(); // before the oracle's lock, as for commits
        try {
          checkOpen();
          return queue.get();
        } finally {
          writeGate.exitCommit();
        }
      }

      @Override
      public java.util.concurrent.CompletableFuture<Void> submit(
          List<dev.sett.internal.key.KeyValue> entries) {
        return pipeline.submitTask(writer -> writer.write(entries));
      }

      @Override
      public void sync() throws IOException {
        WritePipeline.await(pipeline.submitTask(WritePipeline.Writer::sync));
      }

      @Override
      public void checkNotBanned(byte[] key) {
        DbImpl.this.checkNotBanned(key);
      }
    };
    try {
      new BackupLoad(sink, oracle, limits, valueThreshold(), maxPendingWrites).load(in);
    } catch (IOException e) {
      throw Errors.convert(e);
    }
  }

  @Override
  public Stream newStream() {
    requireNormalMode("newStream");
    return newStream(newTransaction(false));
  }

  @Override
  public Stream newStreamAt(long readTs) {
    requireManagedMode("newStreamAt");
    return newStream(newTransactionAt(readTs, false));
  }

  private Stream newStream(Txn snapshot) {
    return new StreamImpl(snapshot, this::tables, options.numVersionsToKeep() == 1,
        DaemonThreads.numbered(DaemonThreads.prefix(storeDir()) + "-stream-worker"));
  }

  /**
   * A bulk loader into an empty store; see {@link StreamWriterImpl}. Tables are cut at the last
   * level's target size, {@code baseTableSize × tableSizeMultiplier^(maxLevels − 2)} as in Badger,
   * at most 256 MiB.
   */
  @Override
  public StreamWriter newStreamWriter() {
    checkOpen();
    checkWritable();
    double target = options.baseTableSize()
        * Math.pow(options.tableSizeMultiplier(), Math.max(0, options.maxLevels() - 2));
    long tableSize = (long) Math.min(target, 256L << 20);
    StreamWriterImpl writer = new StreamWriterImpl(writeGate, pipeline, levels, oracle, managed,
        this::valueThreshold, tableSize, this::checkNotBanned, openStreamWriters::remove);
    openStreamWriters.add(writer);
    return writer;
  }

  /**
   * Delivers every commit applied from now on that touches a key under one of {@code prefixes}
   * (an empty prefix matches every key), in commit order, exactly once, on a thread of the
   * subscription's own; deletes arrive with {@code deleted == true}. Several commits may come in
   * one call. A subscription buffers up to {@value Subscriptions#BUFFERED_COMMITS} commits; beyond
   * that, commits wait for its callback (back-pressure), so the callback must not wait for a commit
   * of this store. A callback that throws ends its own subscription (logged). After {@code
   * close()} returns the callback is not called again; closing the store delivers what is
   * buffered, then ends every subscription. A {@link StreamWriter}'s bulk load is not a commit
   * and is not delivered.
   */
  @Override
  public AutoCloseable subscribe(List<byte[]> prefixes, Consumer<List<KV>> onUpdate) {
    checkOpen();
    return subscriptions.subscribe(prefixes, onUpdate);
  }

  // ---- close ------------------------------------------------------------------------------------

  /**
   * Applies every queued commit, flushes every memtable to L0, releases the tables, the MANIFEST
   * and the directory lock. Idempotent; the first failure is thrown after everything was tried.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    Throwable failure = null;
    // A bulk load that was never flushed is discarded, its unnamed tables released and deleted.
    for (StreamWriterImpl writer : List.copyOf(openStreamWriters)) {
      try {
        writer.close();
      } catch (RuntimeException e) {
        failure = e;
      }
    }
    // A drop in progress finishes first; commits that wait behind it are then rejected as closed.
    if (valueLogGc != null) {
      valueLogGc.close(); // before the write gate: a run in progress passes it to finish
    }
    writeGate.closeLock().lock();
    try {
      if (pipeline != null) {
        levels.beginClose(); // flushes must not wait for an L0 that compaction cannot drain
        pipeline.stop();
        subscriptions.closeAll(); // after the writer: every applied commit is delivered
        oracle.close(); // readers waiting for a commit that close rejected stop waiting
        Memtable mutable = memtables.mutable();
        if (mutable != null) {
          mutable.closeWal();
          if (stickyError.get() == null) {
            // Sealed even when empty: the flusher then deletes its WAL like any other.
            memtables.sealMutable();
          }
          // After a write failure the memtable may hold a commit that was reported failed: it is
          // not flushed, and its WAL decides at the next open what survives.
        }
        if (valueLog != null) {
          // The tables about to be flushed point into the value log: it reaches the disk first.
          // The writer has stopped, so this thread may use the value log's writer.
          valueLog.sync();
        }
        flusher.stop(); // flushes everything sealed first
      }
    } catch (IOException | RuntimeException e) {
      failure = e;
    } finally {
      memtables.abandon();
      if (failure != null && flusher != null) {
        // Never left running: after a failed close (a dead disk that comes back) it would write
        // tables nobody owns, under ids the next open hands out again.
        flusher.abort();
      }
    }
    subscriptions.closeAll(); // a read-only store's, or after a failure
    try {
      failure = closeAll(failure, levels, valueLog, manifest, valueDirLock, lock);
    } finally {
      writeGate.closeLock().unlock();
    }
    if (failure == null && stickyError.get() != null) {
      LOG.warn("closed {} after an earlier background failure; unflushed data stays in its WAL",
          storeDir(), stickyError.get());
    }
    if (failure != null) {
      throw Errors.convert(failure);
    }
    LOG.info("closed {}", storeDir());
  }

  private static Throwable closeAll(Throwable failure, AutoCloseable... resources) {
    for (AutoCloseable resource : resources) {
      if (resource == null) {
        continue;
      }
      try {
        resource.close();
      } catch (Exception e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    return failure;
  }

  @Override
  public String toString() {
    return "DB[" + storeDir() + (closed.get() ? ", closed" : "") + "]";
  }
}
