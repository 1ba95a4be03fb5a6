package dev.sett.behaviour;

import static dev.sett.behaviour.Support.FORWARD;
import static dev.sett.behaviour.Support.REVERSE;
import static dev.sett.behaviour.Support.keys;
import static dev.sett.behaviour.Support.s;
import static dev.sett.behaviour.Support.value;
import static dev.sett.behaviour.Support.values;
import static dev.sett.testing.Bytes.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.ConflictException;
import dev.sett.DB;
import dev.sett.DbIterator;
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
 * Managed mode (reference/badger-v4.md §1.9): the caller supplies read and commit timestamps.
 * Ported from Badger's TestManagedDB (B-011), TestIteratorAllVersionsWithDeleted (B-009), the
 * managed write-batch tests (B-138, B-140) and the iteration edge cases (B-006) read at chosen
 * timestamps. Badger panics where Sett throws {@link IllegalStateException}.
 */
class ManagedModeBehaviourTest {
  @TempDir
  Path dir;

  private static byte[] key(int i) {
    return bytes(String.format("key-%02d", i));
  }

  private static byte[] val(int i) {
    return bytes("val-" + i);
  }

  // B-011 TestManagedDB, disk mode
  @Test
  void managedStoreCommitsAtTheCallersTimestamps() {
    try (DB db = DB.openManaged(Options.builder(dir).build())) {
      managedDbScenario(db);
    }
  }

  // B-011 TestManagedDB, in-memory mode
  @Test
  void managedInMemoryStoreCommitsAtTheCallersTimestamps() {
    try (DB db = DB.openManaged(Options.builder(null).inMemory(true).build())) {
      managedDbScenario(db);
    }
  }

  private static void managedDbScenario(DB db) {
    assertThrows(IllegalStateException.class, () -> db.update(txn -> { }));
    db.view(txn -> assertNull(txn.get(key(0))));

    // Write data at t=3.
    Txn txn = db.newTransactionAt(3, true);
    for (int i = 0; i <= 3; i++) {
      txn.set(key(i), val(i));
    }
    assertThrows(IllegalStateException.class, txn::commit, "commit without a commit timestamp");
    txn.commitAt(3);

    try (Txn at2 = db.newTransactionAt(2, false)) {
      for (int i = 0; i <= 3; i++) {
        assertNull(at2.get(key(i)));
      }
    }
    try (Txn at3 = db.newTransactionAt(3, false)) {
      for (int i = 0; i <= 3; i++) {
        Item item = at3.get(key(i));
        assertEquals(3, item.version());
        assertArrayEquals(val(i), item.value());
      }
    }

    // Write data at t=7, only the keys that are absent at 6.
    Txn at6 = db.newTransactionAt(6, true);
    for (int i = 0; i <= 7; i++) {
      if (at6.get(key(i)) == null) {
        at6.set(key(i), val(i));
      }
    }
    at6.commitAt(7);

    try (Txn at9 = db.newTransactionAt(9, false)) {
      for (int i = 0; i <= 9; i++) {
        Item item = at9.get(key(i));
        if (i <= 7) {
          assertEquals(i <= 3 ? 3 : 7, item.version(), "key " + i);
          assertArrayEquals(val(i), item.value());
        } else {
          assertNull(item, "key " + i);
        }
      }
    }

    // Two transactions at 10 write key-00; the one that also read it conflicts.
    Txn writer = db.newTransactionAt(10, true);
    Txn reader = db.newTransactionAt(10, true);
    reader.get(key(0));
    writer.set(key(0), val(0));
    reader.set(key(0), val(1));
    writer.commitAt(11);
    assertThrows(ConflictException.class, () -> reader.commitAt(11));
    db.view(view -> assertEquals(11, view.get(key(0)).version()));
    assertArrayEquals(val(0), db.get(key(0)), "db.get reads the newest version in managed mode");
  }

  // §1.9: each mode rejects the other's calls (Badger panics; Sett throws IllegalStateException)
  @Test
  void eachModeRejectsTheOthersCalls() {
    try (DB db = DB.openManaged(Options.builder(dir).build())) {
      assertThrows(IllegalStateException.class, () -> db.newTransaction(true));
      assertThrows(IllegalStateException.class, () -> db.newTransaction(false));
      assertThrows(IllegalStateException.class, () -> db.update(txn -> { }));
      assertThrows(IllegalStateException.class, () -> db.put(bytes("k"), bytes("v")));
      assertThrows(IllegalStateException.class, () -> db.delete(bytes("k")));
      assertThrows(IllegalStateException.class, db::newWriteBatch);
      assertThrows(IllegalStateException.class, () -> db.getSequence(bytes("seq"), 10));
      Txn txn = db.newTransactionAt(1, true);
      txn.set(bytes("k"), bytes("v"));
      assertThrows(IllegalStateException.class, txn::commit);
      assertThrows(IllegalStateException.class, txn::commitAsync);
      txn.commitAt(2); // the failed calls left the transaction usable
      // What managed mode allows besides the *At calls: view and get read the newest versions.
      assertEquals("v", s(db.get(bytes("k"))));
      db.view(view -> assertEquals(2, view.get(bytes("k")).version()));
      db.setDiscardTs(1);
    }
    try (DB db = DB.open(Options.builder(dir).build())) {
      assertThrows(IllegalStateException.class, () -> db.newTransactionAt(1, true));
      assertThrows(IllegalStateException.class, () -> db.newTransactionAt(1, false));
      assertThrows(IllegalStateException.class, () -> db.newWriteBatchAt(1));
      assertThrows(IllegalStateException.class, () -> db.setDiscardTs(1));
      try (Txn txn = db.newTransaction(true)) {
        txn.set(bytes("k"), bytes("normal"));
        assertThrows(IllegalStateException.class, () -> txn.commitAt(5));
        txn.commit(); // still usable
      }
      assertEquals("normal", s(db.get(bytes("k"))));
      assertEquals(3, readTs(db), "normal mode continues after the managed store's max version 2");
    }
  }

  private static long readTs(DB db) {
    try (Txn txn = db.newTransaction(false)) {
      return txn.readTs();
    }
  }

  // B-006 TestTxnIterationEdgeCase at chosen read timestamps, plus a commit older than the newest
  @Test
  void iterationAtChosenTimestampsWithPendingWrites() {
    try (DB db = DB.openManaged(Options.builder(dir).build())) {
      commitAt(db, 1, "c", "c1");
      commitAt(db, 2, "a", "a2", "c", "c2");
      commitAt(db, 3, "a", "a3", "b", "b3");
      Txn txn4 = db.newTransactionAt(3, true); // b4 set, c deleted, uncommitted
      txn4.set(bytes("b"), bytes("b4"));
      txn4.delete(bytes("c"));
      Txn deleteB = db.newTransactionAt(3, true);
      deleteB.delete(bytes("b"));
      deleteB.commitAt(4);

      assertReads(db, 4, "a3", "c2");
      assertEquals(List.of("a3", "b4"), values(txn4, FORWARD));
      assertEquals(List.of("b4", "a3"), values(txn4, REVERSE));
      assertReads(db, 3, "a3", "b3", "c2");
      assertReads(db, 2, "a2", "c2");
      assertReads(db, 1, "c1");
      assertReads(db, 0);
      txn4.close();

      // A version older than the newest, written after it (out of timestamp order).
      commitAt(db, 10, "a", "a10");
      commitAt(db, 6, "a", "a6", "d", "d6");
      assertReads(db, 5, "a3", "c2");
      assertReads(db, 8, "a6", "c2", "d6");
      assertReads(db, 12, "a10", "c2", "d6");
      try (Txn at12 = db.newTransactionAt(12, false)) {
        List<Long> versions = new ArrayList<>();
        try (DbIterator it = at12.newKeyIterator(bytes("a"), IteratorOptions.DEFAULT)) {
          for (it.rewind(); it.valid(); it.next()) {
            versions.add(it.item().version());
          }
        }
        assertEquals(List.of(10L, 6L, 3L, 2L), versions, "versions sorted by timestamp, not by arrival");
      }
      // Pending writes of a transaction at 8 shadow what it reads.
      try (Txn at8 = db.newTransactionAt(8, true)) {
        at8.delete(bytes("a"));
        at8.set(bytes("b"), bytes("b-pending"));
        assertEquals(List.of("b-pending", "c2", "d6"), values(at8, FORWARD));
        assertEquals(List.of("d6", "c2", "b-pending"), values(at8, REVERSE));
      }
    }
  }

  private static void commitAt(DB db, long ts, String... keyValues) {
    try (Txn txn = db.newTransactionAt(ts - 1, true)) {
      for (int i = 0; i < keyValues.length; i += 2) {
        txn.set(bytes(keyValues[i]), bytes(keyValues[i + 1]));
      }
      txn.commitAt(ts);
    }
  }

  private static void assertReads(DB db, long readTs, String... expected) {
    try (Txn txn = db.newTransactionAt(readTs, false)) {
      List<String> forward = List.of(expected);
      List<String> reverse = new ArrayList<>(forward);
      java.util.Collections.reverse(reverse);
      assertEquals(forward, values(txn, FORWARD), "forward at " + readTs);
      assertEquals(reverse, values(txn, REVERSE), "reverse at " + readTs);
    }
  }

  // B-009 TestIteratorAllVersionsWithDeleted (a tombstone written at an existing key's exact version)
  @Test
  void allVersionsShowsATombstoneWrittenOverAnExistingVersion() {
    for (boolean inMemory : new boolean[] {false, true}) {
      Options options = inMemory ? Options.builder(null).inMemory(true).build()
          : Options.builder(dir).build();
      DB db = DB.openManaged(options);
      try {
        try (Txn txn = db.newTransactionAt(0, true)) {
          txn.set(bytes("answer1"), bytes("42"));
          txn.set(bytes("answer2"), bytes("43"));
          txn.commitAt(1);
        }
        if (!inMemory) {
          db.close(); // the value now lives in a table, the tombstone will live in the memtable
          db = DB.openManaged(options);
        }
        long version;
        try (Txn txn = db.newTransactionAt(Long.MAX_VALUE, false)) {
          version = txn.get(bytes("answer1")).version();
        }
        try (Txn txn = db.newTransactionAt(version, true)) {
          txn.delete(bytes("answer1"));
          txn.commitAt(version); // the same internal key: the later write wins
        }
        try (Txn txn = db.newTransactionAt(Long.MAX_VALUE, false)) {
          IteratorOptions options2 = IteratorOptions.builder().allVersions(true).prefetchValues(false).build();
          List<String> seen = new ArrayList<>();
          try (DbIterator it = txn.newIterator(options2)) {
            for (it.rewind(); it.valid(); it.next()) {
              seen.add(s(it.item().key()) + (it.item().isDeletedOrExpired() ? " deleted" : ""));
            }
          }
          assertEquals(List.of("answer1 deleted", "answer2"), seen, "inMemory=" + inMemory);
          assertNull(txn.get(bytes("answer1")));
          assertEquals(List.of("answer2"), keys(txn, FORWARD));
        }
      } finally {
        db.close();
      }
    }
  }

  // B-138 TestWriteBatchManagedMode
  @Test
  void writeBatchAtCommitsEverythingAtOneVersion() {
    int n = 20_000;
    int m = 1000;
    try (DB db = DB.openManaged(Options.builder(dir).memTableSize(1 << 20).baseTableSize(1 << 15).build())) {
      try (WriteBatch batch = db.newWriteBatchAt(1)) {
        for (int i = 0; i < n; i++) {
          batch.set(batchKey(i), batchVal(i));
        }
        for (int i = 0; i < m; i++) {
          batch.delete(batchKey(i));
        }
        batch.flush();
      }
      Eventually.await("the batch spilled into tables", () -> !db.tables().isEmpty());
      db.view(txn -> {
        int i = m;
        try (DbIterator it = txn.newIterator(FORWARD)) {
          for (it.rewind(); it.valid(); it.next()) {
            Item item = it.item();
            assertEquals(s(batchKey(i)), s(item.key()));
            assertEquals(1, item.version());
            assertArrayEquals(batchVal(i), item.value());
            i++;
          }
        }
        assertEquals(n, i);
      });
    }
  }

  private static byte[] batchKey(int i) {
    return bytes(String.format("%10d", i));
  }

  private static byte[] batchVal(int i) {
    return bytes(String.format("%128d", i));
  }

  // B-140 TestWriteBatchDuplicate (normal and managed at a fixed version)
  @Test
  void writeBatchWritesRepeatedKeysAsOneVersion() {
    byte[] key = bytes("key");
    try (DB db = DB.open(Options.builder(dir.resolve("normal")).build())) {
      try (WriteBatch batch = db.newWriteBatch()) {
        for (int i = 0; i < 10; i++) {
          batch.set(key, bytes("v" + i));
        }
        batch.flush();
      }
      assertEquals(List.of("v9@1"), versions(db, Long.MAX_VALUE, key, false));
    }
    try (DB db = DB.openManaged(Options.builder(dir.resolve("managed")).build())) {
      try (WriteBatch batch = db.newWriteBatchAt(10)) {
        for (int i = 0; i < 10; i++) {
          batch.set(key, bytes("v" + i));
        }
        batch.flush();
      }
      assertEquals(List.of("v9@10"), versions(db, Long.MAX_VALUE, key, true));
      try (WriteBatch empty = db.newWriteBatchAt(11)) {
        empty.flush(); // B-143: an empty batch flushes without error
      }
      assertEquals(List.of("v9@10"), versions(db, Long.MAX_VALUE, key, true));
    }
  }

  private static List<String> versions(DB db, long readTs, byte[] key, boolean managed) {
    List<String> out = new ArrayList<>();
    try (Txn txn = managed ? db.newTransactionAt(readTs, false) : db.newTransaction(false);
        DbIterator it = txn.newKeyIterator(key, IteratorOptions.DEFAULT)) {
      for (it.rewind(); it.valid(); it.next()) {
        out.add((it.item().isDeletedOrExpired() ? "deleted" : s(it.item().value())) + "@" + it.item().version());
      }
    }
    return out;
  }

  // §1.9 ("Conflict detection still works in managed mode using the caller's readTs/commitTs")
  @Test
  void conflictsAreJudgedByTheCallersTimestamps() {
    try (DB db = DB.openManaged(Options.builder(dir).build())) {
      commitAt(db, 5, "k", "v5");
      Txn readsAt10 = db.newTransactionAt(10, true);
      assertEquals("v5", value(readsAt10.get(bytes("k"))));
      Txn readsAt12 = db.newTransactionAt(12, true);
      readsAt12.get(bytes("k"));
      Txn readsAt20 = db.newTransactionAt(20, true);
      readsAt20.get(bytes("k"));
      Txn blind = db.newTransactionAt(1, true);

      commitAt(db, 12, "k", "v12");
      readsAt10.set(bytes("r10"), bytes("x"));
      assertThrows(ConflictException.class, () -> readsAt10.commitAt(13), "k was written at 12 > 10");
      readsAt12.set(bytes("r12"), bytes("x"));
      readsAt12.commitAt(14); // the write at 12 is inside its snapshot

      commitAt(db, 15, "k", "v15"); // at or below 20: inside readsAt20's snapshot, no conflict
      readsAt20.set(bytes("r20"), bytes("x"));
      readsAt20.commitAt(21);

      blind.set(bytes("k"), bytes("blind"));
      blind.commitAt(30); // blind writes never conflict

      try (Txn txn = db.newTransactionAt(100, false)) {
        assertNull(txn.get(bytes("r10")));
        assertEquals(14, txn.get(bytes("r12")).version());
        assertEquals(21, txn.get(bytes("r20")).version());
        assertEquals("blind", value(txn.get(bytes("k"))));
      }
    }
  }

  // §8.4 discardTs and B-095 TestDiscardTs: compaction keeps every version above the discard
  // timestamp, and the newest one at or below it
  @Test
  void setDiscardTsLetsCompactionDropOnlyVersionsAtOrBelowIt() {
    try (DB db = DB.openManaged(Options.builder(dir).numVersionsToKeep(1).build())) {
      byte[] key = bytes("foo");
      for (int ts = 1; ts <= 5; ts++) {
        commitAt(db, ts, "foo", "v" + ts);
      }
      db.flatten(1);
      assertEquals(List.of("v5@5", "v4@4", "v3@3", "v2@2", "v1@1"), versions(db, Long.MAX_VALUE, key, true),
          "discardTs 0: nothing may be dropped");
      try (Txn at2 = db.newTransactionAt(2, false)) {
        assertEquals("v2", value(at2.get(key)));
      }

      db.setDiscardTs(3);
      commitAt(db, 6, "foo", "v6");
      db.flatten(1);
      assertEquals(List.of("v6@6", "v5@5", "v4@4", "v3@3"), versions(db, Long.MAX_VALUE, key, true),
          "discardTs 3 keeps 4..6 and the newest version at or below 3");
      try (Txn at4 = db.newTransactionAt(4, false)) {
        assertEquals("v4", value(at4.get(key)));
      }
      try (Txn at3 = db.newTransactionAt(3, false)) {
        assertEquals("v3", value(at3.get(key)), "reads at the discard timestamp are intact");
      }

      db.setDiscardTs(6);
      commitAt(db, 7, "foo", "v7");
      db.flatten(1);
      assertEquals(List.of("v7@7", "v6@6"), versions(db, Long.MAX_VALUE, key, true));
    }
  }
}
