package dev.sett.internal.sstable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.codec.CompressionType;
import dev.sett.internal.fs.InMemoryFileSystem;
import dev.sett.internal.key.KeyValueIterator;
import dev.sett.internal.key.ValueStruct;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Which reads the block cache serves, and when it forgets a table. */
class BlockCacheTest {
  private static final Path PATH = Path.of("/db/000001.sst");

  private final InMemoryFileSystem fs = new InMemoryFileSystem();
  private TableOptions options;
  private int compressedBlocks;
  private int blocks;

  @BeforeEach
  void writeTable() throws IOException {
    write(CompressionType.LZ4);
  }

  @Test
  void compressedBlocksAreDecompressedOnceThenHit() throws IOException {
    BlockCache cache = new BlockCache(1 << 20);
    Table table = Table.open(fs, PATH, 1, options, cache);
    try {
      assertTrue(compressedBlocks > 10 && compressedBlocks == blocks,
          compressedBlocks + " of " + blocks + " blocks compressed");
      scan(table, false);
      assertEquals(0, cache.hitCount());
      assertEquals(compressedBlocks, cache.missCount());
      scan(table, true);
      assertEquals(compressedBlocks, cache.hitCount());
      assertEquals(compressedBlocks, cache.missCount());
      table.get(key(5), 1);
      assertEquals(compressedBlocks + 1, cache.hitCount());

      cache.invalidateTable(1);
      scan(table, false);
      assertEquals(2L * compressedBlocks, cache.missCount());
    } finally {
      table.release();
    }
  }

  @Test
  void releasedTableLeavesNothingBehind() throws IOException {
    BlockCache cache = new BlockCache(1 << 20);
    Table table = Table.open(fs, PATH, 1, options, cache);
    scan(table, false);
    table.release();
    Table reopened = Table.open(fs, PATH, 1, options, cache);
    try {
      scan(reopened, false);
      assertEquals(0, cache.hitCount(), "a new table with the same id finds no stale blocks");
      assertEquals(2L * compressedBlocks, cache.missCount());
    } finally {
      reopened.release();
    }
  }

  @Test
  void smallCacheEvicts() throws IOException {
    BlockCache cache = new BlockCache(600);
    Table table = Table.open(fs, PATH, 1, options, cache);
    try {
      scan(table, false);
      scan(table, false);
      assertEquals(2L * compressedBlocks, cache.hitCount() + cache.missCount());
      assertTrue(cache.hitCount() < compressedBlocks / 2, "hits " + cache.hitCount());
    } finally {
      table.release();
    }
  }

  @Test
  void disabledCacheStillReads() throws IOException {
    BlockCache cache = BlockCache.disabled();
    Table table = Table.open(fs, PATH, 1, options, cache);
    try {
      scan(table, false);
      scan(table, true);
      assertEquals(0, cache.hitCount());
      assertEquals(0, cache.missCount());
    } finally {
      table.release();
    }
  }

  @Test
  void uncompressedBlocksAreReadInPlace() throws IOException {
    write(CompressionType.NONE);
    BlockCache cache = new BlockCache(1 << 20);
    Table table = Table.open(fs, PATH, 1, options, cache);
    try {
      scan(table, false);
      table.get(key(5), 1);
      assertEquals(0, cache.hitCount() + cache.missCount());
    } finally {
      table.release();
    }
  }

  @Test
  void rejectsNegativeSize() {
    assertThrows(IllegalArgumentException.class, () -> new BlockCache(-1));
  }

  private void write(CompressionType compression) throws IOException {
    fs.delete(PATH);
    options = new TableOptions(256, 0.01, compression, 1, false, true);
    TableModel model = new TableModel();
    for (int i = 0; i < 200; i++) {
      byte[] value = ("value " + i + " value " + i + " value " + i)
          .getBytes(StandardCharsets.US_ASCII);
      model.put(key(i), 1, new ValueStruct((byte) 0, (byte) 0, 0, 0, value));
    }
    model.writeTable(options, fs, PATH);
    blocks = TableFiles.blockTypes(fs.readAllBytes(PATH)).size();
    compressedBlocks = (int) TableFiles.blockTypes(fs.readAllBytes(PATH)).stream()
        .filter(type -> type != CompressionType.NONE.id()).count();
  }

  private static void scan(Table table, boolean reverse) {
    try (KeyValueIterator iterator = table.iterator(reverse)) {
      for (iterator.rewind(); iterator.valid(); iterator.next()) {
        iterator.value();
      }
    }
  }

  private static byte[] key(int i) {
    return String.format("key%05d", i).getBytes(StandardCharsets.US_ASCII);
  }
}
