package dev.sett.internal.sstable;

import dev.sett.internal.codec.CompressionType;
import dev.sett.internal.codec.Crc32c;
import dev.sett.internal.codec.DataKey;
import dev.sett.internal.codec.DataKeys;
import dev.sett.internal.fs.CorruptFileException;
import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.fs.MappedFile;
import dev.sett.internal.fs.RefCounted;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValueIterator;
import dev.sett.internal.key.ValueStruct;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An immutable sorted table, memory-mapped read-only. The format is described byte by byte in
 * {@code docs/format/sstable.md} (in the source tree).
 *
 * <p>Opening checks the header, the footer and the checksums of the index, bloom filter and
 * properties regions (they are small), and nothing else unless
 * {@link TableOptions#verifyBlocksOnOpen()}; the index and the filter are then read in place from
 * the mapping, so opening creates no object per block. Data blocks are checked when first read
 * (see {@link BlockReader}).
 *
 * <p>Lifetime: a table starts with one reference, owned by whoever opened it. Every reader holds a
 * reference while it reads (iterators retain the table themselves); the last {@link #release()}
 * unmaps the file and, after {@link #markForDeletion()}, deletes it and evicts its cached blocks.
 * Reading a released table is a bug: its mapping is gone.
 *
 * <p>Thread-safety: safe for concurrent readers; nothing in a table changes after open except the
 * per-block verified bits and the deletion mark, both atomic.
 */
public final class Table extends RefCounted {
  private static final Logger LOG = LoggerFactory.getLogger(Table.class);
  private static final String FILE_SUFFIX = ".sst";

  private final FileSystem fs;
  private final Path path;
  private final long id;
  private final BlockCache cache;
  private final IndexCache indexCache;
  private final MappedFile file;
  private final TableFooter footer;
  /** The index and filter when the index cache is off; null when they live in the cache. */
  private final TableIndexes resident;
  private final int blockCount;
  private final TableProperties properties;
  /** The data key that sealed this table; null for a plain table. */
  private final DataKey dataKey;
  private final BlockReader reader;
  private volatile boolean markedForDeletion;

  private Table(FileSystem fs, Path path, long id, TableOptions options, BlockCache cache,
      IndexCache indexCache, DataKeys keys, MappedFile file) throws IOException {
    this.fs = fs;
    this.path = path;
    this.id = id;
    this.cache = cache;
    this.indexCache = indexCache;
    this.file = file;
    ByteBuffer buffer = file.buffer();
    this.footer = TableFooter.read(buffer, file.size(), path);
    this.dataKey = footer.dataKeyId() == 0 ? null : keys.key(footer.dataKeyId());
    TableIndexes indexes = loadIndexes();
    TableIndex index = indexes.index();
    this.blockCount = index.blockCount();
    this.properties = loadProperties(buffer);
    if (!Arrays.equals(properties.smallestKey(), index.firstKey(0))) {
      throw new CorruptFileException(path, footer.propertiesOffset(),
          "table properties' smallest key is not the first block's first key");
    }
    this.reader = new BlockReader(buffer, path, id, blockCount, cache, options.verifyBlocksOnRead(),
        Math.min(properties.uncompressedSize(), TableFormat.MAX_TABLE_SIZE), dataKey);
    if (options.verifyBlocksOnOpen()) {
      for (int block = 0; block < blockCount; block++) {
        reader.verify(index, block);
      }
    }
    if (indexCache.enabled()) {
      this.resident = null;
      indexCache.put(id, indexes); // a new table is usually read soon
    } else {
      this.resident = indexes;
    }
  }

  /**
   * Maps and opens table {@code id} at {@code path}. Throws {@link CorruptFileException} (naming the
   * file and offset) when the header, footer or a region fails its checks, and
   * {@link dev.sett.internal.fs.UnsupportedFormatException} for a format version this build does
   * not read. {@code options} supplies only the verification flags: the rest is read from the file.
   */
  public static Table open(FileSystem fs, Path path, long id, TableOptions options,
      BlockCache cache) throws IOException {
    return open(fs, path, id, options, cache, IndexCache.disabled(), DataKeys.NONE);
  }

  /**
   * As {@link #open(FileSystem, Path, long, TableOptions, BlockCache)}; an encrypted table finds
   * the data key its footer names in {@code keys}.
   */
  public static Table open(FileSystem fs, Path path, long id, TableOptions options,
      BlockCache cache, DataKeys keys) throws IOException {
    return open(fs, path, id, options, cache, IndexCache.disabled(), keys);
  }

  /**
   * As {@link #open(FileSystem, Path, long, TableOptions, BlockCache)}, with the table's index and
   * bloom filter held in {@code indexCache} when it is on, and loaded again from the file after
   * the cache evicts them, and an encrypted table's data key found in {@code keys}.
   */
  public static Table open(FileSystem fs, Path path, long id, TableOptions options,
      BlockCache cache, IndexCache indexCache, DataKeys keys) throws IOException {
    Objects.requireNonNull(fs, "fs");
    Objects.requireNonNull(indexCache, "indexCache");
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(cache, "cache");
    if (id < 0 || id > TableFormat.MAX_TABLE_ID) {
      throw new IllegalArgumentException("table id " + id + " is outside [0, 2^39)");
    }
    MappedFile file = fs.map(path);
    try {
      return new Table(fs, path, id, options, cache, indexCache, keys, file);
    } catch (Throwable failure) {
      try {
        file.release();
      } catch (RuntimeException releaseFailure) {
        failure.addSuppressed(releaseFailure);
      }
      throw failure;
    }
  }

  /** The file name of table {@code id}: {@code %06d.sst}. */
  public static String fileName(long id) {
    if (id < 0) {
      throw new IllegalArgumentException("table id must not be negative: " + id);
    }
    return String.format(Locale.ROOT, "%06d%s", id, FILE_SUFFIX);
  }

  /** The id in a table file name as made by {@link #fileName}, or -1 for any other name. */
  public static long parseFileName(String name) {
    if (!name.endsWith(FILE_SUFFIX) || name.length() == FILE_SUFFIX.length()) {
      return -1;
    }
    String digits = name.substring(0, name.length() - FILE_SUFFIX.length());
    if (digits.length() > 19 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return -1;
    }
    long id;
    try {
      id = Long.parseLong(digits);
    } catch (NumberFormatException e) {
      return -1; // 19 digits above Long.MAX_VALUE: not a name fileName makes
    }
    return fileName(id).equals(name) ? id : -1;
  }

  /** The table id, unique within a DB; it names the file and keys the block cache. */
  public long id() {
    return id;
  }

  /** The table's file. */
  public Path path() {
    return path;
  }

  /** The first internal key (a copy). */
  public byte[] smallestKey() {
    return properties.smallestKey().clone();
  }

  /** The last internal key (a copy). */
  public byte[] biggestKey() {
    return properties.biggestKey().clone();
  }

  /** Compares the smallest internal key with {@code internalKey}, without copying it. */
  public int compareSmallestKey(byte[] internalKey) {
    return InternalKey.compare(properties.smallestKey(), internalKey);
  }

  /** Compares the biggest internal key with {@code internalKey}, without copying it. */
  public int compareBiggestKey(byte[] internalKey) {
    return InternalKey.compare(properties.biggestKey(), internalKey);
  }

  /** Compares the user key of the smallest key with the plain {@code userKey}, without copying. */
  public int compareSmallestUserKey(byte[] userKey) {
    return InternalKey.compareUserKey(properties.smallestKey(), userKey);
  }

  /** Compares the user key of the biggest key with the plain {@code userKey}, without copying. */
  public int compareBiggestUserKey(byte[] userKey) {
    return InternalKey.compareUserKey(properties.biggestKey(), userKey);
  }

  /** Entries in the table; every version counts. */
  public long keyCount() {
    return properties.keyCount();
  }

  /** The largest version of any entry (unsigned). */
  public long maxVersion() {
    return properties.maxVersion();
  }

  /** The file's size in bytes. */
  public long onDiskSize() {
    return file.size();
  }

  /** Sum of the data blocks' uncompressed sizes. */
  public long uncompressedSize() {
    return properties.uncompressedSize();
  }

  /** Bytes of entries the builder was told are stale ({@link TableBuilder#addStale}). */
  public long staleDataSize() {
    return properties.staleDataSize();
  }

  /** The id of the data key that sealed the table, or 0 for a plain table. */
  public long dataKeyId() {
    return footer.dataKeyId();
  }

  /** The compression the table was written with. */
  public CompressionType compression() {
    return properties.compression();
  }

  /** Bytes of the index region. */
  public long indexSize() {
    return footer.indexLength();
  }

  /** Bytes of the bloom filter region; 0 when the table has no filter. */
  public long bloomFilterSize() {
    return footer.bloomLength();
  }

  /** Number of data blocks. */
  public int blockCount() {
    return blockCount;
  }

  /**
   * False when the table certainly holds no version of {@code userKey}. Throws
   * {@link java.io.UncheckedIOException} wrapping a {@link CorruptFileException} when the filter
   * has to be loaded again and is damaged.
   */
  public boolean mayContain(byte[] userKey) {
    checkNotReleased();
    try {
      return indexes().bloom().mayContain(userKey);
    } catch (CorruptFileException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * The newest version of {@code userKey} at or below {@code readTs}, with its version filled in,
   * or null if the table has none. Consults the bloom filter first.
   */
  public ValueStruct get(byte[] userKey, long readTs) throws IOException {
    return get(userKey, BloomFilter.hash(userKey, 0, userKey.length), readTs);
  }

  /**
   * As {@link #get(byte[], long)}, given {@code userKeyHash}, the key's 64-bit xxHash with seed 0
   * ({@code KeyHash.of}), which the bloom filter probes: a lookup hashes the key once for all
   * tables.
   */
  public ValueStruct get(byte[] userKey, long userKeyHash, long readTs) throws IOException {
    checkNotReleased();
    TableIndexes indexes = indexes();
    if (!indexes.bloom().mayContain(userKeyHash)) {
      return null;
    }
    byte[] target = InternalKey.of(userKey, readTs);
    if (InternalKey.compare(target, properties.biggestKey()) > 0) {
      return null;
    }
    TableIndex index = indexes.index();
    int block = Math.max(0, index.findBlock(target));
    Block content = reader.read(index, block);
    int entry = content.search(target);
    if (entry == content.entryCount()) {
      // Every key of this block is smaller: the answer, if any, opens the next block.
      if (++block == blockCount) {
        return null;
      }
      content = reader.read(index, block);
      entry = 0;
    }
    return content.hasUserKey(entry, userKey) ? content.value(entry) : null;
  }

  /**
   * An iterator over all entries, in key order or in reverse. It holds a reference to the table
   * until it is closed. Its methods throw {@link java.io.UncheckedIOException} wrapping a
   * {@link CorruptFileException} when they meet a damaged block.
   */
  public KeyValueIterator iterator(boolean reverse) {
    retain();
    return new TableIterator(this, reverse);
  }

  /** Verifies the checksum of the header, the footer, every region and every block. */
  public void verifyChecksums() throws IOException {
    checkNotReleased();
    ByteBuffer buffer = file.buffer();
    TableFooter.read(buffer, file.size(), path);
    TableIndex index = loadIndexes().index(); // from the file, whatever the cache holds
    loadProperties(buffer);
    for (int block = 0; block < blockCount; block++) {
      reader.verify(index, block);
    }
  }

  /** Loads the properties region, decrypting it in an encrypted table. */
  private TableProperties loadProperties(ByteBuffer buffer) throws CorruptFileException {
    ByteBuffer region = openRegion(buffer, footer.propertiesOffset(), footer.propertiesLength(),
        "properties");
    return region == buffer
        ? TableProperties.read(buffer, (int) footer.propertiesOffset(),
            footer.propertiesLength(), path)
        : TableProperties.read(region, 0, region.capacity(), path);
  }

  /**
   * {@code buffer} itself for a plain table or an empty region; for an encrypted one the region's
   * plaintext in a buffer of its own, after checking the crc32c of its IV and ciphertext.
   */
  private ByteBuffer openRegion(ByteBuffer buffer, long offset, int length, String what)
      throws CorruptFileException {
    if (dataKey == null || length == 0) {
      return buffer;
    }
    int start = (int) offset;
    int sealed = length - TableFormat.REGION_CHECKSUM_SIZE;
    if (sealed < DataKey.IV_LENGTH + TableFormat.REGION_CHECKSUM_SIZE
        || Crc32c.of(buffer, start, sealed) != buffer.getInt(start + sealed)) {
      throw new CorruptFileException(path, offset, "table " + what + " checksum mismatch");
    }
    return ByteBuffer.wrap(dataKey.open(buffer, start, sealed)).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Deletes the file once the last reference is released. */
  public void markForDeletion() {
    markedForDeletion = true;
  }

  /** Block {@code block}'s first internal key (a copy); tests and table splitting use it. */
  byte[] firstKeyOfBlock(int block) {
    try {
      return indexes().index().firstKey(block);
    } catch (CorruptFileException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * The index and bloom filter: the resident ones, or the cached ones, loaded again when the
   * cache evicted them. The caller holds a reference.
   */
  TableIndexes indexes() throws CorruptFileException {
    return resident != null ? resident : indexCache.get(id, this::loadIndexes);
  }

  /**
   * Reads and checks the index and bloom filter regions: the one place they are loaded from the
   * file, at open and after the index cache evicted them. In a plain table with the cache off they
   * are read in place from the mapping; with it on they are copied to the heap, which is what the
   * cache holds and what its capacity bounds. In an encrypted table they are checked and
   * decrypted into buffers of their own (so the cache, when on, holds the plaintext and a lookup
   * never decrypts an index).
   */
  TableIndexes loadIndexes() throws CorruptFileException {
    ByteBuffer buffer = file.buffer();
    long size = (long) footer.indexLength() + footer.bloomLength();
    return new TableIndexes(loadIndex(buffer), loadBloomFilter(buffer), size);
  }

  private TableIndex loadIndex(ByteBuffer buffer) throws CorruptFileException {
    int offset = (int) footer.indexOffset();
    int length = footer.indexLength();
    ByteBuffer region = openRegion(buffer, offset, length, "index");
    if (region != buffer) {
      return TableIndex.read(region, 0, region.capacity(), offset, path);
    }
    return indexCache.enabled()
        ? TableIndex.read(copy(buffer, offset, length), 0, length, offset, path)
        : TableIndex.read(buffer, offset, length, path);
  }

  private BloomFilter loadBloomFilter(ByteBuffer buffer) throws CorruptFileException {
    int offset = (int) footer.bloomOffset();
    int length = footer.bloomLength();
    ByteBuffer region = openRegion(buffer, offset, length, "bloom filter");
    if (region != buffer) {
      return BloomFilter.read(region, 0, region.capacity(), offset, path);
    }
    return indexCache.enabled()
        ? BloomFilter.read(copy(buffer, offset, length), 0, length, offset, path)
        : BloomFilter.read(buffer, offset, length, path);
  }

  private static ByteBuffer copy(ByteBuffer buffer, int offset, int length) {
    ByteBuffer copy = ByteBuffer.allocate(length).order(buffer.order());
    copy.put(0, buffer, offset, length);
    return copy;
  }

  /** Reads block {@code block} through {@code index}; the caller holds a reference. */
  Block readBlock(TableIndex index, int block) throws CorruptFileException {
    return reader.read(index, block);
  }

  @Override
  protected void deallocate() {
    try {
      file.release();
    } finally {
      // Evicted on every close, not only on deletion: DropAll restarts table ids, so a later table
      // may reuse this id in the same cache.
      if (reader.cachedAny()) {
        cache.invalidateTable(id, blockCount);
      }
      indexCache.invalidate(id);
      if (markedForDeletion) {
        deleteFile();
      }
    }
  }

  private void deleteFile() {
    try {
      fs.delete(path);
    } catch (IOException e) {
      // Nobody is left to throw to: the releasing thread may be a reader closing an iterator. The
      // file is an orphan that the next open removes when it reconciles the directory with the
      // MANIFEST, so the failure is reported here and not lost.
      LOG.warn("cannot delete obsolete table {}", path, e);
    }
  }

  private void checkNotReleased() {
    if (referenceCount() <= 0) {
      throw new IllegalStateException(this + " is released");
    }
  }

  @Override
  public String toString() {
    return "Table[" + id + ", " + path + "]";
  }
}
