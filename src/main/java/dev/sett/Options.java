package dev.sett;

import io.opentelemetry.api.OpenTelemetry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.LongFunction;
import java.util.stream.Collectors;

/**
 * How a {@link DB} is opened: an immutable set of options, made by a validating {@link Builder}.
 *
 * <pre>{@code
 * Options options = Options.builder(Path.of("/var/lib/app/sett"))
 *     .syncWrites(true)
 *     .compression(Compression.ZSTD)
 *     .build();
 * try (DB db = DB.open(options)) { ... }
 * }</pre>
 *
 * <p>Each builder method rejects a bad value at once with an {@link IllegalArgumentException}
 * that names the option and the value; {@link Builder#build()} then checks the rules that involve
 * several options. Each option's accessor has the same name as its builder method and documents
 * the default.
 *
 * <p>The defaults are Badger v4's, except:
 *
 * <table>
 *   <caption>Defaults that differ from Badger's</caption>
 *   <tr><th>option</th><th>Sett</th><th>Badger</th><th>why</th></tr>
 *   <tr><td>{@link #compression()}</td><td>LZ4</td><td>Snappy</td>
 *       <td>Sett offers NONE, LZ4 and ZSTD</td></tr>
 *   <tr><td>{@link #valueThreshold()}</td><td>1 KiB</td><td>1 MiB</td>
 *       <td>ordinary values get key-value separation</td></tr>
 *   <tr><td>{@link #checksumVerification()}</td><td>ON_BLOCK_READ</td><td>NONE</td>
 *       <td>corrupt blocks are reported, never returned</td></tr>
 *   <tr><td>{@link #verifyValueChecksum()}</td><td>true</td><td>false</td>
 *       <td>corrupt values are reported, never returned</td></tr>
 *   <tr><td>{@link #numCompactors()}</td><td>4; 1 allowed</td><td>4; 1 rejected</td>
 *       <td>every Sett compactor can run every kind of compaction</td></tr>
 * </table>
 *
 * <p>Two derived values bound a transaction: {@link #maxBatchSize()} and {@link #maxBatchCount()}.
 *
 * <p>Thread-safety: {@code Options} is immutable and may be shared; a {@link Builder} is not
 * thread-safe.
 */
public final class Options {
  private static final long KIB = 1L << 10;
  private static final long MIB = 1L << 20;
  private static final long GIB = 1L << 30;

  /** Bytes of a memtable skiplist node of maximal height (Badger's MaxNodeSize). */
  private static final int MAX_NODE_SIZE = 96;

  /** The longest key a transaction accepts, in bytes. */
  private static final int MAX_KEY_SIZE = 65_000;

  /** Badger's default data key lifetime. */
  private static final Duration DEFAULT_KEY_ROTATION = Duration.ofDays(10);

  // Each option lives in the record of its component; Options delegates to them, and equals,
  // hashCode and toString come from the records.
  private final Store store;
  private final Memtables memtables;
  private final Levels levels;
  private final Tables tables;
  private final ValueLog valueLog;
  private final Transactions transactions;
  private final Encryption encryption;

  private Options(Store store, Memtables memtables, Levels levels, Tables tables,
      ValueLog valueLog, Transactions transactions, Encryption encryption) {
    this.store = store;
    this.memtables = memtables;
    this.levels = levels;
    this.tables = tables;
    this.valueLog = valueLog;
    this.transactions = transactions;
    this.encryption = encryption;
  }

  /**
   * Starts options for the store in {@code dir}, with every other option at its default.
   *
   * @param dir the directory of the LSM tree (tables, MANIFEST, key registry, write-ahead logs),
   *     created on open if missing; null only for an in-memory store ({@link Builder#inMemory})
   * @return a builder holding the defaults
   */
  public static Builder builder(Path dir) {
    return new Builder(dir);
  }

  /**
   * Starts a builder holding these options, to derive others from them.
   *
   * @return a builder whose {@link Builder#build()} returns options equal to these
   */
  public Builder toBuilder() {
    return new Builder(this);
  }

  // Accessors, in the order of the builder methods. Each option is described on its builder method.

  /**
   * The directory of the LSM tree: tables, MANIFEST, key registry and write-ahead logs.
   *
   * @return the directory given to {@link #builder(Path)}; null for an in-memory store
   */
  public Path dir() {
    return store.dir();
  }

  /**
   * The directory of the value log. Default: {@link #dir()}.
   *
   * @return the value directory; null for an in-memory store
   * @see Builder#valueDir(Path)
   */
  public Path valueDir() {
    return store.valueDir();
  }

  /**
   * {@return whether a commit returns only once it is on stable storage} Default false; see {@link
   * Builder#syncWrites}.
   */
  public boolean syncWrites() {
    return memtables.syncWrites();
  }

  /**
   * {@return how many versions of a key compaction keeps at or below the discard timestamp} Default
   * 1; see {@link Builder#numVersionsToKeep}.
   */
  public int numVersionsToKeep() {
    return levels.numVersionsToKeep();
  }

  /**
   * {@return whether the store is opened for reading only} Default false; see {@link
   * Builder#readOnly}.
   */
  public boolean readOnly() {
    return store.readOnly();
  }

  /**
   * {@return whether the store lives in memory only} Default false; see {@link Builder#inMemory}.
   */
  public boolean inMemory() {
    return store.inMemory();
  }

  /**
   * {@return the capacity of a memtable in bytes} Default 64 MiB; see {@link Builder#memTableSize}.
   */
  public long memTableSize() {
    return memtables.memTableSize();
  }

  /**
   * {@return how many full memtables may wait for their flush} Default 5; see {@link
   * Builder#numMemtables}.
   */
  public int numMemtables() {
    return memtables.numMemtables();
  }

  /**
   * {@return the target size in bytes of the tables of the base level} Default 2 MiB; see {@link
   * Builder#baseTableSize}.
   */
  public long baseTableSize() {
    return levels.baseTableSize();
  }

  /**
   * {@return the size target in bytes of the base level} Default 10 MiB; see {@link
   * Builder#baseLevelSize}.
   */
  public long baseLevelSize() {
    return levels.baseLevelSize();
  }

  /**
   * {@return the ratio between the size targets of consecutive levels} Default 10; see {@link
   * Builder#levelSizeMultiplier}.
   */
  public int levelSizeMultiplier() {
    return levels.levelSizeMultiplier();
  }

  /**
   * {@return the ratio between the target table sizes of consecutive levels below the base level}
   * Default 2; see {@link Builder#tableSizeMultiplier}.
   */
  public int tableSizeMultiplier() {
    return levels.tableSizeMultiplier();
  }

  /** {@return the number of levels, level 0 included} Default 7; see {@link Builder#maxLevels}. */
  public int maxLevels() {
    return levels.maxLevels();
  }

  /**
   * {@return the size in bytes from which a value is stored in the value log} Default 1 KiB (1024);
   * see {@link Builder#valueThreshold}.
   */
  public int valueThreshold() {
    return valueLog.valueThreshold();
  }

  /**
   * {@return the percentile of written value sizes that the value threshold follows; 0 keeps it
   * fixed} Default 0; see {@link Builder#vlogPercentile}.
   */
  public double vlogPercentile() {
    return valueLog.vlogPercentile();
  }

  /**
   * {@return the size in bytes at which a value log file is closed, and the largest value} Default
   * 2<sup>30</sup> − 1 (1 GiB − 1); see {@link Builder#valueLogFileSize}.
   */
  public long valueLogFileSize() {
    return valueLog.valueLogFileSize();
  }

  /**
   * {@return the number of entries at which a value log file is closed} Default 1,000,000; see
   * {@link Builder#valueLogMaxEntries}.
   */
  public int valueLogMaxEntries() {
    return valueLog.valueLogMaxEntries();
  }

  /**
   * {@return whether value log garbage collection runs by itself in the background} Default true;
   * see {@link Builder#autoValueLogGC}.
   */
  public boolean autoValueLogGC() {
    return valueLog.autoValueLogGC();
  }

  /**
   * {@return the share of garbage at which background value log GC collects a file} Default 0.5;
   * see {@link Builder#valueLogGCDiscardRatio}.
   */
  public double valueLogGCDiscardRatio() {
    return valueLog.valueLogGCDiscardRatio();
  }

  /**
   * {@return the target uncompressed size in bytes of an SSTable block} Default 4096; see {@link
   * Builder#blockSize}.
   */
  public int blockSize() {
    return tables.blockSize();
  }

  /**
   * {@return the false-positive rate of the bloom filters; 0 turns them off} Default 0.01; see
   * {@link Builder#bloomFalsePositive}.
   */
  public double bloomFalsePositive() {
    return tables.bloomFalsePositive();
  }

  /**
   * {@return the size in bytes of the block cache; 0 turns it off} Default 256 MiB; see {@link
   * Builder#blockCacheSize}.
   */
  public long blockCacheSize() {
    return tables.blockCacheSize();
  }

  /**
   * {@return the size in bytes of the index cache; 0 turns it off} Default 0; see {@link
   * Builder#indexCacheSize}.
   */
  public long indexCacheSize() {
    return tables.indexCacheSize();
  }

  /**
   * {@return the block compression of new tables} Default {@link Compression#LZ4}; see {@link
   * Builder#compression}.
   */
  public Compression compression() {
    return tables.compression();
  }

  /**
   * {@return the Zstandard level used with {@link Compression#ZSTD}} Default 1; see {@link
   * Builder#zstdLevel}.
   */
  public int zstdLevel() {
    return tables.zstdLevel();
  }

  /**
   * {@return the number of level-0 tables at which level 0 is due for compaction} Default 5; see
   * {@link Builder#numLevelZeroTables}.
   */
  public int numLevelZeroTables() {
    return levels.numLevelZeroTables();
  }

  /**
   * {@return the number of level-0 tables at which flushes wait for compaction} Default 15; see
   * {@link Builder#numLevelZeroTablesStall}.
   */
  public int numLevelZeroTablesStall() {
    return levels.numLevelZeroTablesStall();
  }

  /**
   * {@return the number of compaction threads; 0 turns compaction off} Default 4; see {@link
   * Builder#numCompactors}.
   */
  public int numCompactors() {
    return levels.numCompactors();
  }

  /**
   * {@return whether closing the store compacts level 0 once more} Default false; see {@link
   * Builder#compactL0OnClose}.
   */
  public boolean compactL0OnClose() {
    return levels.compactL0OnClose();
  }

  /**
   * {@return whether the last level is compacted into itself to drop stale data} Default false; see
   * {@link Builder#lmaxCompaction}.
   */
  public boolean lmaxCompaction() {
    return levels.lmaxCompaction();
  }

  /**
   * {@return whether commits detect conflicts (serializable snapshot isolation)} Default true; see
   * {@link Builder#detectConflicts}.
   */
  public boolean detectConflicts() {
    return transactions.detectConflicts();
  }

  /**
   * {@return whether compaction moves the values of cooled data into key order} Default true;
   * see {@link Builder#valueLogKeyOrder}.
   */
  public boolean valueLogKeyOrder() {
    return valueLog.valueLogKeyOrder();
  }

  /**
   * {@return whether values read from the value log are checked against their checksum} Default
   * true; see {@link Builder#verifyValueChecksum}.
   */
  public boolean verifyValueChecksum() {
    return valueLog.verifyValueChecksum();
  }

  /**
   * {@return when SSTable block checksums are verified} Default {@link
   * ChecksumVerification#ON_BLOCK_READ}; see {@link Builder#checksumVerification}.
   */
  public ChecksumVerification checksumVerification() {
    return tables.checksumVerification();
  }

  /**
   * The master encryption key. Default none (an empty array).
   *
   * @return a copy of the key: 16, 24 or 32 bytes, or empty when the store is not encrypted
   * @see Builder#encryptionKey(byte[])
   */
  public byte[] encryptionKey() {
    return encryption.encryptionKey().clone();
  }

  /**
   * {@return how long a data key encrypts new data before the next one replaces it} Default 10
   * days; see {@link Builder#encryptionKeyRotation}.
   */
  public Duration encryptionKeyRotation() {
    return encryption.encryptionKeyRotation();
  }

  /**
   * {@return the offset in a key of its 8-byte namespace, or -1 for none} Default -1; see {@link
   * Builder#namespaceOffset}.
   */
  public int namespaceOffset() {
    return transactions.namespaceOffset();
  }

  /**
   * {@return the application-defined 16-bit number kept in the MANIFEST} Default 0; see {@link
   * Builder#externalMagic}.
   */
  public int externalMagic() {
    return store.externalMagic();
  }

  /**
   * {@return where Sett's spans and metrics go} Default {@link OpenTelemetry#noop()}; see {@link
   * Builder#openTelemetry}.
   */
  public OpenTelemetry openTelemetry() {
    return store.openTelemetry();
  }

  /**
   * {@return the time source of TTLs and expiry} Default {@link Clock#systemUTC()}; see {@link
   * Builder#clock}.
   */
  public Clock clock() {
    return transactions.clock();
  }

  /**
   * The most bytes one transaction or write batch may hold: 15% of {@link #memTableSize()}, as in
   * Badger (10,066,329 with the default memtable size). A write past it fails with
   * {@link TxnTooBigException}.
   *
   * @return {@code 15 * memTableSize / 100}
   */
  public long maxBatchSize() {
    return maxBatchSize(memtables.memTableSize());
  }

  /**
   * The most entries one transaction or write batch may hold: enough that a full batch always
   * fits in a memtable (104,857 with the default memtable size). A write past it fails with
   * {@link TxnTooBigException}.
   *
   * @return {@code maxBatchSize() / 96}, 96 bytes being a memtable node of maximal height
   */
  public long maxBatchCount() {
    return maxBatchSize() / MAX_NODE_SIZE;
  }

  private static long maxBatchSize(long memTableSize) {
    return 15 * memTableSize / 100;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Options that && components().equals(that.components());
  }

  @Override
  public int hashCode() {
    return components().hashCode();
  }

  /** Every option and its value, by component; the encryption key appears only as its length. */
  @Override
  public String toString() {
    return components().stream().map(Record::toString)
        .collect(Collectors.joining(", ", "Options[", "]"));
  }

  private List<Record> components() {
    return List.of(store, memtables, levels, tables, valueLog, transactions, encryption);
  }

  // The options of each component, in the order of the builder methods. Each record checks the
  // rules among its own options; build() checks those across components.

  /** Where the store lives and what it is: directories, mode, and where telemetry goes. */
  private record Store(Path dir, Path valueDir, boolean readOnly, boolean inMemory,
      int externalMagic, OpenTelemetry openTelemetry) {
    Store {
      if (inMemory) {
        Builder.check(dir == null, "dir",
            "be null for an in-memory store (use Options.builder(null))", dir);
        Builder.check(valueDir == null, "valueDir", "not be set for an in-memory store", valueDir);
        Builder.check(!readOnly, "readOnly", "be false for an in-memory store", readOnly);
      } else {
        Builder.check(dir != null, "dir", "be set unless inMemory is true", dir);
      }
      valueDir = valueDir != null ? valueDir : dir;
    }
  }

  /** The memtables and their write-ahead logs. */
  private record Memtables(boolean syncWrites, long memTableSize, int numMemtables) {}

  /** The shape of the LSM tree and its compaction. */
  private record Levels(int numVersionsToKeep, long baseTableSize, long baseLevelSize,
      int levelSizeMultiplier, int tableSizeMultiplier, int maxLevels, int numLevelZeroTables,
      int numLevelZeroTablesStall, int numCompactors, boolean compactL0OnClose,
      boolean lmaxCompaction) {
    Levels {
      Builder.check(numLevelZeroTablesStall > numLevelZeroTables, "numLevelZeroTablesStall",
          "be greater than numLevelZeroTables (" + numLevelZeroTables + ")",
          numLevelZeroTablesStall);
      Builder.check(!lmaxCompaction || numCompactors > 0, "lmaxCompaction",
          "be false when numCompactors is 0", lmaxCompaction);
    }
  }

  /** How tables are written and read: blocks, filters, caches, compression, checksums. */
  private record Tables(int blockSize, double bloomFalsePositive, long blockCacheSize,
      long indexCacheSize, Compression compression, int zstdLevel,
      ChecksumVerification checksumVerification) {}

  /** Key-value separation and value log garbage collection. */
  private record ValueLog(int valueThreshold, double vlogPercentile, long valueLogFileSize,
      int valueLogMaxEntries, boolean autoValueLogGC, double valueLogGCDiscardRatio,
      boolean verifyValueChecksum, boolean valueLogKeyOrder) {}

  /** What a transaction may see and do: conflicts, namespaces, the clock of TTLs. */
  private record Transactions(boolean detectConflicts, int namespaceOffset, Clock clock) {}

  /**
   * Encryption at rest. The key is compared by content and shown only as its length; the record
   * holds the builder's copy, which nothing mutates ({@link Options#encryptionKey()} copies it).
   */
  private record Encryption(byte[] encryptionKey, Duration encryptionKeyRotation) {
    @Override
    public boolean equals(Object other) {
      return other instanceof Encryption that
          && Arrays.equals(encryptionKey, that.encryptionKey)
          && encryptionKeyRotation.equals(that.encryptionKeyRotation);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(encryptionKey) + encryptionKeyRotation.hashCode();
    }

    @Override
    public String toString() {
      return "Encryption[encryptionKey="
          + (encryptionKey.length == 0 ? "none" : encryptionKey.length + " bytes")
          + ", encryptionKeyRotation=" + encryptionKeyRotation + "]";
    }
  }

  /** Bytes as a reader writes them: {@code 64 KiB}, {@code 1 GiB}, or {@code 100 bytes}. */
  private static String bytes(long count) {
    if (count >= GIB && count % GIB == 0) {
      return count / GIB + " GiB";
    }
    if (count >= MIB && count % MIB == 0) {
      return count / MIB + " MiB";
    }
    if (count >= KIB && count % KIB == 0) {
      return count / KIB + " KiB";
    }
    return count + " bytes";
  }

  /**
   * Collects options for {@link Options}. Each method validates its argument at once and throws
   * {@link IllegalArgumentException} naming the option and the bad value ({@link
   * NullPointerException} for a null where a value is required); {@link #build()} checks the rules
   * that involve several options. A builder may build any number of times.
   *
   * <p>Thread-safety: not thread-safe; confine a builder to one thread.
   */
  public static final class Builder {
    private final Path dir;
    private Path valueDir;
    private boolean syncWrites = false;
    private int numVersionsToKeep = 1;
    private boolean readOnly = false;
    private boolean inMemory = false;
    private long memTableSize = 64 * MIB;
    private int numMemtables = 5;
    private long baseTableSize = 2 * MIB;
    private long baseLevelSize = 10 * MIB;
    private int levelSizeMultiplier = 10;
    private int tableSizeMultiplier = 2;
    private int maxLevels = 7;
    private int valueThreshold = (int) KIB;
    private double vlogPercentile = 0.0;
    private long valueLogFileSize = GIB - 1;
    private int valueLogMaxEntries = 1_000_000;
    private boolean autoValueLogGC = true;
    private double valueLogGCDiscardRatio = 0.5;
    private int blockSize = 4096;
    private double bloomFalsePositive = 0.01;
    private long blockCacheSize = 256 * MIB;
    private long indexCacheSize = 0;
    private Compression compression = Compression.LZ4;
    private int zstdLevel = 1;
    private int numLevelZeroTables = 5;
    private int numLevelZeroTablesStall = 15;
    private int numCompactors = 4;
    private boolean compactL0OnClose = false;
    private boolean lmaxCompaction = false;
    private boolean detectConflicts = true;
    private boolean verifyValueChecksum = true;
    private boolean valueLogKeyOrder = true;
    private ChecksumVerification checksumVerification = ChecksumVerification.ON_BLOCK_READ;
    private byte[] encryptionKey = new byte[0];
    private Duration encryptionKeyRotation = DEFAULT_KEY_ROTATION;
    private int namespaceOffset = -1;
    private int externalMagic = 0;
    private OpenTelemetry openTelemetry = OpenTelemetry.noop();
    private Clock clock = Clock.systemUTC();

    private Builder(Path dir) {
      this.dir = dir;
    }

    private Builder(Options options) {
      dir = options.store.dir();
      valueDir = options.store.valueDir();
      readOnly = options.store.readOnly();
      inMemory = options.store.inMemory();
      externalMagic = options.store.externalMagic();
      openTelemetry = options.store.openTelemetry();
      syncWrites = options.memtables.syncWrites();
      memTableSize = options.memtables.memTableSize();
      numMemtables = options.memtables.numMemtables();
      numVersionsToKeep = options.levels.numVersionsToKeep();
      baseTableSize = options.levels.baseTableSize();
      baseLevelSize = options.levels.baseLevelSize();
      levelSizeMultiplier = options.levels.levelSizeMultiplier();
      tableSizeMultiplier = options.levels.tableSizeMultiplier();
      maxLevels = options.levels.maxLevels();
      numLevelZeroTables = options.levels.numLevelZeroTables();
      numLevelZeroTablesStall = options.levels.numLevelZeroTablesStall();
      numCompactors = options.levels.numCompactors();
      compactL0OnClose = options.levels.compactL0OnClose();
      lmaxCompaction = options.levels.lmaxCompaction();
      blockSize = options.tables.blockSize();
      bloomFalsePositive = options.tables.bloomFalsePositive();
      blockCacheSize = options.tables.blockCacheSize();
      indexCacheSize = options.tables.indexCacheSize();
      compression = options.tables.compression();
      zstdLevel = options.tables.zstdLevel();
      checksumVerification = options.tables.checksumVerification();
      valueThreshold = options.valueLog.valueThreshold();
      vlogPercentile = options.valueLog.vlogPercentile();
      valueLogFileSize = options.valueLog.valueLogFileSize();
      valueLogMaxEntries = options.valueLog.valueLogMaxEntries();
      autoValueLogGC = options.valueLog.autoValueLogGC();
      valueLogGCDiscardRatio = options.valueLog.valueLogGCDiscardRatio();
      verifyValueChecksum = options.valueLog.verifyValueChecksum();
      valueLogKeyOrder = options.valueLog.valueLogKeyOrder();
      detectConflicts = options.transactions.detectConflicts();
      namespaceOffset = options.transactions.namespaceOffset();
      clock = options.transactions.clock();
      encryptionKey = options.encryption.encryptionKey();
      encryptionKeyRotation = options.encryption.encryptionKeyRotation();
    }

    /**
     * The directory of the value log files and their discard statistics. Default: the directory
     * given to {@link Options#builder(Path)}; a separate value directory lets values live on
     * another device than the LSM tree.
     *
     * @param valueDir the value directory, created on open if missing
     * @return this builder
     */
    public Builder valueDir(Path valueDir) {
      this.valueDir = Objects.requireNonNull(valueDir, "valueDir must not be null");
      return this;
    }

    /**
     * Whether a commit returns only once its records are forced to stable storage (the
     * write-ahead log, and the value log for large values). Default false: a committed
     * transaction survives a crash of the process but may be lost when the operating system
     * crashes or the power fails; the store then reopens as a prefix of the commit order, with no
     * transaction half applied. {@link DB#sync()} forces everything written so far. Ignored by an
     * in-memory store.
     *
     * @param syncWrites true to force every commit to stable storage
     * @return this builder
     */
    public Builder syncWrites(boolean syncWrites) {
      this.syncWrites = syncWrites;
      return this;
    }

    /**
     * How many versions of each key compaction keeps among those at or below the discard
     * timestamp; versions above it are always kept, so that every open transaction reads a
     * consistent snapshot. Default 1: only the newest version at the discard timestamp. In normal
     * mode Sett advances the discard timestamp itself; in managed mode the caller does, with
     * {@link DB#setDiscardTs(long)}.
     *
     * @param numVersionsToKeep at least 1
     * @return this builder
     */
    public Builder numVersionsToKeep(int numVersionsToKeep) {
      checkAtLeast("numVersionsToKeep", numVersionsToKeep, 1, String::valueOf);
      this.numVersionsToKeep = numVersionsToKeep;
      return this;
    }

    /**
     * Whether to open the store for reading only: nothing in its directories is written, no
     * memtable is flushed and no compaction runs. Every write fails with
     * {@link ReadOnlyException}. Default false. Cannot be combined with {@link #inMemory}.
     *
     * @param readOnly true to open for reading only
     * @return this builder
     */
    public Builder readOnly(boolean readOnly) {
      this.readOnly = readOnly;
      return this;
    }

    /**
     * Whether the store lives in memory only: nothing is written to disk and everything is gone
     * once the {@link DB} is closed. Default false. Requires {@code Options.builder(null)}
     * (no directory and no {@link #valueDir}); cannot be combined with {@link #readOnly}.
     *
     * @param inMemory true for a store without files
     * @return this builder
     */
    public Builder inMemory(boolean inMemory) {
      this.inMemory = inMemory;
      return this;
    }

    /**
     * Capacity in bytes of a memtable, the sorted in-memory buffer that receives writes. A full
     * memtable is flushed as one level-0 table, so this is also the size of level-0 tables. It
     * bounds transactions too: see {@link Options#maxBatchSize()}. Default 64 MiB; between
     * 64 KiB and 1 GiB.
     *
     * @param memTableSize bytes, in [64 KiB, 1 GiB]
     * @return this builder
     */
    public Builder memTableSize(long memTableSize) {
      checkRange("memTableSize", memTableSize, 64 * KIB, GIB, Options::bytes);
      this.memTableSize = memTableSize;
      return this;
    }

    /**
     * How many full memtables may wait for their flush to level 0, besides the one receiving
     * writes; once that many wait, writes wait for a flush. Default 5; at least 1.
     *
     * @param numMemtables at least 1
     * @return this builder
     */
    public Builder numMemtables(int numMemtables) {
      checkAtLeast("numMemtables", numMemtables, 1, String::valueOf);
      this.numMemtables = numMemtables;
      return this;
    }

    /**
     * Target size in bytes of the tables that compaction writes to the base level (the level
     * that level 0 compacts into) and the levels above it; each level below the base multiplies
     * it by {@link #tableSizeMultiplier}. Default 2 MiB; between 1 KiB and 1 GiB.
     *
     * @param baseTableSize bytes, in [1 KiB, 1 GiB]
     * @return this builder
     */
    public Builder baseTableSize(long baseTableSize) {
      checkRange("baseTableSize", baseTableSize, KIB, GIB, Options::bytes);
      this.baseTableSize = baseTableSize;
      return this;
    }

    /**
     * Size target in bytes of the base level. Level targets are dynamic, as in RocksDB: they are
     * computed from the size of the last level, dividing by {@link #levelSizeMultiplier} per
     * level up, and the base level is the highest level whose target is still at least this
     * size. Default 10 MiB; at least 1 KiB.
     *
     * @param baseLevelSize bytes, at least 1 KiB
     * @return this builder
     */
    public Builder baseLevelSize(long baseLevelSize) {
      checkAtLeast("baseLevelSize", baseLevelSize, KIB, Options::bytes);
      this.baseLevelSize = baseLevelSize;
      return this;
    }

    /**
     * Ratio between the size targets of consecutive levels. Default 10; at least 2.
     *
     * @param levelSizeMultiplier at least 2
     * @return this builder
     */
    public Builder levelSizeMultiplier(int levelSizeMultiplier) {
      checkAtLeast("levelSizeMultiplier", levelSizeMultiplier, 2, String::valueOf);
      this.levelSizeMultiplier = levelSizeMultiplier;
      return this;
    }

    /**
     * Ratio between the target table sizes of consecutive levels below the base level; 1 keeps
     * every table at {@link #baseTableSize}. Default 2; at least 1.
     *
     * @param tableSizeMultiplier at least 1
     * @return this builder
     */
    public Builder tableSizeMultiplier(int tableSizeMultiplier) {
      checkAtLeast("tableSizeMultiplier", tableSizeMultiplier, 1, String::valueOf);
      this.tableSizeMultiplier = tableSizeMultiplier;
      return this;
    }

    /**
     * Number of levels of the LSM tree, level 0 included. Default 7; between 2 and 20.
     *
     * @param maxLevels in [2, 20]
     * @return this builder
     */
    public Builder maxLevels(int maxLevels) {
      checkRange("maxLevels", maxLevels, 2, 20, String::valueOf);
      this.maxLevels = maxLevels;
      return this;
    }

    /**
     * Size in bytes from which a value is stored in the value log, with only a pointer to it in
     * the LSM tree (key-value separation, as in WiscKey and Badger); smaller values are stored
     * inline in the LSM tree. 0 puts every value in the value log. Between 0 and 1 MiB, and at
     * most {@link Options#maxBatchSize()} (checked by {@link #build()}).
     *
     * <p>Default 1 KiB (1024), where Badger v4's is 1 MiB: with Badger's default nearly every
     * value stays in the LSM tree and is rewritten by every compaction; with Sett's, ordinary
     * values get key-value separation and compaction moves only keys and pointers.
     *
     * @param valueThreshold bytes, in [0, 1 MiB]
     * @return this builder
     */
    public Builder valueThreshold(int valueThreshold) {
      checkRange("valueThreshold", valueThreshold, 0, MIB, Options::bytes);
      this.valueThreshold = valueThreshold;
      return this;
    }

    /**
     * Makes the value threshold follow the sizes of the values written: with a percentile
     * {@code p} in (0, 1], the threshold in effect is the {@code p}-th percentile of recently
     * written value sizes, kept between {@link #valueThreshold} and the smaller of 1 MiB and
     * {@link Options#maxBatchSize()}. 0 keeps the threshold fixed at {@link #valueThreshold}.
     * Default 0.
     *
     * @param vlogPercentile in [0, 1]
     * @return this builder
     */
    public Builder vlogPercentile(double vlogPercentile) {
      check(vlogPercentile >= 0 && vlogPercentile <= 1, "vlogPercentile", "be in [0, 1]",
          vlogPercentile);
      this.vlogPercentile = vlogPercentile;
      return this;
    }

    /**
     * Size in bytes at which a value log file is closed and the next begun; also the largest
     * value one entry may carry. Between 1 MiB and 2 GiB (exclusive). Default 2<sup>30</sup> − 1
     * (1 GiB − 1), as in Badger.
     *
     * @param valueLogFileSize bytes, at least 1 MiB and less than 2 GiB
     * @return this builder
     */
    public Builder valueLogFileSize(long valueLogFileSize) {
      check(valueLogFileSize >= MIB && valueLogFileSize < 2 * GIB, "valueLogFileSize",
          "be at least 1 MiB and less than 2 GiB", valueLogFileSize);
      this.valueLogFileSize = valueLogFileSize;
      return this;
    }

    /**
     * Number of entries at which a value log file is closed and the next begun, whatever its
     * size. Smaller files make value log garbage collection finer-grained. Default 1,000,000; at
     * least 1.
     *
     * @param valueLogMaxEntries at least 1
     * @return this builder
     */
    public Builder valueLogMaxEntries(int valueLogMaxEntries) {
      checkAtLeast("valueLogMaxEntries", valueLogMaxEntries, 1, String::valueOf);
      this.valueLogMaxEntries = valueLogMaxEntries;
      return this;
    }

    /**
     * Whether value log garbage collection runs by itself: a background thread collects any
     * value log file in which compactions have found at least {@link #valueLogGCDiscardRatio}
     * garbage, resting between files as long as the last one took, so it never takes more than
     * half of the write path's time. With it, nobody needs to call {@link DB#runValueLogGC} on a
     * timer (Badger's users must). Default true; ignored for read-only and in-memory stores.
     *
     * @param autoValueLogGC false to collect only when {@link DB#runValueLogGC} is called
     * @return this builder
     */
    public Builder autoValueLogGC(boolean autoValueLogGC) {
      this.autoValueLogGC = autoValueLogGC;
      return this;
    }

    /**
     * The share of a value log file that must be garbage before background GC collects it; also
     * what it takes for the active file to be sealed early for GC. Lower values keep the value
     * log closer to its live size but rewrite more. Default 0.5, as Badger recommends for {@code
     * RunValueLogGC}; in (0, 1).
     *
     * @param valueLogGCDiscardRatio in (0, 1)
     * @return this builder
     */
    public Builder valueLogGCDiscardRatio(double valueLogGCDiscardRatio) {
      check(valueLogGCDiscardRatio > 0 && valueLogGCDiscardRatio < 1, "valueLogGCDiscardRatio",
          "be in (0, 1)", valueLogGCDiscardRatio);
      this.valueLogGCDiscardRatio = valueLogGCDiscardRatio;
      return this;
    }

    /**
     * Target uncompressed size in bytes of an SSTable block, the unit that is compressed,
     * checksummed, cached and read. Larger blocks compress better; smaller ones make point reads
     * cheaper. Default 4096; between 256 bytes and 1 MiB.
     *
     * @param blockSize bytes, in [256, 1 MiB]
     * @return this builder
     */
    public Builder blockSize(int blockSize) {
      checkRange("blockSize", blockSize, 256, MIB, Options::bytes);
      this.blockSize = blockSize;
      return this;
    }

    /**
     * False-positive rate of the bloom filter each table keeps of its keys, which lets a point
     * read skip the tables that cannot hold its key. Lower rates cost more memory per key; 0
     * writes no bloom filters. Default 0.01; in [0, 1).
     *
     * @param bloomFalsePositive in [0, 1)
     * @return this builder
     */
    public Builder bloomFalsePositive(double bloomFalsePositive) {
      check(bloomFalsePositive >= 0 && bloomFalsePositive < 1, "bloomFalsePositive",
          "be in [0, 1)", bloomFalsePositive);
      this.bloomFalsePositive = bloomFalsePositive;
      return this;
    }

    /**
     * Size in bytes of the cache of decompressed and decrypted SSTable blocks, shared by all
     * tables; 0 turns it off, and a compressed or encrypted block is then decoded on every read.
     * Default 256 MiB; at least 0.
     *
     * @param blockCacheSize bytes, at least 0
     * @return this builder
     */
    public Builder blockCacheSize(long blockCacheSize) {
      checkAtLeast("blockCacheSize", blockCacheSize, 0, Options::bytes);
      this.blockCacheSize = blockCacheSize;
      return this;
    }

    /**
     * Size in bytes of a cache of table indexes and bloom filters, for stores whose indexes should
     * not all stay in memory. 0 (the default) means no such cache: every open table keeps its own
     * index and filter resident, read in place from the table's mapping. Above 0, a table's index
     * and filter are copied to the heap into a cache bounded by this many bytes, shared by all
     * tables, and loaded again from the file when a lookup finds them evicted;
     * {@link DB#indexCacheMetrics()} reports the cache's hits, misses and evictions. At least 0.
     *
     * @param indexCacheSize bytes, at least 0
     * @return this builder
     */
    public Builder indexCacheSize(long indexCacheSize) {
      checkAtLeast("indexCacheSize", indexCacheSize, 0, Options::bytes);
      this.indexCacheSize = indexCacheSize;
      return this;
    }

    /**
     * Block compression of the tables written from now on; tables already written keep theirs.
     * Default {@link Compression#LZ4} (Badger's default, Snappy, is not offered).
     *
     * @param compression the algorithm, not null
     * @return this builder
     */
    public Builder compression(Compression compression) {
      this.compression = Objects.requireNonNull(compression, "compression must not be null");
      return this;
    }

    /**
     * Zstandard level used when {@link #compression} is {@link Compression#ZSTD}: 1 (fastest) to
     * 22 (smallest output), or -7 to -1 for Zstandard's faster, lighter levels. Default 1, as in
     * Badger.
     *
     * @param zstdLevel in [-7, -1] or [1, 22]
     * @return this builder
     */
    public Builder zstdLevel(int zstdLevel) {
      check((zstdLevel >= -7 && zstdLevel <= -1) || (zstdLevel >= 1 && zstdLevel <= 22),
          "zstdLevel", "be in [-7, -1] or [1, 22]", zstdLevel);
      this.zstdLevel = zstdLevel;
      return this;
    }

    /**
     * Number of level-0 tables at which level 0 is due for compaction (its compaction score
     * reaches 1). Default 5; at least 1, and less than {@link #numLevelZeroTablesStall}.
     *
     * @param numLevelZeroTables at least 1
     * @return this builder
     */
    public Builder numLevelZeroTables(int numLevelZeroTables) {
      checkAtLeast("numLevelZeroTables", numLevelZeroTables, 1, String::valueOf);
      this.numLevelZeroTables = numLevelZeroTables;
      return this;
    }

    /**
     * Number of level-0 tables at which memtable flushes wait until compaction drains level 0;
     * writes then wait once {@link #numMemtables} memtables are full. Default 15; at least 2,
     * and greater than {@link #numLevelZeroTables} (checked by {@link #build()}).
     *
     * @param numLevelZeroTablesStall at least 2
     * @return this builder
     */
    public Builder numLevelZeroTablesStall(int numLevelZeroTablesStall) {
      checkAtLeast("numLevelZeroTablesStall", numLevelZeroTablesStall, 2, String::valueOf);
      this.numLevelZeroTablesStall = numLevelZeroTablesStall;
      return this;
    }

    /**
     * Number of background compaction threads. Default 4.
     *
     * <p>0 turns background compaction off: tables then pile up in level 0 and, once
     * {@link #numLevelZeroTablesStall} are there, flushes and then writes wait; this suits bulk
     * loads followed by {@link DB#flatten(int)}. Unlike Badger, which rejects exactly one
     * compactor, 1 is allowed: any Sett compactor can run every kind of compaction (Badger
     * reserves level-0 work for its first worker and last-level compaction for its third).
     *
     * @param numCompactors at least 0
     * @return this builder
     */
    public Builder numCompactors(int numCompactors) {
      checkAtLeast("numCompactors", numCompactors, 0, String::valueOf);
      this.numCompactors = numCompactors;
      return this;
    }

    /**
     * Whether {@link DB#close()} compacts level 0 into the level below once more before it
     * returns, so that the next open starts with a small level 0. Default false. Ignored in
     * read-only mode.
     *
     * @param compactL0OnClose true to compact level 0 on close
     * @return this builder
     */
    public Builder compactL0OnClose(boolean compactL0OnClose) {
      this.compactL0OnClose = compactL0OnClose;
      return this;
    }

    /**
     * Whether compactors also rewrite tables of the last level into the last level when they hold
     * enough stale data (deleted, expired or overwritten versions at or below the discard
     * timestamp), to give back disk space that no compaction from above would reclaim. Default
     * false. Needs at least one compactor ({@link #numCompactors} &gt; 0, checked by
     * {@link #build()}); Badger needs three.
     *
     * @param lmaxCompaction true to compact the last level into itself
     * @return this builder
     */
    public Builder lmaxCompaction(boolean lmaxCompaction) {
      this.lmaxCompaction = lmaxCompaction;
      return this;
    }

    /**
     * Whether commits detect conflicts: a read-write transaction that read a key which another
     * transaction wrote and committed after its read timestamp fails with
     * {@link ConflictException} (serializable snapshot isolation). With false, reads are not
     * tracked and commits never conflict: the last writer wins, which suits applications that
     * serialize their writers themselves. Default true.
     *
     * @param detectConflicts false to skip conflict detection
     * @return this builder
     */
    public Builder detectConflicts(boolean detectConflicts) {
      this.detectConflicts = detectConflicts;
      return this;
    }

    /**
     * Whether each value read from the value log is checked against its CRC32C, so that a
     * damaged value surfaces as {@link CorruptionException} instead of being returned. Default
     * true, where Badger's is false: Sett does not return data it cannot vouch for unless told
     * to.
     *
     * @param verifyValueChecksum false to read values without checking them
     * @return this builder
     */
    public Builder verifyValueChecksum(boolean verifyValueChecksum) {
      this.verifyValueChecksum = verifyValueChecksum;
      return this;
    }

    /**
     * When SSTable block checksums are verified; see {@link ChecksumVerification}. Default
     * {@link ChecksumVerification#ON_BLOCK_READ}, where Badger's is {@code NONE}.
     *
     * @param checksumVerification the mode, not null
     * @return this builder
     */
    public Builder checksumVerification(ChecksumVerification checksumVerification) {
      this.checksumVerification =
          Objects.requireNonNull(checksumVerification, "checksumVerification must not be null");
      return this;
    }

    /**
     * The master key of encryption at rest: 16, 24 or 32 bytes for AES-128, AES-192 or AES-256.
     * Data is encrypted with data keys that the master key protects (see
     * {@link #encryptionKeyRotation}). Null or empty means no encryption, the default. A store
     * must always be opened with the key it was created with; another key gives
     * {@link EncryptionKeyMismatchException}. The array is copied.
     *
     * <p>Every SSTable block and region, WAL record and value log record is encrypted (AES-CTR,
     * a fresh IV each); the key registry file {@code KEYREGISTRY} holds the data keys encrypted
     * under this key. Opening an encrypted store without a key, or a plain store with one, fails
     * with a {@link SettException}; {@code sett rotate} changes the master key of a closed store.
     * A key of any other length is an {@link IllegalArgumentException} naming the option, from
     * this setter (as every setter checks its value at once) and from {@link #build()}.
     *
     * @param encryptionKey 16, 24 or 32 bytes; null or empty for none
     * @return this builder
     */
    public Builder encryptionKey(byte[] encryptionKey) {
      byte[] key = encryptionKey == null ? new byte[0] : encryptionKey.clone();
      checkKeyLength(key.length);
      this.encryptionKey = key;
      return this;
    }

    /**
     * How long a data key encrypts new data before a fresh one replaces it. Only new data uses
     * the new key; older keys stay in the key registry for what they encrypted. Default 10 days;
     * at least 1 second. A key is checked for age when a file is created, so a store that writes
     * nothing for a while makes its next key when it next writes.
     *
     * @param encryptionKeyRotation at least 1 second
     * @return this builder
     */
    public Builder encryptionKeyRotation(Duration encryptionKeyRotation) {
      Objects.requireNonNull(encryptionKeyRotation, "encryptionKeyRotation must not be null");
      check(encryptionKeyRotation.compareTo(Duration.ofSeconds(1)) >= 0, "encryptionKeyRotation",
          "be at least 1 second", encryptionKeyRotation);
      this.encryptionKeyRotation = encryptionKeyRotation;
      return this;
    }

    /**
     * Turns namespaces on: the 8 bytes of a key from this offset, read as a big-endian unsigned
     * number, are its namespace, and {@link DB#banNamespace(long)} makes every key of a namespace
     * unreadable and unwritable. A key shorter than {@code offset + 8} bytes belongs to no
     * namespace and is never banned (Badger needs a key strictly longer than {@code offset + 8};
     * Sett counts a key of exactly {@code offset + 8} bytes as in its namespace). -1 (the default)
     * turns namespaces off. Bans are recorded in the store, so a store with banned namespaces must
     * be opened with the same offset: opening it with -1 fails.
     *
     * @param namespaceOffset -1, or an offset in [0, 64992] (a key is at most 65,000 bytes)
     * @return this builder
     */
    public Builder namespaceOffset(int namespaceOffset) {
      checkRange("namespaceOffset", namespaceOffset, -1, MAX_KEY_SIZE - Long.BYTES,
          String::valueOf);
      this.namespaceOffset = namespaceOffset;
      return this;
    }

    /**
     * An application-defined 16-bit number kept in the store's MANIFEST: opening a store whose
     * number differs fails, so an application can keep its own data-format version there.
     * Default 0.
     *
     * @param externalMagic in [0, 65535]
     * @return this builder
     */
    public Builder externalMagic(int externalMagic) {
      checkRange("externalMagic", externalMagic, 0, 0xFFFF, String::valueOf);
      this.externalMagic = externalMagic;
      return this;
    }

    /**
     * Where Sett sends its spans (flush, compaction, value log garbage collection) and metrics
     * (bytes, operations, write stalls). Sett uses the OpenTelemetry API only; the application
     * chooses the SDK. Default {@link OpenTelemetry#noop()}.
     *
     * @param openTelemetry the instance, not null
     * @return this builder
     */
    public Builder openTelemetry(OpenTelemetry openTelemetry) {
      this.openTelemetry = Objects.requireNonNull(openTelemetry, "openTelemetry must not be null");
      return this;
    }

    /**
     * The time source of TTLs: an entry written with {@link Entry#withTtl} expires its TTL after
     * this clock's time at commit, and an item whose {@code expiresAt} this clock has reached is
     * expired. Default {@link Clock#systemUTC()}; tests pass a clock they control.
     *
     * @param clock the clock, not null
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock must not be null");
      return this;
    }

    /**
     * Whether values move into key order once writes have cooled. Values reach the value log in
     * the order they are written, so a scan over keys written in random order reads the value
     * log at random; with this option, once the value log has taken no write for a second and
     * no compaction has work, compaction flushes the memtables, takes the tables down to the
     * last level and writes their scattered values again, in key order, into new value log files
     * (each value once: values already in order stay), and GC deletes the old files, whose
     * records are then garbage. A scan then reads the value log front to back. It costs one more
     * write of each value that was written out of key order and then left alone (about 1 ×
     * the logical bytes; a workload that keeps writing pays nothing). No effect in memory, or
     * without compactors. Default true; Badger has no such option.
     *
     * @param valueLogKeyOrder false to leave values where they were written
     * @return this builder
     */
    public Builder valueLogKeyOrder(boolean valueLogKeyOrder) {
      this.valueLogKeyOrder = valueLogKeyOrder;
      return this;
    }

    /**
     * Checks the rules that involve several options and returns the options.
     *
     * <ul>
     *   <li>A store on disk needs a directory; an in-memory store must have none (neither the one
     *       given to {@link Options#builder(Path)} nor a {@link #valueDir}) and cannot be
     *       {@link #readOnly}.
     *   <li>{@link #numLevelZeroTablesStall} must exceed {@link #numLevelZeroTables}.
     *   <li>{@link #valueThreshold} must be at most {@link Options#maxBatchSize()}.
     *   <li>{@link #lmaxCompaction} needs {@link #numCompactors} &gt; 0.
     *   <li>{@link #encryptionKey} is empty or 16, 24 or 32 bytes long.
     * </ul>
     *
     * {@link Options#valueDir()} defaults to the directory.
     *
     * @return the options
     * @throws IllegalArgumentException naming the option that breaks a rule
     */
    public Options build() {
      checkKeyLength(encryptionKey.length);
      Store store = new Store(dir, valueDir, readOnly, inMemory, externalMagic, openTelemetry);
      Memtables memtables = new Memtables(syncWrites, memTableSize, numMemtables);
      Levels levels = new Levels(numVersionsToKeep, baseTableSize, baseLevelSize,
          levelSizeMultiplier, tableSizeMultiplier, maxLevels, numLevelZeroTables,
          numLevelZeroTablesStall, numCompactors, compactL0OnClose, lmaxCompaction);
      Tables tables = new Tables(blockSize, bloomFalsePositive, blockCacheSize, indexCacheSize,
          compression, zstdLevel, checksumVerification);
      ValueLog valueLog = new ValueLog(valueThreshold, vlogPercentile, valueLogFileSize,
          valueLogMaxEntries, autoValueLogGC, valueLogGCDiscardRatio, verifyValueChecksum,
          valueLogKeyOrder);
      long maxBatchSize = maxBatchSize(memTableSize);
      check(valueThreshold <= maxBatchSize, "valueThreshold",
          "be at most maxBatchSize (" + maxBatchSize + ", 15% of memTableSize " + memTableSize
              + ")",
          valueThreshold);
      return new Options(store, memtables, levels, tables, valueLog,
          new Transactions(detectConflicts, namespaceOffset, clock),
          new Encryption(encryptionKey, encryptionKeyRotation));
    }

    private static void checkRange(
        String option, long value, long min, long max, LongFunction<String> format) {
      check(value >= min && value <= max, option,
          "be in [" + format.apply(min) + ", " + format.apply(max) + "]", value);
    }

    private static void checkAtLeast(
        String option, long value, long min, LongFunction<String> format) {
      check(value >= min, option, "be at least " + format.apply(min), value);
    }

    private static void checkKeyLength(int length) {
      check(length == 0 || length == 16 || length == 24 || length == 32, "encryptionKey",
          "be 16, 24 or 32 bytes long (AES-128, AES-192, AES-256), or empty for none",
          length + " bytes");
    }

    private static void check(boolean valid, String option, String rule, Object value) {
      if (!valid) {
        throw new IllegalArgumentException(option + " must " + rule + ", was " + value);
      }
    }
  }
}
