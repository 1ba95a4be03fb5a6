package dev.sett;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DB#blockCacheMetrics()} and {@link DB#indexCacheMetrics()}: hits, misses, evictions and
 * bytes move as the caches are used, and a cache that is off reports zeros.
 */
class CacheMetricsTest {
  private static final int KEYS = 4000;

  @TempDir
  Path dir;

  private static byte[] key(int i) {
    return String.format("key%06d", i).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] value(int i) {
    return ("value of key " + i + " ").repeat(8).getBytes(StandardCharsets.UTF_8);
  }

  /** Writes {@link #KEYS} keys in tables of a few blocks each, closed so that they are flushed. */
  private void fill(Options options) {
    try (DB db = DB.open(options); WriteBatch batch = db.newWriteBatch()) {
      for (int i = 0; i < KEYS; i++) {
        batch.set(key(i), value(i));
      }
      batch.flush();
    }
  }

  private Options.Builder small() {
    return Options.builder(dir).memTableSize(64 << 10).blockSize(1024).numCompactors(0)
        .compression(Compression.LZ4);
  }

  @Test
  void blockCacheCountsMissesThenHits() {
    Options options = small().blockCacheSize(8 << 20).build();
    fill(options);
    try (DB db = DB.open(options)) {
      CacheMetrics start = db.blockCacheMetrics();
      assertEquals(new CacheMetrics(0, 0, 0, 0, 8 << 20), start);
      assertArrayEquals(value(7), db.get(key(7)));
      CacheMetrics first = db.blockCacheMetrics();
      assertTrue(first.misses() >= 1, first.toString());
      assertTrue(first.sizeBytes() > 0, first.toString());
      assertArrayEquals(value(7), db.get(key(7)));
      CacheMetrics second = db.blockCacheMetrics();
      assertEquals(first.misses(), second.misses(), "the block is cached now");
      assertTrue(second.hits() > first.hits(), second.toString());
      assertEquals(0, second.evictions());
    }
  }

  @Test
  void aSmallBlockCacheEvicts() {
    Options options = small().blockCacheSize(16 << 10).build();
    fill(options);
    try (DB db = DB.open(options)) {
      for (int i = 0; i < KEYS; i += 7) {
        assertArrayEquals(value(i), db.get(key(i)));
      }
      CacheMetrics metrics = db.blockCacheMetrics();
      assertTrue(metrics.evictions() > 0, metrics.toString());
      assertTrue(metrics.sizeBytes() <= metrics.capacityBytes(), metrics.toString());
    }
  }

  @Test
  void indexCacheOffReportsZeros() {
    Options options = small().build();
    fill(options);
    try (DB db = DB.open(options)) {
      assertArrayEquals(value(1), db.get(key(1)));
      assertEquals(new CacheMetrics(0, 0, 0, 0, 0), db.indexCacheMetrics());
    }
  }

  @Test
  void indexCacheHitsWhenItHoldsEveryIndex() {
    Options options = small().indexCacheSize(8 << 20).build();
    fill(options);
    try (DB db = DB.open(options)) {
      CacheMetrics opened = db.indexCacheMetrics();
      int tables = db.tables().size();
      assertTrue(tables > 1, "tables: " + tables);
      long regions = db.tables().stream()
          .mapToLong(t -> t.indexSize() + t.bloomFilterSize()).sum();
      assertTrue(opened.sizeBytes() >= regions, opened + " vs " + regions + " bytes of regions");
      for (int i = 0; i < KEYS; i++) {
        assertArrayEquals(value(i), db.get(key(i)));
      }
      CacheMetrics after = db.indexCacheMetrics();
      assertEquals(0, after.misses(), "every index was loaded at open: " + after);
      assertTrue(after.hits() >= KEYS, after.toString());
      assertEquals(0, after.evictions());
    }
  }

  /**
   * A cache smaller than the indexes of all tables evicts them, and lookups load them again from
   * the files: every read still returns the right value.
   */
  @Test
  void aSmallIndexCacheEvictsAndReloads() {
    Options options = small().indexCacheSize(1).build();
    fill(options);
    try (DB db = DB.open(options)) {
      for (int i = 0; i < KEYS; i++) {
        assertArrayEquals(value(i), db.get(key(i)));
      }
      int scanned = 0;
      try (Txn txn = db.newTransaction(false);
          DbIterator it = txn.newIterator(IteratorOptions.DEFAULT)) {
        for (it.rewind(); it.valid(); it.next()) {
          assertArrayEquals(value(scanned), it.item().value());
          scanned++;
        }
      }
      assertEquals(KEYS, scanned);
      CacheMetrics metrics = db.indexCacheMetrics();
      assertTrue(metrics.misses() > 0, metrics.toString());
      assertTrue(metrics.evictions() > 0, metrics.toString());
      assertTrue(metrics.sizeBytes() <= metrics.capacityBytes(), metrics.toString());
      db.verifyChecksum();
    }
  }
}
