package dev.sett.internal.sstable;

/**
 * A cache of decompressed (and, in an encrypted store, decrypted) data blocks shared by all tables
 * of a DB, bounded by bytes. Blocks of a plain table stored uncompressed never enter it: they are
 * read straight from the table's mapping, which the page cache already caches.
 *
 * <p>Keys pack the table id and the block index into one long ({@code tableId << 24 | block}), so a
 * lookup allocates no composite key object; {@link Table#open} rejects ids of 2^39 or more.
 *
 * <p>Thread-safety: safe for concurrent use (see {@link ByteBoundedCache}).
 */
public final class BlockCache extends ByteBoundedCache<Block> {
  static final int BLOCK_INDEX_BITS = 24;

  /** A cache holding up to {@code maxBytes} bytes of blocks; 0 disables caching. */
  public BlockCache(long maxBytes) {
    super("block cache", maxBytes, Block::heapSize);
  }

  /** A cache that holds nothing: every compressed block is decompressed on every read. */
  public static BlockCache disabled() {
    return new BlockCache(0);
  }

  /** Evicts every cached block of table {@code tableId}. Scans the cache once. */
  public void invalidateTable(long tableId) {
    if (enabled()) {
      entries().asMap().keySet().removeIf(key -> key >>> BLOCK_INDEX_BITS == tableId);
    }
  }

  /** Evicts the blocks of a table of {@code blockCount} blocks, by key when that is cheaper. */
  void invalidateTable(long tableId, int blockCount) {
    if (!enabled()) {
      return;
    }
    if (blockCount > entries().estimatedSize()) {
      invalidateTable(tableId);
      return;
    }
    for (int block = 0; block < blockCount; block++) {
      drop(key(tableId, block));
    }
  }

  Block get(long tableId, int block) {
    return lookup(key(tableId, block));
  }

  void put(long tableId, int block, Block content) {
    store(key(tableId, block), content);
  }

  private static long key(long tableId, int block) {
    return tableId << BLOCK_INDEX_BITS | block;
  }
}
