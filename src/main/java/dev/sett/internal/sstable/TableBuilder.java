package dev.sett.internal.sstable;

import dev.sett.internal.codec.CompressionType;
import dev.sett.internal.codec.Compressor;
import dev.sett.internal.codec.Crc32c;
import dev.sett.internal.codec.DataKey;
import dev.sett.internal.codec.LittleEndian;
import dev.sett.internal.codec.Varint;
import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.fs.WritableFile;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.ValueStruct;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Builds one table from entries added in strictly ascending internal-key order, then writes it.
 * The format is described byte by byte in {@code docs/format/sstable.md} (in the source tree).
 *
 * <p>Finished blocks are compressed as soon as they are full and kept, once, in a chunked buffer;
 * {@link #writeTo} writes the header, the blocks, then the index, bloom filter, properties and
 * footer it encodes from what it accumulated (first keys of blocks, one hash per distinct user key,
 * counters).
 *
 * <p>A <em>streaming</em> builder ({@link #TableBuilder(TableOptions, DataKey, FileSystem,
 * Supplier)}, what flushes and compactions use) does not hold its table: each time
 * {@link #SPILL_BYTES} of finished blocks are buffered it appends them to its file (created, with
 * the header, at the first spill; opened for append and closed again at each later one, so a
 * builder holds no file handle between two calls), and {@link #finish} appends the rest, the
 * regions and the footer. Only the index entries, one bloom hash per user key and the open block
 * stay on the heap. The bytes on disk are the same as {@link #writeTo} writes.
 *
 * <p>Given a data key, the builder writes an encrypted table (format version 2): each finished
 * block is sealed in one step after framing ({@link #sealBlock}), and each region as it is
 * encoded ({@link #sealRegion}); the footer names the key.
 *
 * <p>Thread-safety: not thread-safe; one thread builds a table.
 */
public final class TableBuilder {
  /** Finished blocks a streaming builder buffers before it appends them to its file. */
  static final int SPILL_BYTES = 1 << 20;

  /** The file a streaming builder writes: the caller's id for it and its path (must not exist). */
  public record FileTarget(long id, Path path) {
  }
  /** Unprofitable compressions in a row after which most blocks are no longer tried. */
  private static final int GIVE_UP_AFTER = 4;
  /** While giving up, one block in this many is still tried, to notice data that compresses again. */
  private static final int RETRY_EVERY = 16;

  private final TableOptions options;
  /** The data key that seals blocks and regions; null for a plain table. */
  private final DataKey dataKey;
  private final Compressor compressor;
  private final BlockWriter block = new BlockWriter();
  private final ChunkedBuffer blocks = new ChunkedBuffer();
  private final TableIndex.Builder index = new TableIndex.Builder();
  /** A streaming builder's file system; null for one that holds its table until writeTo. */
  private final FileSystem streamFileSystem;
  /** Chooses a streaming builder's file, at its first spill or at finish. */
  private final Supplier<FileTarget> targets;
  /** A streaming builder's file, once chosen. */
  private FileTarget target;
  private boolean abandoned;
  /** Set when a streaming builder's {@link #finish} wrote its table. */
  private boolean complete;

  private long[] userKeyHashes = new long[256];
  private int distinctUserKeys;
  private byte[] lastKey = new byte[64];
  private int lastKeyLength = -1;
  private byte[] smallestKey;
  private long keyCount;
  private long maxVersion;
  private long uncompressedSize;
  private long staleDataSize;
  private boolean finished;
  /**
   * Blocks in a row whose compression did not pay. From {@link #GIVE_UP_AFTER} on, only every
   * {@link #RETRY_EVERY}th block is tried: incompressible data (random or already compressed
   * values) then costs one compression in 16 blocks instead of one per block.
   */
  private int unprofitableBlocks;
  private int blocksSinceTry;

  /** A builder for one table; only the write-side options (block size, bloom, compression) matter. */
  public TableBuilder(TableOptions options) {
    this(options, null);
  }

  /** A builder for one table encrypted under {@code dataKey}; null writes a plain table. */
  public TableBuilder(TableOptions options, DataKey dataKey) {
    this.options = Objects.requireNonNull(options, "options");
    this.dataKey = dataKey;
    this.compressor = new Compressor(options.compression(), options.zstdLevel());
    this.streamFileSystem = null;
    this.targets = null;
  }

  /**
   * A streaming builder: it writes its finished blocks to a file in {@code fileSystem} as it goes
   * (see the class comment) and is completed by {@link #finish} or given up by {@link #abandon}.
   * {@code targets} is asked once, when the file is first needed, for the file to write.
   */
  public TableBuilder(TableOptions options, DataKey dataKey, FileSystem fileSystem,
      Supplier<FileTarget> targets) {
    this.options = Objects.requireNonNull(options, "options");
    this.dataKey = dataKey;
    this.compressor = new Compressor(options.compression(), options.zstdLevel());
    this.streamFileSystem = Objects.requireNonNull(fileSystem, "fileSystem");
    this.targets = Objects.requireNonNull(targets, "targets");
  }

  /**
   * Adds an entry. Keys must be internal keys (at least 8 bytes, at most 65535) in strictly
   * ascending order; an {@link IllegalArgumentException} says otherwise. An
   * {@link IllegalStateException} means the table would pass the 2 GiB limit or was written. A
   * streaming builder may append finished blocks to its file here: an {@link IOException} then
   * means that failed (the builder is then abandoned and its partial file deleted).
   */
  public void add(byte[] internalKey, ValueStruct value) throws IOException {
    addEntry(internalKey, value);
  }

  /**
   * Adds an entry as {@link #add} does and counts its key and encoded value as stale data: bytes
   * that a later compaction of the last level can reclaim.
   */
  public void addStale(byte[] internalKey, ValueStruct value) throws IOException {
    addEntry(internalKey, value);
    staleDataSize += internalKey.length + value.encodedSize();
  }

  /** Whether no entry was added yet; an empty builder cannot be written. */
  public boolean isEmpty() {
    return keyCount == 0;
  }

  /** The size of the file {@link #writeTo} would write if no more entries were added. */
  public long estimatedSize() {
    long size = TableFormat.HEADER_SIZE + blocks.size();
    long indexSize = index.regionSize();
    if (!block.isEmpty()) {
      size += block.contentSize() + TableFormat.BLOCK_TRAILER_SIZE + blockOverhead();
      indexSize = index.regionSizeWith(block.baseKeyLength());
    }
    int lastLength = Math.max(lastKeyLength, InternalKey.SUFFIX_LENGTH);
    int smallestLength = smallestKey == null ? lastLength : smallestKey.length;
    int regionOverhead = dataKey == null ? 0 : 3 * TableFormat.SEALED_REGION_OVERHEAD;
    return size + indexSize + regionOverhead
        + BloomFilter.regionSize(distinctUserKeys, options.bloomFalsePositive())
        + TableProperties.regionSize(smallestLength, lastLength)
        + TableFooter.size(dataKeyId());
  }

  /**
   * Writes the table to a new file at {@code path} (it must not exist), forces it to the device
   * and closes it. The directory entry is not synced: the caller syncs the directory once for all
   * the files it creates. On failure the partial file is deleted. Fails with
   * {@link IllegalStateException} for an empty builder and for a streaming one (see
   * {@link #finish}). May be called again, to write the same table elsewhere; no entry may be
   * added after the first call.
   */
  public void writeTo(FileSystem fs, Path path) throws IOException {
    if (streamFileSystem != null) {
      throw new IllegalStateException("a streaming builder writes its own file: call finish()");
    }
    if (isEmpty()) {
      throw new IllegalStateException("an empty table cannot be written: " + path);
    }
    finishBlocks();
    WritableFile file = fs.createFile(path);
    try {
      file.write(TableFormat.header(formatVersion()));
      blocks.writeTo(file);
      writeRegions(file);
    } catch (Throwable failure) {
      closeAndDelete(failure, file, fs, path);
      throw failure;
    }
    file.close();
  }

  /**
   * Completes a streaming builder's table: appends the blocks still buffered, the index, bloom
   * filter, properties and footer to its file (choosing the file now if nothing was spilled yet),
   * forces it to the device and closes it; returns the file. The directory entry is not synced.
   * On failure the partial file is deleted. Fails with {@link IllegalStateException} for an empty,
   * a plain, an abandoned or an already finished builder.
   */
  public FileTarget finish() throws IOException {
    if (streamFileSystem == null) {
      throw new IllegalStateException("a plain builder is written with writeTo(fs, path)");
    }
    if (abandoned || complete) {
      throw new IllegalStateException("the builder was already " + (abandoned ? "abandoned" : "finished"));
    }
    if (isEmpty()) {
      throw new IllegalStateException("an empty table cannot be written");
    }
    finishBlocks();
    WritableFile file = openStream();
    try {
      blocks.drainTo(file);
      writeRegions(file);
    } catch (Throwable failure) {
      closeAndDelete(failure, file, streamFileSystem, target.path());
      abandoned = true;
      throw failure;
    }
    file.close();
    complete = true;
    return target;
  }

  /**
   * Gives up a streaming builder: deletes the part of its file written so far, if any. Idempotent;
   * nothing can be added or finished afterwards. Does nothing to a finished builder's table.
   */
  public void abandon() throws IOException {
    if (streamFileSystem == null || complete || abandoned) {
      return;
    }
    abandoned = true;
    finished = true;
    if (target != null) {
      streamFileSystem.delete(target.path());
    }
  }

  /**
   * A streaming builder's file, once it created it (at its first spill or in {@link #finish});
   * null before, and always for a plain builder.
   */
  public FileTarget target() {
    return target;
  }

  /** Whether this builder writes its own file as it goes (see {@link #finish}). */
  public boolean isStreaming() {
    return streamFileSystem != null;
  }

  private void writeRegions(WritableFile file) throws IOException {
    byte[] indexRegion = sealRegion(index.encode());
    byte[] bloomRegion = sealRegion(BloomFilter.encode(userKeyHashes, distinctUserKeys,
        options.bloomFalsePositive()));
    byte[] propertiesRegion = sealRegion(new TableProperties(keyCount, maxVersion,
        uncompressedSize, staleDataSize, options.compression(), formatVersion(), smallestKey,
        Arrays.copyOf(lastKey, lastKeyLength)).encode());
    long indexOffset = TableFormat.HEADER_SIZE + blocks.size();
    long bloomOffset = indexOffset + indexRegion.length;
    long propertiesOffset = bloomOffset + bloomRegion.length;
    byte[] footer = new TableFooter(indexOffset, indexRegion.length, bloomOffset,
        bloomRegion.length, propertiesOffset, propertiesRegion.length, dataKeyId()).encode();
    file.write(indexRegion);
    file.write(bloomRegion);
    file.write(propertiesRegion);
    file.write(footer);
    file.sync();
  }

  /** Closes a file whose writing failed and deletes it; cleanup failures join {@code failure}. */
  private static void closeAndDelete(Throwable failure, WritableFile file, FileSystem fs, Path path) {
    try {
      file.close();
    } catch (IOException | RuntimeException closeFailure) {
      failure.addSuppressed(closeFailure);
    }
    try {
      fs.delete(path);
    } catch (IOException | RuntimeException deleteFailure) {
      failure.addSuppressed(deleteFailure);
    }
  }

  /**
   * A streaming builder's file, open for appending: created with the header when it is first
   * needed (its target chosen then), reopened at its end afterwards.
   */
  private WritableFile openStream() throws IOException {
    if (target != null) {
      return streamFileSystem.openForAppend(target.path());
    }
    FileTarget chosen = Objects.requireNonNull(targets.get(), "targets gave no file");
    WritableFile file = streamFileSystem.createFile(chosen.path()); // not ours if it exists
    target = chosen;
    try {
      file.write(TableFormat.header(formatVersion()));
    } catch (Throwable failure) {
      closeAndDelete(failure, file, streamFileSystem, target.path());
      throw failure;
    }
    return file;
  }

  /** Appends the buffered blocks of a streaming builder to its file. */
  private void spill() throws IOException {
    WritableFile file = openStream();
    try {
      blocks.drainTo(file);
    } catch (Throwable failure) {
      closeAndDelete(failure, file, streamFileSystem, target.path());
      abandoned = true;
      finished = true;
      throw failure;
    }
    file.close();
  }

  private void addEntry(byte[] key, ValueStruct value) throws IOException {
    if (finished) {
      throw new IllegalStateException(abandoned ? "entries cannot be added to an abandoned builder"
          : "entries cannot be added after writeTo or finish");
    }
    checkKey(key);
    int valueSize = value.encodedSize();
    boolean newBlock = block.isEmpty()
        || block.contentSizeWith(key, valueSize) > options.blockSize();
    if (estimatedSize() + growthBound(key.length, valueSize, newBlock)
        > TableFormat.MAX_TABLE_SIZE) {
      throw new IllegalStateException("table would exceed " + TableFormat.MAX_TABLE_SIZE + " bytes");
    }
    if (newBlock && !block.isEmpty()) {
      finishBlock();
      if (streamFileSystem != null && blocks.buffered() >= SPILL_BYTES) {
        spill();
      }
    }
    if (newBlock && index.blockCount() + 1 >= TableFormat.MAX_BLOCK_COUNT) {
      throw new IllegalStateException("table would exceed " + TableFormat.MAX_BLOCK_COUNT
          + " blocks; use a larger block size");
    }
    if (lastKeyLength < 0) {
      smallestKey = key.clone();
    }
    if (lastKeyLength < 0 || !Arrays.equals(lastKey, 0, lastKeyLength - InternalKey.SUFFIX_LENGTH,
        key, 0, key.length - InternalKey.SUFFIX_LENGTH)) {
      addUserKeyHash(BloomFilter.hash(key, 0, key.length - InternalKey.SUFFIX_LENGTH));
    }
    block.add(key, value);
    keyCount++;
    long version = InternalKey.version(key);
    if (Long.compareUnsigned(version, maxVersion) > 0) {
      maxVersion = version;
    }
    if (lastKey.length < key.length) {
      lastKey = new byte[Math.max(key.length, 2 * lastKey.length)];
    }
    System.arraycopy(key, 0, lastKey, 0, key.length);
    lastKeyLength = key.length;
  }

  /** At most how much {@link #estimatedSize()} grows by adding an entry. */
  private long growthBound(int keyLength, int valueSize, boolean newBlock) {
    long entry = 2L * Integer.BYTES + keyLength + valueSize; // header, diff, value, offset slot
    long index = newBlock ? Integer.BYTES + Long.BYTES + Integer.BYTES + Short.BYTES + keyLength
        + TableFormat.BLOCK_TRAILER_SIZE + Integer.BYTES + blockOverhead() : 0;
    long bloom = options.bloomFalsePositive() == 0 ? 0
        : (long) Math.ceil(BloomFilter.bitsPerKey(options.bloomFalsePositive()) / 8) + 1;
    return entry + index + bloom + keyLength; // the biggest key in the properties grows too
  }

  private void checkKey(byte[] key) {
    if (key.length < InternalKey.SUFFIX_LENGTH || key.length > TableFormat.MAX_KEY_LENGTH) {
      throw new IllegalArgumentException("internal key of " + key.length
          + " bytes; tables take keys of 8 to 65535 bytes");
    }
    if (lastKeyLength >= 0
        && InternalKey.compare(lastKey, 0, lastKeyLength, key, 0, key.length) >= 0) {
      throw new IllegalArgumentException("key " + InternalKey.toString(key)
          + " does not follow " + InternalKey.toString(Arrays.copyOf(lastKey, lastKeyLength)));
    }
  }

  private void addUserKeyHash(long hash) {
    if (distinctUserKeys == userKeyHashes.length) {
      userKeyHashes = Arrays.copyOf(userKeyHashes, 2 * distinctUserKeys);
    }
    userKeyHashes[distinctUserKeys++] = hash;
  }

  /** Ends adding: finishes the open block. */
  private void finishBlocks() {
    if (!finished) {
      finished = true;
      finishBlock();
    }
  }

  /** Compresses the open block if that pays, frames it and appends it to the finished blocks. */
  private void finishBlock() {
    int contentLength = block.finish();
    byte[] content = block.buffer();
    uncompressedSize += contentLength;
    long offset = TableFormat.HEADER_SIZE + blocks.size();
    boolean tryCompression = compressor.type() != CompressionType.NONE
        && (unprofitableBlocks < GIVE_UP_AFTER || ++blocksSinceTry >= RETRY_EVERY);
    byte[] compressed = null;
    if (tryCompression) {
      blocksSinceTry = 0;
      compressed = compressor.compress(content, 0, contentLength);
      boolean pays = Varint.length(contentLength) + compressed.length
          <= contentLength - contentLength / 8;
      unprofitableBlocks = pays ? 0 : unprofitableBlocks + 1;
    }
    int storedLength;
    if (compressed != null && Varint.length(contentLength) + compressed.length
        <= contentLength - contentLength / 8) {
      int payloadLength = Varint.length(contentLength) + compressed.length;
      byte[] stored = new byte[payloadLength + TableFormat.BLOCK_TRAILER_SIZE];
      int position = Varint.write(stored, 0, contentLength);
      System.arraycopy(compressed, 0, stored, position, compressed.length);
      storedLength = writeBlock(stored, payloadLength, compressor.type());
    } else {
      // Compression saved less than 1/8: store the content as it is and read it in place later.
      storedLength = writeBlock(content, contentLength, CompressionType.NONE);
    }
    index.add(offset, storedLength, block.baseKey(), block.baseKeyLength());
    block.reset();
  }

  /**
   * Appends one finished block, {@code payloadLength} bytes of {@code payload} (which has room for
   * the trailer after them), sealed first when the table is encrypted; returns its stored length.
   */
  private int writeBlock(byte[] payload, int payloadLength, CompressionType type) {
    byte[] stored = payload;
    int length = payloadLength;
    if (dataKey != null) {
      stored = sealBlock(payload, payloadLength);
      length = stored.length - TableFormat.BLOCK_TRAILER_SIZE;
    }
    appendTrailer(stored, length, type);
    blocks.write(stored, 0, length + TableFormat.BLOCK_TRAILER_SIZE);
    return length + TableFormat.BLOCK_TRAILER_SIZE;
  }

  /**
   * The encryption step of a finished block: {@code iv | ciphertext of the payload}, with room
   * for the trailer after it. The trailer's checksum then covers the ciphertext, so a flipped bit
   * is caught before anything is decrypted.
   */
  private byte[] sealBlock(byte[] payload, int payloadLength) {
    byte[] sealed = new byte[DataKey.sealedLength(payloadLength) + TableFormat.BLOCK_TRAILER_SIZE];
    dataKey.seal(payload, 0, payloadLength, sealed, 0);
    return sealed;
  }

  /**
   * A region as stored: as encoded in a plain table; in an encrypted one {@code iv | ciphertext |
   * crc32c u32 (of iv and ciphertext)}. An empty region (no bloom filter) stays empty.
   */
  private byte[] sealRegion(byte[] region) {
    if (dataKey == null || region.length == 0) {
      return region;
    }
    byte[] sealed = new byte[DataKey.sealedLength(region.length) + TableFormat.REGION_CHECKSUM_SIZE];
    int end = dataKey.seal(region, 0, region.length, sealed, 0);
    LittleEndian.putInt(sealed, end, Crc32c.of(sealed, 0, end));
    return sealed;
  }

  private int blockOverhead() {
    return dataKey == null ? 0 : TableFormat.SEALED_BLOCK_OVERHEAD;
  }

  private long dataKeyId() {
    return dataKey == null ? 0 : dataKey.id();
  }

  private int formatVersion() {
    return dataKey == null ? TableFormat.FORMAT_VERSION : TableFormat.ENCRYPTED_FORMAT_VERSION;
  }

  /** Writes the type byte and the checksum of payload and type after the payload. */
  private static void appendTrailer(byte[] stored, int payloadLength, CompressionType type) {
    stored[payloadLength] = (byte) type.id();
    LittleEndian.putInt(stored, payloadLength + 1, Crc32c.of(stored, 0, payloadLength + 1));
  }
}
