package dev.sett;

import static dev.sett.testing.Bytes.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compaction seen from the API: shapes of the levels, data equal to a model, version retention,
 * tombstones, drops and readers racing compactions. Tiny sizes make every level busy.
 */
class CompactionTest {
  @TempDir
  Path dir;


  private Options.Builder tiny() {
    return Options.builder(dir).memTableSize(1 << 20).baseTableSize(256 << 10).baseLevelSize(1 << 20)
        .blockSize(1024).numLevelZeroTables(2).numLevelZeroTablesStall(4).numCompactors(2);
  }

  private static long seed() {
    String fixed = System.getProperty("sett.seed");
    return fixed != null ? Long.parseLong(fixed) : new Random().nextLong();
  }

  /** Levels 1 and up sorted and non-overlapping (by user key), per db.tables(). */
  static void assertLevelsSorted(DB db) {
    List<TableInfo> tables = db.tables();
    for (int level = 1; level < db.options().maxLevels(); level++) {
      int current = level;
      List<TableInfo> onLevel = new ArrayList<>(tables.stream().filter(t -> t.level() == current).toList());
      onLevel.sort((x, y) -> Arrays.compareUnsigned(x.smallestKey(), y.smallestKey()));
      for (int i = 0; i < onLevel.size(); i++) {
        TableInfo table = onLevel.get(i);
        assertTrue(Arrays.compareUnsigned(table.smallestKey(), table.biggestKey()) <= 0, table.toString());
        if (i > 0) {
          assertTrue(Arrays.compareUnsigned(onLevel.get(i - 1).biggestKey(), table.smallestKey()) < 0,
              "L" + level + " overlaps: " + onLevel.get(i - 1) + " / " + table);
        }
      }
    }
  }

  private static void awaitLevel0Below(DB db, int tables) throws InterruptedException {
    // One reading per round, asserted as read: a memtable flushing meanwhile may add a table again
    // right after compaction drained L0, and a second reading would see that instead.
    long deadline = System.nanoTime() + 30_000_000_000L;
    int seen = db.levels().get(0).numTables();
    while (seen >= tables && System.nanoTime() < deadline) {
      Thread.sleep(20);
      seen = db.levels().get(0).numTables();
    }
    assertTrue(seen < tables, "L0 still at " + seen);
  }

  @Test
  void heavyRandomWritesKeepTheLevelsSortedAndTheDataEqualToAModel() throws Exception {
    long seed = seed();
    System.out.println("CompactionTest seed " + seed);
    Random random = new Random(seed);
    NavigableMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
    try (DB db = DB.open(tiny().build())) {
      for (int batch = 0; batch < 120; batch++) {
        db.update(txn -> {
          for (int i = 0; i < 100; i++) {
            byte[] key = bytes(String.format("key%06d", random.nextInt(8000)));
            if (random.nextInt(10) == 0) {
              txn.delete(key);
              model.remove(key);
            } else {
              byte[] value = new byte[100 + random.nextInt(400)];
              random.nextBytes(value);
              txn.set(key, value);
              model.put(key, value);
            }
          }
        });
      }
      awaitLevel0Below(db, 2); // compaction catches up once writes stop
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (db.levels().stream().skip(1).allMatch(level -> level.numTables() == 0)
          && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertLevelsSorted(db);
      assertTrue(db.levels().stream().skip(1).anyMatch(level -> level.numTables() > 0),
          "compaction moved data below L0: " + db.levels());
      assertEqualsModel(db, model, seed);
    }
    try (DB db = DB.open(tiny().build())) {
      assertEqualsModel(db, model, seed);
      db.flatten(2);
      assertLevelsSorted(db);
      long levelsWithData = db.levels().stream().filter(level -> level.numTables() > 0).count();
      assertEquals(1, levelsWithData, "flatten leaves one level: " + db.levels());
      assertEqualsModel(db, model, seed);
      db.verifyChecksum();
    }
  }

  static void assertEqualsModel(DB db, NavigableMap<byte[], byte[]> model, long seed) {
    try (Txn txn = db.newTransaction(false); DbIterator it = txn.newIterator(IteratorOptions.DEFAULT)) {
      var expected = model.entrySet().iterator();
      for (it.rewind(); it.valid(); it.next()) {
        assertTrue(expected.hasNext(), "extra key " + new String(it.item().key(), StandardCharsets.UTF_8));
        Map.Entry<byte[], byte[]> entry = expected.next();
        assertArrayEquals(entry.getKey(), it.item().key(), "seed " + seed);
        assertArrayEquals(entry.getValue(), it.item().value(), "seed " + seed);
      }
      assertFalse(expected.hasNext(), "missing keys; seed " + seed);
    }
    for (Map.Entry<byte[], byte[]> entry : model.entrySet()) {
      assertArrayEquals(entry.getValue(), db.get(entry.getKey()), "seed " + seed);
    }
  }

  private static int versionsOf(DB db, byte[] key) {
    int versions = 0;
    try (Txn txn = db.newTransaction(false); DbIterator it = txn.newKeyIterator(key, IteratorOptions.DEFAULT)) {
      for (it.rewind(); it.valid(); it.next()) {
        versions++;
      }
    }
    return versions;
  }

  @Test
  void compactionKeepsNumVersionsToKeepAndWhatOpenReadersSee() {
    try (DB db = DB.open(tiny().numVersionsToKeep(2).build())) {
      db.put(bytes("k"), bytes("v0"));
      Txn oldReader = db.newTransaction(false); // sees v0 and must keep seeing it
      for (int i = 1; i <= 5; i++) {
        db.put(bytes("k"), bytes("v" + i));
      }
      db.flatten(1);
      // Versions above the discard timestamp (held down by oldReader) are never dropped.
      assertEquals(6, versionsOf(db, bytes("k")));
      assertEquals("v0", new String(oldReader.get(bytes("k")).value(), StandardCharsets.UTF_8));
      oldReader.close();
      db.put(bytes("k"), bytes("v6")); // its table overlaps the old versions, so flatten rewrites them
      db.flatten(1);
      assertEquals(2, versionsOf(db, bytes("k")), "numVersionsToKeep=2 once no reader needs more");
      assertEquals("v6", new String(db.get(bytes("k")), StandardCharsets.UTF_8));
    }
  }

  @Test
  void tombstonesVanishOnceCompactedIntoTheLastLevel() {
    try (DB db = DB.open(tiny().build())) {
      for (int i = 0; i < 2000; i++) {
        db.put(bytes(String.format("t%05d", i)), new byte[200]);
      }
      for (int i = 0; i < 2000; i += 2) {
        db.delete(bytes(String.format("t%05d", i)));
      }
      db.flatten(2);
      long entries = db.tables().stream().mapToLong(TableInfo::keyCount).sum();
      assertEquals(1000, entries, "only the live keys remain, without tombstones or old versions");
      try (Txn txn = db.newTransaction(false);
          DbIterator it = txn.newIterator(IteratorOptions.builder().allVersions(true).build())) {
        for (it.rewind(); it.valid(); it.next()) {
          assertFalse(it.item().isDeletedOrExpired(), "a tombstone survived: " + it.item());
        }
      }
    }
  }

  @Test
  void discardEarlierVersionsPrunesOlderVersionsAtCompaction() {
    try (DB db = DB.open(tiny().numVersionsToKeep(10).build())) {
      for (int i = 0; i < 4; i++) {
        db.put(bytes("d"), bytes("old" + i));
      }
      db.update(txn -> txn.setEntry(Entry.of(bytes("d"), bytes("new")).withDiscardEarlierVersions()));
      db.flatten(1);
      assertEquals(1, versionsOf(db, bytes("d")));
      assertEquals("new", new String(db.get(bytes("d")), StandardCharsets.UTF_8));
    }
  }

  @Test
  void readersIteratorsAndDropsRunSafelyDuringCompaction() throws Exception {
    long seed = seed();
    System.out.println("CompactionTest concurrent seed " + seed);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicLong reads = new AtomicLong();
    try (DB db = DB.open(tiny().build())) {
      // "stable/" keys are written once and never dropped: readers check them throughout.
      for (int i = 0; i < 500; i++) {
        db.put(bytes(String.format("stable/%04d", i)), bytes("value" + i));
      }
      List<Thread> threads = new ArrayList<>();
      threads.add(new Thread(() -> {
        Random random = new Random(seed);
        try {
          while (!stop.get()) {
            db.update(txn -> {
              for (int i = 0; i < 50; i++) {
                txn.set(bytes("churn/" + random.nextInt(5000)), new byte[300]);
              }
            });
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      }));
      for (int r = 0; r < 2; r++) {
        int reader = r;
        threads.add(new Thread(() -> {
          Random random = new Random(seed + reader);
          try {
            while (!stop.get()) {
              int i = random.nextInt(500);
              assertArrayEquals(bytes("value" + i), db.get(bytes(String.format("stable/%04d", i))));
              try (Txn txn = db.newTransaction(false);
                  DbIterator it = txn.newIterator(IteratorOptions.builder().prefix(bytes("stable/")).build())) {
                int count = 0;
                for (it.rewind(); it.valid(); it.next()) {
                  count++;
                }
                assertEquals(500, count);
              }
              reads.incrementAndGet();
            }
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
        }));
      }
      threads.forEach(Thread::start);
      for (int round = 0; round < 3 && failure.get() == null; round++) {
        Thread.sleep(300);
        db.dropPrefix(bytes("churn/"));
      }
      stop.set(true);
      for (Thread thread : threads) {
        thread.join();
      }
      if (failure.get() != null) {
        throw new AssertionError("seed " + seed, failure.get());
      }
      assertTrue(reads.get() > 0);
      db.dropPrefix(bytes("churn/"));
      try (Txn txn = db.newTransaction(false);
          DbIterator it = txn.newIterator(IteratorOptions.builder().prefix(bytes("churn/")).build())) {
        it.rewind();
        assertFalse(it.valid(), "dropPrefix left churn/ keys");
      }
      assertLevelsSorted(db);
      // Dropping everything under an open iterator: the iterator finishes over the tables it
      // holds (they stay mapped until it closes); reads that start after the drop see nothing.
      db.flatten(1);
      try (Txn reader = db.newTransaction(false);
          DbIterator it = reader.newIterator(IteratorOptions.builder().prefix(bytes("stable/")).build())) {
        it.rewind();
        db.dropAll();
        int count = 0;
        for (; it.valid(); it.next()) {
          assertArrayEquals(bytes("value" + count), it.item().value());
          count++;
        }
        assertEquals(500, count);
      }
      assertNull(db.get(bytes("stable/0001")));
      assertTrue(db.tables().isEmpty());
    }
  }

  @Test
  void aWriterStalledOnAFullLevel0Resumes() throws Exception {
    try (DB db = DB.open(tiny().numLevelZeroTables(1).numLevelZeroTablesStall(2).build())) {
      for (int batch = 0; batch < 60; batch++) {
        int first = batch * 100;
        db.update(txn -> {
          for (int i = first; i < first + 100; i++) {
            txn.set(bytes(String.format("s%06d", i)), new byte[1000]);
          }
        });
      }
      awaitLevel0Below(db, 2);
      assertArrayEquals(new byte[1000], db.get(bytes("s005999")));
      assertLevelsSorted(db);
    }
  }
}
