package dev.sett.internal.sstable;

import dev.sett.internal.codec.CompressionType;
import dev.sett.internal.codec.Compressor;
import dev.sett.internal.codec.Crc32c;
import dev.sett.internal.codec.DataKey;
import dev.sett.internal.codec.Varint;
import dev.sett.internal.fs.CorruptFileException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Turns a block of a table into readable content: checks the stored block's checksum when the
 * options ask for it, decompresses through the {@link BlockCache}, and parses.
 *
 * <pre>
 * stored block = payload | compression type u8 | crc32c u32 (of payload and type)
 * payload      = content                                          (type NONE)
 *              | uncompressedLength varint | compressed content   (LZ4, ZSTD)
 * </pre>
 *
 * A block stored uncompressed is read in place from the mapping and never cached. Each block's
 * checksum is verified at most once per open table (a bit per block remembers it), except that a
 * compressed block is always verified before it is decompressed: a decompressor fed garbage may
 * still produce bytes.
 *
 * <p>In an encrypted table the payload is {@code iv[16] | ciphertext}, and the checksum covers the
 * ciphertext: every block is verified, decrypted (then decompressed) and cached, like a compressed
 * one.
 *
 * <p>Thread-safety: safe for concurrent use; the verified-bits are atomic and a block verified
 * twice by racing threads is harmless.
 */
final class BlockReader {
  private final ByteBuffer buffer;
  private final Path file;
  private final long tableId;
  private final BlockCache cache;
  private final boolean verifyOnRead;
  private final long maxUncompressedSize;
  private final AtomicLongArray verified;
  /** The key that sealed the blocks, or null for a plain table. */
  private final DataKey dataKey;
  /** Whether a block of this table went into the cache, so closing knows whether to evict. */
  private volatile boolean cachedAny;

  BlockReader(ByteBuffer buffer, Path file, long tableId, int blockCount, BlockCache cache,
      boolean verifyOnRead, long maxUncompressedSize, DataKey dataKey) {
    this.buffer = buffer;
    this.file = file;
    this.tableId = tableId;
    this.cache = cache;
    this.verifyOnRead = verifyOnRead;
    this.maxUncompressedSize = maxUncompressedSize;
    this.verified = new AtomicLongArray((blockCount + 63) >>> 6);
    this.dataKey = dataKey;
  }

  /** The content of block {@code block}, located through the table's {@code index}. */
  Block read(TableIndex index, int block) throws CorruptFileException {
    int offset = index.blockOffset(block);
    int payloadLength = index.storedLength(block) - TableFormat.BLOCK_TRAILER_SIZE;
    int typeId = buffer.get(offset + payloadLength) & 0xFF;
    if (typeId == CompressionType.NONE.id() && dataKey == null) {
      if (verifyOnRead && !isVerified(block)) {
        verify(index, block);
      }
      return Block.parse(buffer, offset, payloadLength, file, offset);
    }
    Block cached = cache.get(tableId, block);
    if (cached != null) {
      return cached;
    }
    verify(index, block);
    CompressionType type = CompressionType.ofId(typeId);
    if (type == null) {
      throw new CorruptFileException(file, offset, "block has unknown compression type " + typeId);
    }
    ByteBuffer payload = buffer.duplicate().limit(offset + payloadLength).position(offset);
    if (dataKey != null) {
      if (payloadLength < DataKey.IV_LENGTH) {
        throw new CorruptFileException(file, offset, "encrypted block is shorter than its IV");
      }
      payload = ByteBuffer.wrap(dataKey.open(buffer, offset, payloadLength));
    }
    Block content = Block.parse(type == CompressionType.NONE ? plainBytes(payload)
        : decompress(type, payload, offset), file, offset);
    cache.put(tableId, block, content);
    if (!cachedAny) {
      cachedAny = true;
    }
    return content;
  }

  /** Whether any block of this table was put in the block cache. */
  boolean cachedAny() {
    return cachedAny;
  }

  /** Verifies block {@code block}'s checksum and remembers that it passed. */
  void verify(TableIndex index, int block) throws CorruptFileException {
    int offset = index.blockOffset(block);
    int checked = index.storedLength(block) - Integer.BYTES;
    if (Crc32c.of(buffer, offset, checked) != buffer.getInt(offset + checked)) {
      throw new CorruptFileException(file, offset, "block " + block + " checksum mismatch");
    }
    verified.getAndAccumulate(block >>> 6, 1L << block, (word, bit) -> word | bit);
  }

  private boolean isVerified(int block) {
    return (verified.get(block >>> 6) & (1L << block)) != 0;
  }

  private static byte[] plainBytes(ByteBuffer payload) {
    if (payload.hasArray() && payload.arrayOffset() == 0 && payload.position() == 0
        && payload.remaining() == payload.array().length) {
      return payload.array();
    }
    byte[] bytes = new byte[payload.remaining()];
    payload.get(bytes);
    return bytes;
  }

  /** Decompresses {@code payload} (the block at file offset {@code offset}). */
  private byte[] decompress(CompressionType type, ByteBuffer payload, int offset)
      throws CorruptFileException {
    int uncompressedLength;
    try {
      long length = Varint.read(payload);
      if (length < 0 || length > maxUncompressedSize) {
        throw new CorruptFileException(file, offset, "block claims " + Long.toUnsignedString(length)
            + " uncompressed bytes, more than the table's " + maxUncompressedSize);
      }
      uncompressedLength = (int) length;
    } catch (IllegalArgumentException e) {
      throw new CorruptFileException(file, offset, "block has a malformed length", e);
    }
    byte[] compressed = new byte[payload.remaining()];
    payload.get(compressed);
    try {
      return Compressor.decompress(type, compressed, 0, compressed.length, uncompressedLength);
    } catch (IOException e) {
      throw new CorruptFileException(file, offset, "block does not decompress: " + e.getMessage(), e);
    }
  }
}
