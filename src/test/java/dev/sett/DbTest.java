package dev.sett;

import static dev.sett.testing.Bytes.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.testing.Eventually;
import dev.sett.testing.ManualClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DbTest {
  @TempDir
  Path dir;


  private static String s(byte[] bytes) {
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }

  private Options.Builder small() {
    return Options.builder(dir).memTableSize(64 << 10).blockSize(256);
  }

  @Test
  void putGetDeleteAndReopen() {
    try (DB db = DB.open(Options.builder(dir).build())) {
      db.put(bytes("a"), bytes("1"));
      db.put(bytes("b"), bytes("2"));
      db.delete(bytes("a"));
      assertNull(db.get(bytes("a")));
      assertEquals("2", s(db.get(bytes("b"))));
    }
    try (DB db = DB.open(Options.builder(dir).build())) {
      assertNull(db.get(bytes("a")));
      assertEquals("2", s(db.get(bytes("b"))));
      assertTrue(db.maxVersion() >= 3);
    }
  }

  @Test
  void secondOpenOfTheSameDirectoryFailsNamingTheLock() {
    try (DB db = DB.open(Options.builder(dir).build())) {
      SettException e = assertThrows(SettException.class, () -> DB.open(Options.builder(dir).build()));
      assertTrue(e.getMessage().contains("LOCK"), e.getMessage());
    }
    DB.open(Options.builder(dir).build()).close(); // the lock is released by close
  }

  @Test
  void closeIsIdempotentAndUseAfterCloseThrows() {
    DB db = DB.open(Options.builder(dir).build());
    Txn txn = db.newTransaction(false);
    db.close();
    db.close();
    assertTrue(db.isClosed());
    assertThrows(DbClosedException.class, () -> db.get(bytes("a")));
    assertThrows(DbClosedException.class, () -> db.put(bytes("a"), bytes("1")));
    assertThrows(DbClosedException.class, () -> db.newTransaction(true));
    assertThrows(DbClosedException.class, () -> txn.get(bytes("a")));
  }

  @Test
  void iteratorOrderSeekAndPrefixAcrossMemtablesAndTables() {
    List<String> keys = new ArrayList<>();
    try (DB db = DB.open(small().build())) {
      for (int i = 0; i < 3000; i++) {
        String key = String.format("k%05d", i);
        keys.add(key);
        db.put(bytes(key), bytes("v" + i + "-".repeat(40)));
      }
      Eventually.await("the data spans several tables", () -> db.tables().size() >= 2);
      // Overwrite and delete a few so that versions of one key live in memtable and tables.
      db.put(bytes("k00010"), bytes("new"));
      db.delete(bytes("k00011"));
      keys.remove("k00011");

      try (Txn txn = db.newTransaction(false)) {
        try (DbIterator it = txn.newIterator(IteratorOptions.DEFAULT)) {
          List<String> seen = new ArrayList<>();
          for (it.rewind(); it.valid(); it.next()) {
            seen.add(s(it.item().key()));
          }
          assertEquals(keys, seen);
        }
        try (DbIterator it = txn.newIterator(IteratorOptions.builder().reverse(true).build())) {
          List<String> seen = new ArrayList<>();
          for (it.rewind(); it.valid(); it.next()) {
            seen.add(s(it.item().key()));
          }
          List<String> reversed = new ArrayList<>(keys);
          java.util.Collections.reverse(reversed);
          assertEquals(reversed, seen);
        }
        try (DbIterator it = txn.newIterator(IteratorOptions.DEFAULT)) {
          it.seek(bytes("k00010"));
          assertEquals("new", s(it.item().value()));
          it.next();
          assertEquals("k00012", s(it.item().key()), "deleted k00011 is skipped");
          it.seek(bytes("k00011"));
          assertEquals("k00012", s(it.item().key()));
          it.seek(bytes("k0299"));
          assertEquals("k02990", s(it.item().key()));
          it.seek(bytes("k1"));
          assertFalse(it.valid());
        }
        try (DbIterator it = txn.newIterator(IteratorOptions.builder().reverse(true).build())) {
          it.seek(bytes("k00011"));
          assertEquals("k00010", s(it.item().key()));
          it.seek(bytes("k0"));
          assertFalse(it.valid());
        }
        byte[] prefix = bytes("k012");
        for (boolean reverse : new boolean[] {false, true}) {
          try (DbIterator it = txn.newIterator(IteratorOptions.builder().prefix(prefix).reverse(reverse).build())) {
            List<String> seen = new ArrayList<>();
            for (it.rewind(); it.valid(); it.next()) {
              seen.add(s(it.item().key()));
            }
            assertEquals(100, seen.size(), "reverse=" + reverse);
            assertEquals(reverse ? "k01299" : "k01200", seen.get(0));
          }
        }
        try (DbIterator it = txn.newIterator(IteratorOptions.DEFAULT)) {
          int count = 0;
          for (it.seek(bytes("k019")); it.validForPrefix(bytes("k019")); it.next()) {
            count++;
          }
          assertEquals(100, count);
        }
      }
    }
  }

  @Test
  void transactionSeesItsOwnWritesAndASnapshot() {
    try (DB db = DB.open(Options.builder(dir).build())) {
      db.put(bytes("a"), bytes("1"));
      try (Txn reader = db.newTransaction(false); Txn writer = db.newTransaction(true)) {
        writer.set(bytes("a"), bytes("2"));
        writer.set(bytes("c"), bytes("3"));
        assertEquals("2", s(writer.get(bytes("a")).value()));
        try (DbIterator it = writer.newIterator(IteratorOptions.DEFAULT)) {
          it.rewind();
          assertEquals("a", s(it.item().key()));
          assertEquals("2", s(it.item().value()));
          it.next();
          assertEquals("c", s(it.item().key()));
        }
        writer.commit();
        assertEquals("1", s(reader.get(bytes("a")).value()), "a snapshot does not see later commits");
        assertNull(reader.get(bytes("c")));
      }
      assertEquals("2", s(db.get(bytes("a"))));
    }
  }

  @Test
  void conflictingTransactionFailsAndWritesNothing() {
    try (DB db = DB.open(Options.builder(dir).build())) {
      db.put(bytes("x"), bytes("0"));
      Txn first = db.newTransaction(true);
      first.get(bytes("x"));
      first.set(bytes("y"), bytes("from first"));
      db.put(bytes("x"), bytes("1"));
      assertThrows(ConflictException.class, first::commit);
      assertNull(db.get(bytes("y")));
      // Blind writes never conflict.
      Txn blind = db.newTransaction(true);
      blind.set(bytes("x"), bytes("2"));
      db.put(bytes("x"), bytes("3"));
      blind.commit();
      assertEquals("2", s(db.get(bytes("x"))));
    }
  }

  @Test
  void invalidInputIsRejectedClearly() {
    try (DB db = DB.open(Options.builder(dir).build())) {
      try (Txn txn = db.newTransaction(true)) {
        assertThrows(IllegalArgumentException.class, () -> txn.set(new byte[0], bytes("v")));
        assertThrows(IllegalArgumentException.class, () -> txn.set(new byte[65_001], bytes("v")));
        assertThrows(IllegalArgumentException.class, () -> txn.set(bytes("!sett!x"), bytes("v")));
        txn.set(new byte[65_000], bytes("max key is fine"));
      }
      try (Txn txn = db.newTransaction(false)) {
        assertThrows(IllegalStateException.class, () -> txn.set(bytes("a"), bytes("v")));
        assertThrows(IllegalStateException.class, () -> txn.delete(bytes("a")));
      }
      Txn txn = db.newTransaction(false);
      DbIterator it = txn.newIterator(IteratorOptions.DEFAULT);
      assertThrows(IllegalStateException.class, txn::close);
      it.close();
      txn.close();
    }
  }

  @Test
  void tooBigTransactionFailsTheOperationAndStaysUsable() {
    // Values kept inline: a separated value counts only as its pointer toward the limit.
    try (DB db = DB.open(Options.builder(dir).memTableSize(1 << 20).valueThreshold(100_000)
        .build())) {
      Txn txn = db.newTransaction(true);
      byte[] value = new byte[10_000];
      int written = 0;
      TxnTooBigException tooBig = null;
      for (int i = 0; i < 1000 && tooBig == null; i++) {
        try {
          txn.set(bytes("key" + i), value);
          written++;
        } catch (TxnTooBigException e) {
          tooBig = e;
        }
      }
      assertNotNull(tooBig);
      txn.commit();
      assertNotNull(db.get(bytes("key" + (written - 1))));
      assertNull(db.get(bytes("key" + written)));
    }
  }

  @Test
  void ttlExpiresByTheInjectedClock() {
    ManualClock clock = new ManualClock(1_700_000_000_000L);
    try (DB db = DB.open(Options.builder(dir).clock(clock).build())) {
      db.update(txn -> txn.setEntry(Entry.of(bytes("t"), bytes("v")).withTtl(Duration.ofSeconds(10))
          .withUserMeta((byte) 7)));
      try (Txn txn = db.newTransaction(false)) {
        Item item = txn.get(bytes("t"));
        assertEquals(7, item.userMeta());
        assertEquals(1_700_000_010L, item.expiresAt());
      }
      clock.advance(10_000);
      assertNull(db.get(bytes("t")));
    }
  }

  @Test
  void inMemoryStoreWorksAndWritesNoFiles() throws Exception {
    try (DB db = DB.open(Options.builder(null).inMemory(true).memTableSize(64 << 10).build())) {
      for (int i = 0; i < 2000; i++) {
        db.put(bytes("k" + i), new byte[100]);
      }
      assertEquals(100, db.get(bytes("k1999")).length);
      long deadline = System.nanoTime() + 30_000_000_000L; // the flusher runs in the background
      while (db.tables().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertFalse(db.tables().isEmpty(), "memtables are flushed to (in-memory) tables");
      assertEquals(2000, countKeys(db));
    }
    try (var files = Files.list(dir)) {
      assertEquals(0, files.count(), "an in-memory store touches no directory");
    }
  }

  private static long countKeys(DB db) {
    long visible = 0;
    try (Txn txn = db.newTransaction(false); DbIterator it = txn.newIterator(IteratorOptions.DEFAULT)) {
      for (it.rewind(); it.valid(); it.next()) {
        visible++;
      }
    }
    return visible;
  }

  @Test
  void writeBatchSplitsItselfAndFlushWaits() {
    try (DB db = DB.open(Options.builder(dir).memTableSize(1 << 20).build())) {
      try (WriteBatch batch = db.newWriteBatch()) {
        for (int i = 0; i < 5000; i++) {
          batch.set(bytes(String.format("w%05d", i)), new byte[200]);
        }
        batch.flush();
      }
      for (int i = 0; i < 5000; i += 499) {
        assertNotNull(db.get(bytes(String.format("w%05d", i))));
      }
    }
  }

  @Test
  void sequenceHandsOutUniqueNumbersAndReturnsTheUnusedLease() {
    try (DB db = DB.open(Options.builder(dir).build())) {
      try (Sequence seq = db.getSequence(bytes("seq"), 10)) {
        for (long i = 0; i < 105; i++) {
          assertEquals(i, seq.next());
        }
      }
      assertEquals(105, java.nio.ByteBuffer.wrap(db.get(bytes("seq"))).getLong());
    }
  }

  @Test
  void readOnlyStoreRefusesWrites() {
    DB.open(Options.builder(dir).build()).close();
    try (DB db = DB.open(Options.builder(dir).readOnly(true).build())) {
      assertThrows(ReadOnlyException.class, () -> db.put(bytes("a"), bytes("1")));
      assertNull(db.get(bytes("a")));
    }
  }

  @Test
  void flushesProduceTablesAndSizesAreReported() {
    try (DB db = DB.open(small().build())) {
      for (int i = 0; i < 2000; i++) {
        db.put(bytes(String.format("s%05d", i)), new byte[100]);
      }
      db.close();
    }
    try (DB db = DB.open(small().build())) {
      List<TableInfo> tables = db.tables();
      assertFalse(tables.isEmpty());
      long keyCount = tables.stream().mapToLong(TableInfo::keyCount).sum();
      assertEquals(2000, keyCount);
      // Tables plus the (nearly empty) WAL of the fresh memtable.
      long tableBytes = tables.stream().mapToLong(TableInfo::onDiskSize).sum();
      assertTrue(db.size().lsmBytes() >= tableBytes && db.size().lsmBytes() < tableBytes + 1024,
          db.size() + " vs tables " + tableBytes);
      assertEquals(tables.size(), db.levels().stream().mapToInt(LevelInfo::numTables).sum());
    }
  }

  @Test
  void allVersionsKeyIteratorAndSinceTs() {
    try (DB db = DB.open(small().build())) {
      db.put(bytes("a"), bytes("a1"));
      db.put(bytes("k"), bytes("k1"));
      db.put(bytes("k"), bytes("k2"));
      db.close(); // flush: older versions of k now live in a table, newer ones in memtables
    }
    try (DB db = DB.open(small().build())) {
      db.delete(bytes("k"));
      db.put(bytes("ka"), bytes("ka1"));
      db.put(bytes("k"), bytes("k4"));
      try (Txn txn = db.newTransaction(false)) {
        List<String> versions = new ArrayList<>();
        try (DbIterator it = txn.newIterator(IteratorOptions.builder().allVersions(true).build())) {
          for (it.rewind(); it.valid(); it.next()) {
            Item item = it.item();
            versions.add(s(item.key()) + "=" + (item.isDeletedOrExpired() ? "deleted" : s(item.value())));
          }
        }
        assertEquals(List.of("a=a1", "k=k4", "k=deleted", "k=k2", "k=k1", "ka=ka1"), versions);

        versions.clear();
        try (DbIterator it = txn.newKeyIterator(bytes("k"), IteratorOptions.DEFAULT)) {
          for (it.rewind(); it.valid(); it.next()) {
            versions.add(it.item().isDeletedOrExpired() ? "deleted" : s(it.item().value()));
          }
        }
        assertEquals(List.of("k4", "deleted", "k2", "k1"), versions, "newest first, only key k");

        versions.clear();
        try (DbIterator it = txn.newKeyIterator(bytes("k"), IteratorOptions.builder().reverse(true).build())) {
          for (it.rewind(); it.valid(); it.next()) {
            versions.add(it.item().isDeletedOrExpired() ? "deleted" : s(it.item().value()));
          }
        }
        assertEquals(List.of("k1", "k2", "deleted", "k4"), versions, "reverse: oldest first, not ka");

        long sinceTs = txn.get(bytes("k")).version() - 1; // the put of k4 is the newest write but one
        List<String> recent = new ArrayList<>();
        try (DbIterator it = txn.newIterator(IteratorOptions.builder().sinceTs(sinceTs).build())) {
          for (it.rewind(); it.valid(); it.next()) {
            recent.add(s(it.item().key()));
          }
        }
        assertEquals(List.of("k"), recent, "only keys whose newest visible version is after sinceTs");
      }
    }
  }

  @Test
  void deletedKeyDoesNotResurrectOlderVersions() {
    try (DB db = DB.open(small().build())) {
      db.put(bytes("x"), bytes("old"));
      db.close();
    }
    try (DB db = DB.open(small().build())) {
      db.delete(bytes("x"));
      assertNull(db.get(bytes("x")));
      for (boolean reverse : new boolean[] {false, true}) {
        try (Txn txn = db.newTransaction(false);
            DbIterator it = txn.newIterator(IteratorOptions.builder().reverse(reverse).build())) {
          it.rewind();
          assertFalse(it.valid(), "reverse=" + reverse);
        }
      }
    }
  }

  @Test
  void managedModeReadsTheNewestVersionEvenWhenAnOlderOneWasWrittenLater() {
    try (DB db = DB.openManaged(Options.builder(dir).build())) {
      assertThrows(IllegalStateException.class, () -> db.newTransaction(true));
      assertThrows(IllegalStateException.class, () -> db.put(bytes("k"), bytes("v")));
      try (Txn txn = db.newTransactionAt(9, true)) {
        txn.set(bytes("k"), bytes("ten"));
        assertThrows(IllegalStateException.class, txn::commit);
        txn.commitAt(10);
      }
    }
    try (DB db = DB.openManaged(Options.builder(dir).build())) { // version 10 is in a table now
      try (Txn txn = db.newTransactionAt(4, true)) {
        txn.set(bytes("k"), bytes("five"));
        txn.commitAt(5); // an older version, written later, into the newer memtable
      }
      assertEquals("ten", s(db.get(bytes("k"))));
      try (Txn txn = db.newTransactionAt(7, false)) {
        assertEquals("five", s(txn.get(bytes("k")).value()));
        assertEquals(5, txn.get(bytes("k")).version());
      }
      try (Txn txn = db.newTransactionAt(4, false)) {
        assertNull(txn.get(bytes("k")));
      }
      try (WriteBatch batch = db.newWriteBatchAt(20)) {
        batch.set(bytes("w"), bytes("batch"));
        batch.flush();
      }
      try (Txn txn = db.newTransactionAt(20, false)) {
        assertEquals(20, txn.get(bytes("w")).version());
      }
      db.setDiscardTs(20);
    }
    try (DB db = DB.open(Options.builder(dir).build())) {
      assertThrows(IllegalStateException.class, () -> db.newTransactionAt(1, false));
      assertThrows(IllegalStateException.class, () -> db.setDiscardTs(1));
      Txn txn = db.newTransaction(true);
      assertThrows(IllegalStateException.class, () -> txn.commitAt(5));
      txn.close();
    }
  }
}
