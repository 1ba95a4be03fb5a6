package dev.sett;

import static dev.sett.testing.Bytes.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key-value separation seen from the API: which values go to the value log, reads through
 * pointers, sizes, recovery of a torn value log tail, corruption, garbage collection and drops.
 */
class ValueLogTest {
  private static final long MIB = 1L << 20;

  @TempDir
  Path dir;


  /** A value of {@code length} bytes that names its key and round, so a wrong one is caught. */
  static byte[] value(String key, int round, int length) {
    byte[] value = new byte[length];
    Random random = new Random(key.hashCode() * 31L + round);
    random.nextBytes(value);
    byte[] tag = bytes(key + "#" + round + ";");
    System.arraycopy(tag, 0, value, 0, Math.min(tag.length, length));
    return value;
  }

  private Options.Builder small() {
    return Options.builder(dir).memTableSize(MIB).baseTableSize(256 << 10)
        .baseLevelSize(MIB).valueLogFileSize(MIB).numLevelZeroTables(2)
        .numLevelZeroTablesStall(4).autoValueLogGC(false);
  }

  private List<Path> valueLogFiles() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.getFileName().toString().endsWith(".vlog")).sorted().toList();
    }
  }

  private long valueLogBytesOnDisk() throws IOException {
    long total = 0;
    for (Path file : valueLogFiles()) {
      total += Files.size(file);
    }
    return total;
  }

  @Test
  void valuesFromTheThresholdUpGoToTheValueLogAndSmallerOnesStayInline() throws IOException {
    try (DB db = DB.open(small().build())) {
      long empty = db.size().vlogBytes();
      assertEquals(20, empty, "a new store has one value log file holding only its header");
      db.update(txn -> txn.set(bytes("below"), value("below", 0, 1023)));
      assertEquals(empty, db.size().vlogBytes(), "1023 bytes stay in the LSM tree");
      db.update(txn -> txn.set(bytes("at"), value("at", 0, 1024)));
      long afterOne = db.size().vlogBytes();
      assertTrue(afterOne > empty + 1024, "1024 bytes go to the value log: " + afterOne);
      db.update(txn -> txn.delete(bytes("gone")));
      assertEquals(afterOne, db.size().vlogBytes(), "tombstones never go to the value log");
      assertArrayEquals(value("below", 0, 1023), db.get(bytes("below")));
      assertArrayEquals(value("at", 0, 1024), db.get(bytes("at")));
      db.view(txn -> {
        Item item = txn.get(bytes("at"));
        assertEquals(1024, item.valueSize(), "the pointer gives the size without a read");
        assertEquals(1024 + 2, item.estimatedSize());
      });
      db.sync();
      assertEquals(valueLogBytesOnDisk(), db.size().vlogBytes(), "vlogBytes is exact");
    }
    try (DB db = DB.open(small().build())) {
      assertArrayEquals(value("below", 0, 1023), db.get(bytes("below")));
      assertArrayEquals(value("at", 0, 1024), db.get(bytes("at")));
      assertEquals(valueLogBytesOnDisk(), db.size().vlogBytes());
    }
  }

  @Test
  void aThresholdOfZeroSendsEveryValueEvenAnEmptyOneToTheValueLog() {
    try (DB db = DB.open(small().valueThreshold(0).build())) {
      long empty = db.size().vlogBytes();
      db.update(txn -> txn.set(bytes("k"), new byte[0]));
      assertTrue(db.size().vlogBytes() > empty);
      assertArrayEquals(new byte[0], db.get(bytes("k")));
    }
  }

  @Test
  void anInMemoryStoreKeepsEveryValueInline() {
    try (DB db = DB.open(Options.builder(null).inMemory(true).build())) {
      db.update(txn -> txn.set(bytes("big"), value("big", 0, 100_000)));
      assertArrayEquals(value("big", 0, 100_000), db.get(bytes("big")));
      assertEquals(0, db.size().vlogBytes());
      assertFalse(db.runValueLogGC(0.5));
    }
  }

  @Test
  void iteratorsReadValuesThroughPointersInBothDirectionsWithAndWithoutPrefetch() {
    try (DB db = DB.open(small().build())) {
      List<String> keys = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        String key = String.format("k%04d", i);
        keys.add(key);
        int length = i % 2 == 0 ? 10 : 3000;
        db.update(txn -> txn.set(bytes(key), value(key, 1, length)));
      }
      for (boolean prefetch : new boolean[] {true, false}) {
        for (boolean reverse : new boolean[] {false, true}) {
          IteratorOptions options = IteratorOptions.builder().prefetchValues(prefetch)
              .prefetchSize(7).reverse(reverse).build();
          List<String> seen = new ArrayList<>();
          db.view(txn -> {
            try (DbIterator it = txn.newIterator(options)) {
              for (it.rewind(); it.valid(); it.next()) {
                String key = new String(it.item().key(), StandardCharsets.UTF_8);
                int length = Integer.parseInt(key.substring(1)) % 2 == 0 ? 10 : 3000;
                assertArrayEquals(value(key, 1, length), it.item().value(), key);
                assertEquals(length, it.item().valueSize());
                seen.add(key);
              }
            }
          });
          List<String> expected = new ArrayList<>(keys);
          if (reverse) {
            java.util.Collections.reverse(expected);
          }
          assertEquals(expected, seen, "prefetch " + prefetch + ", reverse " + reverse);
        }
      }
    }
  }

  @Test
  void overwritesThenGcBringTheValueLogBackNearTheLiveData() throws IOException {
    int keys = 600;
    int length = 4096;
    try (DB db = DB.open(small().build())) {
      for (int round = 0; round < 4; round++) {
        writeAll(db, keys, round, length);
      }
      long before = db.size().vlogBytes();
      db.flatten(1); // compactions drop the old versions and count their bytes as garbage
      int collected = 0;
      while (db.runValueLogGC(0.3)) {
        collected++;
      }
      long live = (long) keys * length;
      long after = db.size().vlogBytes();
      assertTrue(collected > 0, "GC collected nothing");
      assertTrue(after <= 1.5 * live, "value log " + after + " bytes for " + live
          + " live bytes (was " + before + ", " + collected + " files collected)");
      assertEquals(valueLogBytesOnDisk(), after, "deleted files are gone from the disk");
      assertAll(db, keys, 3, length);
      assertOneRecordPerVersion(db);
      db.verifyChecksum();
    }
    try (DB db = DB.open(small().build())) {
      assertAll(db, keys, 3, length);
      assertFalse(db.runValueLogGC(0.3), "nothing left above the ratio after a reopen");
    }
  }

  @Test
  void discardStatisticsSurviveAReopen() {
    try (DB db = DB.open(small().build())) {
      writeAll(db, 300, 0, 4096);
      writeAll(db, 300, 1, 4096);
      db.flatten(1);
    }
    try (DB db = DB.open(small().build())) {
      assertTrue(db.runValueLogGC(0.4), "the garbage counted before the restart is known");
      assertAll(db, 300, 1, 4096);
    }
  }

  @Test
  void aReaderAtAnOldSnapshotPinsItsValuesUntilItCloses() throws IOException {
    try (DB db = DB.open(small().build())) {
      writeAll(db, 300, 0, 4096);
      Txn old = db.newTransaction(false);
      byte[] oldValue = old.get(bytes(key(7))).value();
      writeAll(db, 300, 1, 4096);
      writeAll(db, 300, 2, 4096);
      db.flatten(1);
      while (db.runValueLogGC(0.2)) {
        // collects what no reader needs
      }
      // The old snapshot still reads its values, from files GC had to leave alone.
      for (int i = 0; i < 300; i++) {
        assertArrayEquals(value(key(i), 0, 4096), old.get(bytes(key(i))).value(), key(i));
      }
      assertArrayEquals(value(key(7), 0, 4096), oldValue);
      long pinned = db.size().vlogBytes();
      old.close();
      // The versions the reader kept become garbage when a compaction next passes over them.
      writeAll(db, 300, 3, 4096);
      db.flatten(1);
      int collected = 0;
      while (db.runValueLogGC(0.2)) {
        collected++;
      }
      assertTrue(collected > 0, "nothing collected once the reader closed");
      assertTrue(db.size().vlogBytes() < pinned - 300L * 4096,
          db.size() + " after; " + pinned + " while pinned");
      assertAll(db, 300, 3, 4096);
    }
  }

  @Test
  void theActiveFileIsSealedForGcWhenItHoldsTheGarbage() {
    // One big file: everything is in the active file, which Badger would never collect.
    try (DB db = DB.open(small().valueLogFileSize(64 * MIB).build())) {
      writeAll(db, 200, 0, 4096);
      writeAll(db, 200, 1, 4096);
      writeAll(db, 200, 2, 4096);
      db.flatten(1);
      long before = db.size().vlogBytes();
      assertTrue(db.runValueLogGC(0.5));
      assertTrue(db.size().vlogBytes() < before / 2, db.size() + " after, " + before + " before");
      assertAll(db, 200, 2, 4096);
    }
  }

  @Test
  void backgroundGcReclaimsSpaceWithoutBeingAsked() throws Exception {
    try (DB db = DB.open(small().autoValueLogGC(true).valueLogGCDiscardRatio(0.3).build())) {
      for (int round = 0; round < 4; round++) {
        writeAll(db, 600, round, 4096);
      }
      db.flatten(1);
      long live = 600L * 4096;
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (db.size().vlogBytes() > 1.5 * live && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertTrue(db.size().vlogBytes() <= 1.5 * live, "background GC left " + db.size());
      assertAll(db, 600, 3, 4096);
    }
  }

  @Test
  void dropAllDeletesTheValueLogAndTheStoreGoesOn() throws IOException {
    try (DB db = DB.open(small().build())) {
      writeAll(db, 500, 0, 4096);
      assertTrue(valueLogFiles().size() > 1);
      db.dropAll();
      assertEquals(1, valueLogFiles().size(), "only a fresh active file remains: " + valueLogFiles());
      assertEquals(20, db.size().vlogBytes());
      assertNull(db.get(bytes(key(3))));
      writeAll(db, 10, 1, 4096);
    }
    try (DB db = DB.open(small().build())) {
      assertNull(db.get(bytes(key(30))));
      assertAll(db, 10, 1, 4096);
    }
  }

  @Test
  void aTornValueLogTailDropsTheTransactionsThatPointIntoItAndEveryLaterOne() throws IOException {
    Path copy = dir.resolveSibling(dir.getFileName() + "-crashed");
    try (DB db = DB.open(small().valueLogFileSize(64 * MIB).build())) {
      for (int i = 0; i < 20; i++) {
        int n = i;
        db.update(txn -> txn.set(bytes(key(n)), value(key(n), 0, 2000)));
      }
      for (int i = 20; i < 30; i++) {
        int n = i;
        db.update(txn -> txn.set(bytes(key(n)), bytes("small-" + n))); // inline, after the big ones
      }
      db.sync();
      // What a crash leaves: the WAL and value log as they are now, nothing flushed.
      copyDirectory(dir, copy);
    }
    Path valueLogFile;
    try (Stream<Path> files = Files.list(copy)) {
      valueLogFile = files.filter(p -> p.getFileName().toString().endsWith(".vlog")).sorted()
          .reduce((a, b) -> b).orElseThrow();
    }
    long size = Files.size(valueLogFile);
    long recordLength = (size - 20) / 20;
    // Cut the last record and a half: keys 18 and 19 lose their values.
    try (RandomAccessFile file = new RandomAccessFile(valueLogFile.toFile(), "rw")) {
      file.setLength(size - recordLength - recordLength / 2);
    }
    try (DB db = DB.open(Options.builder(copy).autoValueLogGC(false).build())) {
      for (int i = 0; i < 18; i++) {
        assertArrayEquals(value(key(i), 0, 2000), db.get(bytes(key(i))), key(i));
      }
      for (int i = 18; i < 30; i++) {
        assertNull(db.get(bytes(key(i))), key(i) + " committed after a lost value must be gone too");
      }
      db.verifyChecksum();
      db.update(txn -> txn.set(bytes("after"), value("after", 0, 5000)));
    }
    try (DB db = DB.open(Options.builder(copy).build())) {
      assertArrayEquals(value("after", 0, 5000), db.get(bytes("after")));
      assertNull(db.get(bytes(key(18))));
    }
  }

  @Test
  void aFlippedBitInAValueLogRecordIsReportedOnReadAndByVerifyChecksum() throws IOException {
    try (DB db = DB.open(small().build())) {
      writeAll(db, 400, 0, 4096); // several files
    }
    Path first = valueLogFiles().get(0);
    long offset = 20 + 8 + 100; // inside the first record's body
    try (RandomAccessFile file = new RandomAccessFile(first.toFile(), "rw")) {
      file.seek(offset);
      int b = file.read();
      file.seek(offset);
      file.write(b ^ 0x10);
    }
    try (DB db = DB.open(small().build())) {
      int failures = 0;
      for (int i = 0; i < 400; i++) {
        try {
          byte[] v = db.get(bytes(key(i)));
          assertArrayEquals(value(key(i), 0, 4096), v, "a damaged value was returned");
        } catch (CorruptionException e) {
          failures++;
          assertEquals(first.getFileName(), e.file().getFileName(), e.getMessage());
          assertEquals(20, e.offset(), e.getMessage());
        }
      }
      assertEquals(1, failures, "exactly the damaged record fails");
      CorruptionException e = assertThrows(CorruptionException.class, db::verifyChecksum);
      assertTrue(e.getMessage().contains(first.getFileName().toString()), e.getMessage());
    }
  }

  @Test
  void withoutValueChecksumsADamagedValueIsStillNeverReturnedAsAnotherKeys() throws IOException {
    try (DB db = DB.open(small().verifyValueChecksum(false).build())) {
      writeAll(db, 10, 0, 4096);
      assertAll(db, 10, 0, 4096);
    }
  }

  /** Rewritten values share key and version with their old copies: readers see one of them. */
  private static void assertOneRecordPerVersion(DB db) {
    java.util.Set<String> seen = new java.util.HashSet<>();
    db.view(txn -> {
      try (DbIterator it = txn.newIterator(IteratorOptions.builder().allVersions(true).build())) {
        for (it.rewind(); it.valid(); it.next()) {
          Item item = it.item();
          String version = new String(item.key(), StandardCharsets.UTF_8) + "@" + item.version();
          assertTrue(seen.add(version), "two records of " + version);
          item.value(); // and every version still visible reads
        }
      }
    });
  }

  static String key(int i) {
    return String.format("key%06d", i);
  }

  static void writeAll(DB db, int keys, int round, int length) {
    for (int start = 0; start < keys; start += 50) {
      int from = start;
      db.update(txn -> {
        for (int i = from; i < Math.min(keys, from + 50); i++) {
          txn.set(bytes(key(i)), value(key(i), round, length));
        }
      });
    }
  }

  static void assertAll(DB db, int keys, int round, int length) {
    db.view(txn -> {
      for (int i = 0; i < keys; i++) {
        Item item = txn.get(bytes(key(i)));
        assertNotNull(item, key(i));
        assertArrayEquals(value(key(i), round, length), item.value(), key(i));
      }
    });
  }

  private static void copyDirectory(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      for (Path file : files.toList()) {
        if (!file.getFileName().toString().equals("LOCK")) {
          Files.copy(file, to.resolve(file.getFileName()));
        }
      }
    }
  }

  @Test
  void everyValueAnItemHandsOutIsAnArrayOfItsOwn() throws IOException {
    try (DB db = DB.open(small().build())) {
      byte[] expected = value("k", 1, 4096); // above the threshold: in the value log
      db.put(bytes("k"), expected);
      for (boolean prefetch : new boolean[] {true, false}) {
        IteratorOptions options = IteratorOptions.builder().prefetchValues(prefetch).build();
        db.view(txn -> {
          try (DbIterator it = txn.newIterator(options)) {
            it.rewind();
            Item item = it.item();
            byte[] first = item.value();
            assertArrayEquals(expected, first);
            Arrays.fill(first, (byte) 0); // the caller's to change
            byte[] second = item.value();
            assertArrayEquals(expected, second, "a second value() sees the first caller's change");
            assertNotSame(first, second);
            assertNotSame(second, item.value());
          }
        });
      }
    }
  }
}
