package dev.sett.behaviour;

import static dev.sett.behaviour.Support.ALL_VERSIONS;
import static dev.sett.behaviour.Support.ALL_VERSIONS_REVERSE;
import static dev.sett.behaviour.Support.FORWARD;
import static dev.sett.behaviour.Support.REVERSE;
import static dev.sett.behaviour.Support.keys;
import static dev.sett.behaviour.Support.s;
import static dev.sett.behaviour.Support.value;
import static dev.sett.behaviour.Support.values;
import static dev.sett.testing.Bytes.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.ConflictException;
import dev.sett.DB;
import dev.sett.DbIterator;
import dev.sett.Entry;
import dev.sett.Item;
import dev.sett.IteratorOptions;
import dev.sett.Options;
import dev.sett.Txn;
import dev.sett.WriteBatch;
import dev.sett.testing.Eventually;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Iterator behaviours ported from Badger's txn_test.go, iterator_test.go and db_test.go
 * (reference/badger-v4.md §1.7 and §12.2). Where Badger sets {@code txn.readTs} by hand to read an
 * older state, these tests keep a read-only transaction open after each commit instead: in normal
 * mode commit number i gets version i, so that transaction reads at exactly i.
 */
class IteratorBehaviourTest {
  @TempDir
  Path dir;

  private DB open() {
    return DB.open(Options.builder(dir).build());
  }

  /** A small-memtable store, so that data crosses memtables, L0 and the levels. */
  private DB openSmall() {
    return DB.open(Options.builder(dir).memTableSize(64 << 10).baseTableSize(64 << 10)
        .baseLevelSize(256 << 10).numLevelZeroTables(2).build());
  }

  private static IteratorOptions prefix(String prefix, boolean reverse) {
    return IteratorOptions.builder().prefix(bytes(prefix)).reverse(reverse).build();
  }

  // B-004 TestTxnVersions
  @Test
  void eachSnapshotSeesItsVersionForwardReverseAndAllVersions() {
    try (DB db = open()) {
      byte[] key = bytes("key");
      List<Txn> snapshots = new ArrayList<>();
      snapshots.add(null); // index = version
      for (int i = 1; i < 10; i++) {
        db.put(key, bytes("valversion=" + i));
        Txn snapshot = db.newTransaction(false);
        assertEquals(i, snapshot.readTs());
        snapshots.add(snapshot);
      }
      for (int i = 1; i < 10; i++) {
        Txn txn = snapshots.get(i);
        String expected = "valversion=" + i;
        assertEquals(expected, value(txn.get(key)), "i=" + i);
        assertEquals(List.of(expected), values(txn, FORWARD), "forward, i=" + i);
        assertEquals(List.of(expected), values(txn, REVERSE), "reverse, i=" + i);
        List<Long> versions = new ArrayList<>();
        List<Long> reverseVersions = new ArrayList<>();
        for (long v = i; v >= 1; v--) {
          versions.add(v);
          reverseVersions.add(0, v);
        }
        assertEquals(versions, versionsOf(txn, ALL_VERSIONS, key), "all versions, i=" + i);
        assertEquals(reverseVersions, versionsOf(txn, ALL_VERSIONS_REVERSE, key), "all versions reverse, i=" + i);
        txn.close();
      }
      db.view(txn -> assertEquals("valversion=9", value(txn.get(key))));
    }
  }

  /** The versions an iterator yields, checking each item's key and that its value names its version. */
  private static List<Long> versionsOf(Txn txn, IteratorOptions options, byte[] key) {
    List<Long> versions = new ArrayList<>();
    try (DbIterator it = txn.newIterator(options)) {
      for (it.rewind(); it.valid(); it.next()) {
        Item item = it.item();
        assertArrayEquals(key, item.key());
        assertEquals("valversion=" + item.version(), s(item.value()));
        versions.add(item.version());
      }
    }
    return versions;
  }

  // B-006 TestTxnIterationEdgeCase
  @Test
  void iterationEdgeCaseWithPendingWritesAtSeveralReadTimestamps() {
    try (DB db = open()) {
      byte[] ka = bytes("a");
      byte[] kb = bytes("b");
      byte[] kc = bytes("c");
      db.update(txn -> txn.set(kc, bytes("c1")));
      Txn at1 = db.newTransaction(false);
      db.update(txn -> {
        txn.set(ka, bytes("a2"));
        txn.set(kc, bytes("c2"));
      });
      Txn at2 = db.newTransaction(false);
      db.update(txn -> {
        txn.set(ka, bytes("a3"));
        txn.set(kb, bytes("b3"));
      });
      Txn at3 = db.newTransaction(false);
      // b4, c4 (deleted), uncommitted
      Txn txn4 = db.newTransaction(true);
      txn4.set(kb, bytes("b4"));
      txn4.delete(kc);
      assertEquals(3, txn4.readTs());
      db.update(txn -> txn.delete(kb)); // b deleted at 4
      Txn at4 = db.newTransaction(true);
      assertEquals(4, at4.readTs());

      assertEquals(List.of("a3", "c2"), values(at4, FORWARD));
      assertEquals(List.of("a3", "b4"), values(txn4, FORWARD));
      assertEquals(List.of("c2", "a3"), values(at4, REVERSE));
      assertEquals(List.of("b4", "a3"), values(txn4, REVERSE));
      assertEquals(List.of("a3", "b3", "c2"), values(at3, FORWARD));
      assertEquals(List.of("c2", "b3", "a3"), values(at3, REVERSE));
      assertEquals(List.of("a2", "c2"), values(at2, FORWARD));
      assertEquals(List.of("c2", "a2"), values(at2, REVERSE));
      assertEquals(List.of("c1"), values(at1, FORWARD));
      assertEquals(List.of("c1"), values(at1, REVERSE));

      // txn4's iterator read b (Item() records the read), which the commit at 4 deleted.
      assertThrows(ConflictException.class, txn4::commit);
      for (Txn txn : List.of(at1, at2, at3, at4)) {
        txn.close();
      }
    }
  }

  // B-007 TestTxnIterationEdgeCase2 (keys that are prefixes of each other)
  @Test
  void iterationEdgeCaseWithKeysThatArePrefixesOfEachOther() {
    try (DB db = open()) {
      byte[] ka = bytes("a");
      byte[] kb = bytes("aa");
      byte[] kc = bytes("aaa");
      db.update(txn -> txn.set(kc, bytes("c1")));
      Txn at1 = db.newTransaction(false);
      db.update(txn -> {
        txn.set(ka, bytes("a2"));
        txn.set(kc, bytes("c2"));
      });
      Txn at2 = db.newTransaction(false);
      db.update(txn -> {
        txn.set(ka, bytes("a3"));
        txn.set(kb, bytes("b3"));
      });
      Txn at3 = db.newTransaction(false);
      db.update(txn -> txn.delete(kb));
      Txn latest = db.newTransaction(true);
      assertEquals(4, latest.readTs());

      assertEquals(List.of("a3", "c2"), values(latest, FORWARD));
      assertEquals(List.of("c2", "a3"), values(latest, REVERSE));
      assertEquals(List.of("a3", "b3", "c2"), values(at3, FORWARD));
      assertEquals(List.of("c2", "b3", "a3"), values(at3, REVERSE));
      assertEquals(List.of("a2", "c2"), values(at2, FORWARD));
      assertEquals(List.of("c2", "a2"), values(at2, REVERSE));
      assertEquals(List.of("c1"), values(at1, FORWARD));
      assertEquals(List.of("c1"), values(at1, REVERSE));

      for (IteratorOptions options : List.of(FORWARD, REVERSE)) {
        try (DbIterator it = latest.newIterator(options)) {
          it.seek(ka);
          assertTrue(it.valid());
          assertArrayEquals(ka, it.item().key(), "reverse=" + options.reverse());
          it.seek(kc);
          assertTrue(it.valid());
          assertArrayEquals(kc, it.item().key(), "reverse=" + options.reverse());
        }
      }
      for (Txn txn : List.of(at1, at2, at3, latest)) {
        txn.close();
      }
    }
  }

  // B-008 TestTxnIterationEdgeCase3 (seeks, with a pending write and a pending delete)
  @Test
  void seeksLandRightWithPendingWritesAndDeletesInBothDirections() {
    try (DB db = open()) {
      byte[] kb = bytes("abc");
      byte[] kc = bytes("acd");
      byte[] kd = bytes("ade");
      db.update(txn -> txn.set(kc, bytes("c1")));
      db.update(txn -> txn.set(kb, bytes("b2")));
      Txn txn2 = db.newTransaction(true);
      txn2.set(kd, bytes("d2"));
      txn2.delete(kc);
      Txn txn = db.newTransaction(true);

      try (DbIterator it = txn.newIterator(FORWARD)) {
        assertSeek(it, "ab", kb);
        assertSeek(it, "ac", kc);
        assertSeek(it, null, kb);
        it.seek(bytes("ac"));
        it.rewind();
        assertSeek(it, null, kb);
        assertSeek(it, "ac", kc);
      }
      try (DbIterator it = txn2.newIterator(FORWARD)) {
        assertSeek(it, "ac", kd); // acd is hidden by the pending delete
        assertSeek(it, null, kb);
        assertSeek(it, "ac", kd);
        it.rewind();
        assertSeek(it, null, kb);
        assertSeek(it, "ac", kd);
      }
      try (DbIterator it = txn.newIterator(REVERSE)) {
        assertSeek(it, "ac", kb);
        assertSeek(it, "ad", kc);
        assertSeek(it, null, kc);
        it.seek(bytes("ac"));
        it.rewind();
        assertSeek(it, null, kc);
        assertSeek(it, "ad", kc);
      }
      try (DbIterator it = txn2.newIterator(REVERSE)) {
        assertSeek(it, "ad", kb);
        assertSeek(it, "ae", kd);
        assertSeek(it, null, kd);
        it.seek(bytes("ab"));
        it.rewind();
        assertSeek(it, null, kd);
        assertSeek(it, "ac", kb);
      }
      txn.close();
      txn2.close();
    }
  }

  private static void assertSeek(DbIterator it, String target, byte[] expected) {
    it.seek(target == null ? null : bytes(target));
    assertTrue(it.valid(), "seek " + target);
    assertEquals(s(expected), s(it.item().key()), "seek " + target);
  }

  // B-010 TestIteratorAllVersionsWithDeleted2
  @Test
  void allVersionsAlternatesTombstonesAndValues() {
    try (DB db = open()) {
      byte[] key = bytes("key");
      for (int i = 0; i < 4; i++) {
        if (i % 2 == 0) {
          db.put(key, bytes("value"));
        } else {
          db.delete(key);
        }
      }
      db.view(txn -> {
        IteratorOptions options = IteratorOptions.builder().allVersions(true).prefetchValues(false).build();
        List<String> seen = new ArrayList<>();
        try (DbIterator it = txn.newIterator(options)) {
          for (it.rewind(); it.valid(); it.next()) {
            Item item = it.item();
            assertArrayEquals(key, item.key());
            seen.add(item.version() + (item.isDeletedOrExpired() ? " deleted" : " " + s(item.value())));
          }
        }
        assertEquals(List.of("4 deleted", "3 value", "2 deleted", "1 value"), seen);
        List<String> reverse = new ArrayList<>();
        try (DbIterator it = txn.newIterator(ALL_VERSIONS_REVERSE)) {
          for (it.rewind(); it.valid(); it.next()) {
            reverse.add(it.item().version() + (it.item().isDeletedOrExpired() ? " deleted" : " value"));
          }
        }
        assertEquals(List.of("1 value", "2 deleted", "3 value", "4 deleted"), reverse);
        assertEquals(List.of(), keys(txn, FORWARD), "the newest version is a tombstone");
        assertEquals(List.of(), keys(txn, REVERSE));
        try (DbIterator it = txn.newKeyIterator(key, IteratorOptions.DEFAULT)) {
          int count = 0;
          for (it.rewind(); it.valid(); it.next()) {
            count++;
          }
          assertEquals(4, count, "a key iterator returns tombstones too");
        }
      });
    }
  }

  // B-015 TestReverseIterator, and §1.7 (reverse prefix scans)
  @Test
  void reversePrefixScanStartsAtTheLastKeyOfThePrefix() {
    try (DB db = open()) {
      byte[] k1 = {0, 5, 0, 0, 0, 1};
      byte[] k2 = {0, 5, 0, 0, 0, 2};
      db.update(txn -> {
        txn.set(k1, bytes("value1"));
        txn.set(k2, bytes("value2"));
        txn.set(new byte[] {0, 4, 9}, bytes("before"));
        txn.set(new byte[] {0, 6, 0}, bytes("after"));
      });
      db.view(txn -> {
        IteratorOptions options = IteratorOptions.builder().reverse(true).prefetchValues(false)
            .prefix(new byte[] {0, 5}).build();
        try (DbIterator it = txn.newIterator(options)) {
          it.seek(new byte[] {0, 5, (byte) 0xFF}); // Badger's idiom for a reverse prefix scan
          assertTrue(it.valid());
          assertArrayEquals(k2, it.item().key());
          it.rewind(); // Sett: rewind with a prefix in reverse also starts at the prefix's last key
          assertTrue(it.valid());
          assertArrayEquals(k2, it.item().key());
          it.next();
          assertArrayEquals(k1, it.item().key());
          it.next();
          assertFalse(it.valid(), "{0,4,9} lacks the prefix");
        }
        assertEquals(List.of("value1", "value2"), values(txn,
            IteratorOptions.builder().prefix(new byte[] {0, 5}).build()));
        // Badger's test used the prefix {0,5,0xFF} itself; no key has it, so Sett's iterator is
        // not valid (Badger's test read Item() of an invalid iterator).
        IteratorOptions literal = IteratorOptions.builder().reverse(true)
            .prefix(new byte[] {0, 5, (byte) 0xFF}).build();
        try (DbIterator it = txn.newIterator(literal)) {
          it.rewind();
          assertFalse(it.valid());
        }
        try (DbIterator it = txn.newIterator(REVERSE)) {
          int count = 0;
          for (it.seek(new byte[] {0, 5, (byte) 0xFF}); it.validForPrefix(new byte[] {0, 5}); it.next()) {
            count++;
          }
          assertEquals(2, count, "validForPrefix ends the scan at {0,4,9}");
        }
      });
    }
  }

  // B-025 TestIterate2Basic
  @Test
  void rewindInTheMiddleRestartsAndSeekResumesFromTheKey() {
    int n = 10_000;
    try (DB db = openSmall()) {
      try (WriteBatch batch = db.newWriteBatch()) {
        for (int i = 0; i < n; i++) {
          batch.setEntry(Entry.of(bkey(i), bval(i)).withUserMeta((byte) (i % 127)));
        }
        batch.flush();
      }
      Eventually.await("the data reached tables", () -> !db.tables().isEmpty());
      IteratorOptions options = IteratorOptions.builder().prefetchValues(true).prefetchSize(10).build();
      try (Txn txn = db.newTransaction(false); DbIterator it = txn.newIterator(options)) {
        int count = 0;
        boolean rewind = true;
        for (it.rewind(); it.valid(); it.next()) {
          Item item = it.item();
          if (rewind && count == 5000) {
            count = 1; // the loop's next() steps past key 0 after this rewind
            it.rewind();
            rewind = false;
            continue;
          }
          assertEquals(s(bkey(count)), s(item.key()));
          assertEquals(s(bval(count)), s(item.value()));
          assertEquals(count % 127, item.userMeta());
          count++;
        }
        assertEquals(n, count);

        int idx = 5030;
        for (it.seek(bkey(idx)); it.valid(); it.next()) {
          assertEquals(s(bkey(idx)), s(it.item().key()));
          assertEquals(s(bval(idx)), s(it.item().value()));
          idx++;
        }
        assertEquals(n, idx);
      }
    }
  }

  private static byte[] bkey(int i) {
    return bytes(String.format("%09d", i));
  }

  private static byte[] bval(int i) {
    return bytes(String.format("%025d", i));
  }

  // B-027 TestIterateDeleted
  @Test
  void keysDeletedThroughAnIteratorLeaveNothingToIterate() {
    try (DB db = open()) {
      db.put(bytes("Key1"), bytes("Value1"));
      db.put(bytes("Key2"), bytes("Value2"));
      byte[] prefix = bytes("Key");
      Txn txn = db.newTransaction(false);
      Txn txn2 = db.newTransaction(true);
      int count = 0;
      try (DbIterator it = txn.newIterator(IteratorOptions.builder().prefetchValues(false).build())) {
        for (it.seek(prefix); it.validForPrefix(prefix); it.next()) {
          txn2.delete(it.item().key());
          count++;
        }
      }
      assertEquals(2, count);
      txn2.commit();
      for (boolean prefetch : new boolean[] {true, false}) {
        try (Txn after = db.newTransaction(false);
            DbIterator it = after.newIterator(IteratorOptions.builder().prefetchValues(prefetch).build())) {
          long estimatedSize = 0;
          List<String> keys = new ArrayList<>();
          for (it.seek(prefix); it.valid(); it.next()) {
            estimatedSize += it.item().estimatedSize();
            keys.add(s(it.item().key()));
          }
          assertEquals(List.of(), keys, "prefetch=" + prefetch);
          assertEquals(0, estimatedSize);
        }
      }
      assertEquals(List.of("Key1", "Key2"), keys(txn, FORWARD), "the older snapshot still has them");
      txn.close();
    }
  }

  // B-028 TestIterateParallel (several iterators open in one transaction, interleaved)
  @Test
  void severalIteratorsCanBeOpenInOneTransaction() {
    int n = 1000;
    try (DB db = open()) {
      try (WriteBatch batch = db.newWriteBatch()) {
        for (int i = 0; i < n; i++) {
          batch.set(bytes(String.format("key%05d", i)), bytes("v" + i));
        }
        batch.flush();
      }
      for (boolean update : new boolean[] {false, true}) {
        Txn txn = db.newTransaction(update);
        if (update) {
          txn.set(bytes("key99999"), bytes("pending"));
        }
        int expected = update ? n + 1 : n;
        List<DbIterator> its = List.of(txn.newIterator(FORWARD), txn.newIterator(REVERSE),
            txn.newIterator(IteratorOptions.builder().prefetchValues(false).build()));
        int[] counts = new int[its.size()];
        for (DbIterator it : its) {
          it.rewind();
        }
        boolean any = true;
        while (any) { // step the iterators in turn
          any = false;
          for (int i = 0; i < its.size(); i++) {
            DbIterator it = its.get(i);
            if (it.valid()) {
              it.item();
              counts[i]++;
              it.next();
              any = true;
            }
          }
        }
        for (int count : counts) {
          assertEquals(expected, count, "update=" + update);
        }
        assertThrows(IllegalStateException.class, txn::discard, "iterators are still open");
        for (DbIterator it : its) {
          it.close();
        }
        txn.discard();
      }
    }
  }

  // B-032 TestIteratorPrefetchSize
  @Test
  void prefetchSettingsDoNotChangeWhatIsSeen() {
    try (DB db = open()) {
      for (int i = 0; i < 100; i++) {
        db.put(bytes(String.format("key%03d", i)), bytes("v" + i));
      }
      db.view(txn -> {
        for (int size : new int[] {0, 1, 10}) {
          for (boolean prefetch : new boolean[] {true, false}) {
            IteratorOptions options = IteratorOptions.builder().prefetchValues(prefetch).prefetchSize(size).build();
            assertEquals(100, keys(txn, options).size(), options.toString());
          }
        }
      });
      // Badger accepts a negative prefetch size (treated as 2); Sett's builder rejects it.
      assertThrows(IllegalArgumentException.class, () -> IteratorOptions.builder().prefetchSize(-10));
    }
  }

  // B-080 TestIterateSinceTs
  @Test
  void sinceTsSkipsVersionsAtOrBelowIt() {
    int n = 20_000;
    try (DB db = openSmall()) {
      try (WriteBatch batch = db.newWriteBatch()) {
        for (int i = 0; i < n; i++) {
          batch.set(bytes(String.format("%05d", i)), bytes("OK"));
        }
        batch.flush();
      }
      for (int i = 0; i < 100; i += 7) {
        db.put(bytes(String.format("%05d", i)), bytes("newer"));
      }
      long maxVersion = db.maxVersion();
      long sinceTs = maxVersion - maxVersion / 10;
      assertTrue(maxVersion >= 20, "the batch split into many transactions: " + maxVersion);
      db.view(txn -> {
        int expected = 0;
        try (DbIterator it = txn.newIterator(FORWARD)) {
          for (it.rewind(); it.valid(); it.next()) {
            expected += it.item().version() > sinceTs ? 1 : 0;
          }
        }
        assertTrue(expected > 0 && expected < n, expected + " of " + n);
        for (boolean reverse : new boolean[] {false, true}) {
          for (boolean allVersions : new boolean[] {false, true}) {
            IteratorOptions options = IteratorOptions.builder().sinceTs(sinceTs).reverse(reverse)
                .allVersions(allVersions).build();
            int count = 0;
            try (DbIterator it = txn.newIterator(options)) {
              for (it.rewind(); it.valid(); it.next()) {
                assertTrue(it.item().version() > sinceTs, it.item() + " since " + sinceTs);
                count++;
              }
            }
            if (!allVersions) {
              assertEquals(expected, count, options.toString());
            } else {
              assertTrue(count >= expected, options.toString());
            }
          }
        }
      });
    }
  }

  // B-081 TestIterateSinceTsWithPendingWrites, and §1.7: pending writes are a snapshot of the txn
  @Test
  void iteratorSeesPendingWritesAndHidesPendingDeletes() {
    try (DB db = open()) {
      db.update(txn -> {
        txn.set(bytes("a"), bytes("1"));
        txn.set(bytes("b"), bytes("2"));
        txn.set(bytes("c"), bytes("3"));
      });
      try (Txn txn = db.newTransaction(true)) {
        txn.set(bytes("a"), bytes("A"));
        txn.delete(bytes("b"));
        txn.set(bytes("d"), bytes("D"));
        assertEquals(List.of("A", "3", "D"), values(txn, FORWARD));
        assertEquals(List.of("D", "3", "A"), values(txn, REVERSE));
        try (DbIterator it = txn.newIterator(FORWARD)) {
          it.seek(bytes("b"));
          assertEquals("c", s(it.item().key()), "the pending delete hides b");
          it.seek(bytes("d"));
          assertEquals(txn.readTs(), it.item().version(), "a pending write carries the read timestamp");
          txn.set(bytes("e"), bytes("E")); // after the iterator was created
          assertEquals(List.of("A", "3", "D"), values(it), "the iterator holds a snapshot of pending writes");
        }
        assertEquals(List.of("A", "3", "D", "E"), values(txn, FORWARD), "a new iterator sees the later write");
        assertEquals(List.of("A", "3", "D", "E"),
            values(txn, IteratorOptions.builder().sinceTs(0).build()), "B-081: sinceTs 0");
      }
      try (Txn txn = db.newTransaction(true)) {
        txn.set(bytes("x1"), bytes("1"));
        txn.set(bytes("x2"), bytes("2"));
        assertEquals(List.of("x1", "x2"), keys(txn, prefix("x", false)));
        assertEquals(List.of("x2", "x1"), keys(txn, prefix("x", true)));
      }
      assertEquals(List.of("1", "2", "3"), List.of(s(db.get(bytes("a"))), s(db.get(bytes("b"))), s(db.get(bytes("c")))),
          "nothing of the discarded transactions was written");
    }
  }

  // B-082 TestIteratePrefix
  @Test
  void prefixIterationCountsAndKeyIteratorsYieldOneItemPerKey() {
    int n = 10_000;
    try (DB db = openSmall()) {
      try (WriteBatch batch = db.newWriteBatch()) {
        for (int i = 0; i < n; i++) {
          batch.set(bytes(String.format("%04d", i)), bytes(Integer.toString(i)));
        }
        batch.flush();
      }
      db.view(txn -> {
        String[] prefixes = {"1234", "123", "12", "1", ""};
        int[] expected = {1, 10, 100, 1000, n};
        for (int i = 0; i < prefixes.length; i++) {
          for (boolean reverse : new boolean[] {false, true}) {
            assertEquals(expected[i], keys(txn, prefix(prefixes[i], reverse)).size(),
                "prefix '" + prefixes[i] + "' reverse=" + reverse);
          }
        }
        for (int i = 0; i < n; i += 37) {
          byte[] key = bytes(String.format("%04d", i));
          try (DbIterator it = txn.newKeyIterator(key, IteratorOptions.DEFAULT)) {
            assertEquals(List.of(Integer.toString(i)), values(it));
          }
        }
      });
    }
  }

  // B-083 TestIteratorReadOnlyWithNoData
  @Test
  void prefixIteratorOnAnEmptyReadOnlyStoreIsInvalid() {
    DB.open(Options.builder(dir).build()).close();
    try (DB db = DB.open(Options.builder(dir).readOnly(true).build())) {
      db.view(txn -> {
        for (boolean reverse : new boolean[] {false, true}) {
          try (DbIterator it = txn.newIterator(prefix("k", reverse))) {
            it.rewind();
            assertFalse(it.valid());
            it.seek(bytes("k"));
            assertFalse(it.valid());
          }
        }
      });
    }
  }

  // §1.7 NewKeyIterator: every version of exactly one key, pending write included; no prefix option
  @Test
  void keyIteratorIncludesThePendingWriteAndRejectsAPrefixOption() {
    try (DB db = open()) {
      db.put(bytes("k"), bytes("v1"));
      db.put(bytes("k"), bytes("v2"));
      db.put(bytes("k2"), bytes("other"));
      try (Txn txn = db.newTransaction(true)) {
        txn.set(bytes("k"), bytes("v3"));
        try (DbIterator it = txn.newKeyIterator(bytes("k"), IteratorOptions.DEFAULT)) {
          List<String> seen = new ArrayList<>();
          for (it.rewind(); it.valid(); it.next()) {
            seen.add(s(it.item().value()) + "@" + it.item().version());
          }
          assertEquals(List.of("v3@3", "v2@2", "v1@1"), seen, "pending write first, at readTs 3");
        }
        assertThrows(IllegalArgumentException.class,
            () -> txn.newKeyIterator(bytes("k"), IteratorOptions.builder().prefix(bytes("k")).build()));
        txn.set(bytes("z"), bytes("z")); // the failed call left no iterator open: the txn still commits
        txn.commit();
      }
    }
  }
}
