package dev.sett.behaviour;

import static dev.sett.behaviour.Support.FORWARD;
import static dev.sett.behaviour.Support.keys;
import static dev.sett.behaviour.Support.s;
import static dev.sett.behaviour.Support.value;
import static dev.sett.testing.Bytes.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sett.ConflictException;
import dev.sett.DB;
import dev.sett.DbClosedException;
import dev.sett.DbIterator;
import dev.sett.Entry;
import dev.sett.Item;
import dev.sett.IteratorOptions;
import dev.sett.Options;
import dev.sett.Txn;
import dev.sett.TxnTooBigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transaction behaviours ported from Badger's txn_test.go, watermark_edge_test.go and db_test.go
 * (reference/badger-v4.md §12.2, items B-001..B-036 that concern transactions), adapted to Sett's
 * API: {@code get} returns null instead of ErrKeyNotFound, misuse is an
 * {@link IllegalStateException} instead of a panic, errors are unchecked exceptions.
 */
class TransactionBehaviourTest {
  @TempDir
  Path dir;

  private DB open() {
    return DB.open(Options.builder(dir).build());
  }

  // B-001 TestTxnSimple
  @Test
  void readYourOwnWrites() {
    try (DB db = open()) {
      Txn txn = db.newTransaction(true);
      for (int i = 0; i < 10; i++) {
        txn.set(bytes("key=" + i), bytes("val=" + i));
      }
      assertEquals("val=8", value(txn.get(bytes("key=8"))));
      assertNull(db.get(bytes("key=8")), "nothing is visible outside before the commit");
      assertThrows(IllegalStateException.class, () -> txn.commitAt(100), "commitAt is for managed mode");
      txn.commit();
      db.view(view -> {
        for (int i = 0; i < 10; i++) {
          assertEquals("val=" + i, value(view.get(bytes("key=" + i))));
        }
      });
    }
  }

  // B-002 TestTxnReadAfterWrite (disk and in-memory)
  @Test
  void everyCommitIsReadableRightAfterItReturns() throws Exception {
    for (boolean inMemory : new boolean[] {false, true}) {
      Options options = inMemory ? Options.builder(null).inMemory(true).build()
          : Options.builder(dir).build();
      try (DB db = DB.open(options)) {
        ExecutorService pool = Executors.newFixedThreadPool(100);
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
          byte[] key = bytes("key" + i);
          futures.add(pool.submit(() -> {
            db.update(txn -> txn.set(key, key));
            db.view(txn -> assertArrayEquals(key, txn.get(key).value(), "inMemory=" + inMemory));
          }));
        }
        for (Future<?> future : futures) {
          future.get(30, TimeUnit.SECONDS);
        }
        pool.shutdown();
      }
    }
  }

  // B-003 TestTxnCommitAsync
  @Test
  void commitAsyncMakesWholeTransactionsVisibleAtOnce() throws Exception {
    long seed = Support.seed();
    System.out.println("commitAsyncMakesWholeTransactionsVisibleAtOnce seed " + seed);
    Random random = new Random(seed);
    try (DB db = open()) {
      db.update(txn -> {
        for (int i = 0; i < 40; i++) {
          txn.set(bytes("key=" + i), bytes("100"));
        }
      });
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong checks = new AtomicLong();
      AtomicReference<Throwable> readerFailure = new AtomicReference<>();
      Thread reader = new Thread(() -> {
        try {
          while (!stop.get()) {
            try (Txn txn = db.newTransaction(false)) {
              int total = 0;
              for (int i = 0; i < 40; i++) {
                total += Integer.parseInt(value(txn.get(bytes("key=" + i))));
              }
              assertEquals(4000, total, "a transaction was seen half applied at readTs " + txn.readTs());
              checks.incrementAndGet();
            }
          }
        } catch (Throwable e) {
          readerFailure.set(e);
        }
      });
      reader.start();
      List<CompletableFuture<Void>> commits = new ArrayList<>();
      for (int t = 0; t < 100; t++) {
        int delta = random.nextInt(100);
        Txn txn = db.newTransaction(true);
        for (int i = 0; i < 20; i++) {
          txn.set(bytes("key=" + i), bytes(Integer.toString(100 - delta)));
        }
        for (int i = 20; i < 40; i++) {
          txn.set(bytes("key=" + i), bytes(Integer.toString(100 + delta)));
        }
        commits.add(txn.commitAsync()); // write-only: never conflicts
        txn.close();
      }
      CompletableFuture.allOf(commits.toArray(new CompletableFuture<?>[0])).get(30, TimeUnit.SECONDS);
      Thread.sleep(20); // let the reader see the final state too
      stop.set(true);
      reader.join();
      if (readerFailure.get() != null) {
        throw new AssertionError(readerFailure.get());
      }
      assertTrue(checks.get() > 0, "the reader ran");
      try (Txn txn = db.newTransaction(false)) {
        assertEquals(101, txn.readTs(), "one timestamp per commit");
      }
    }
  }

  // B-005 TestTxnWriteSkew
  @Test
  void writeSkewIsRejected() {
    try (DB db = open()) {
      db.update(txn -> {
        txn.set(bytes("x"), bytes("100"));
        txn.set(bytes("y"), bytes("100"));
      });
      try (Txn txn1 = db.newTransaction(true); Txn txn2 = db.newTransaction(true)) {
        assertEquals(1, txn1.readTs());
        assertEquals(200, balance(txn1, "x") + balance(txn1, "y"));
        txn1.set(bytes("x"), bytes("0")); // deduct 100 from x
        assertEquals(0, balance(txn1, "x"), "own write");
        assertEquals(100, balance(txn1, "x") + balance(txn1, "y"));

        assertEquals(200, balance(txn2, "x") + balance(txn2, "y"));
        txn2.set(bytes("y"), bytes("0")); // deduct 100 from y
        assertEquals(100, balance(txn2, "x") + balance(txn2, "y"));

        txn1.commit();
        assertThrows(ConflictException.class, txn2::commit);
      }
      assertEquals("0", s(db.get(bytes("x"))));
      assertEquals("100", s(db.get(bytes("y"))), "nothing of the conflicting transaction was written");
      try (Txn txn = db.newTransaction(false)) {
        assertEquals(2, txn.readTs(), "the conflicting commit took no timestamp");
      }
    }
  }

  private static int balance(Txn txn, String account) {
    return Integer.parseInt(value(txn.get(bytes(account))));
  }

  // §8.2 (readTs waits until every allocated commit is applied) and ConflictException's contract:
  // "the new transaction sees the data that caused the conflict"
  @Test
  void retryAfterAConflictSeesTheCommitThatCausedIt() throws Exception {
    try (DB db = open()) {
      byte[] key = bytes("k");
      db.put(key, bytes("0"));
      int trials = 300;
      List<String> stale = new ArrayList<>();
      for (int i = 1; i <= trials; i++) {
        Txn loser = db.newTransaction(true);
        loser.get(key);
        loser.set(bytes("other"), bytes("x"));
        Txn winner = db.newTransaction(true);
        winner.set(key, bytes(Integer.toString(i)));
        CompletableFuture<Void> winnerCommit = winner.commitAsync(); // conflict check and enqueue done
        assertThrows(ConflictException.class, loser::commit);
        try (Txn retry = db.newTransaction(true)) {
          String seen = value(retry.get(key));
          if (!Integer.toString(i).equals(seen)) {
            stale.add("trial " + i + ": retry at readTs " + retry.readTs() + " read " + seen);
          }
        }
        winnerCommit.get(10, TimeUnit.SECONDS);
      }
      assertTrue(stale.isEmpty(), stale.size() + " of " + trials + " retries did not see the commit that "
          + "made them conflict (a retry that re-reads the old snapshot is doomed to conflict again): "
          + stale.subList(0, Math.min(3, stale.size())));
    }
  }

  // B-013 TestConflict (Get variant)
  @Test
  void exactlyOneOfSixteenRacingGetThenSetCommitsSucceeds() throws Exception {
    racingSetIfAbsent(false);
  }

  // B-013 TestConflict (Seek variant: the read enters the read set through the iterator)
  @Test
  void exactlyOneOfSixteenRacingSeekThenSetCommitsSucceeds() throws Exception {
    racingSetIfAbsent(true);
  }

  /**
   * Sixteen transactions each check that "foo" is absent and then set it. All of them read before
   * any commits (a barrier), so every one sees it absent: exactly one commit wins, 15 conflict.
   * Ten rounds, each on a fresh store, as in Badger.
   */
  private void racingSetIfAbsent(boolean bySeek) throws Exception {
    byte[] key = bytes("foo");
    for (int round = 0; round < 10; round++) {
      try (DB db = DB.open(Options.builder(dir.resolve((bySeek ? "seek" : "get") + round)).build())) {
        int racers = 16;
        CyclicBarrier allRead = new CyclicBarrier(racers);
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        List<Future<Boolean>> outcomes = new ArrayList<>();
        for (int i = 0; i < racers; i++) {
          outcomes.add(pool.submit(() -> {
            Txn txn = db.newTransaction(true);
            try {
              boolean found;
              if (bySeek) {
                try (DbIterator it = txn.newIterator(IteratorOptions.DEFAULT)) {
                  it.seek(key);
                  found = it.valid() && Arrays.equals(key, it.item().key());
                }
              } else {
                found = txn.get(key) != null;
              }
              allRead.await(10, TimeUnit.SECONDS);
              assertFalse(found, "every racer read before any commit");
              txn.set(key, bytes("AA"));
              CompletableFuture<Void> commit = txn.commitAsync();
              try {
                commit.get(10, TimeUnit.SECONDS);
                return true;
              } catch (ExecutionException e) {
                assertInstanceOf(ConflictException.class, e.getCause());
                return false;
              }
            } finally {
              txn.close();
            }
          }));
        }
        int succeeded = 0;
        for (Future<Boolean> outcome : outcomes) {
          succeeded += outcome.get(30, TimeUnit.SECONDS) ? 1 : 0;
        }
        pool.shutdown();
        assertEquals(1, succeeded, "round " + round + (bySeek ? " (seek)" : " (get)"));
        assertEquals("AA", s(db.get(key)));
      }
    }
  }

  // B-014 TestWaterMarkEdgeCase
  @Test
  void waterMarkEdgeCaseAlwaysConflicts() throws Exception {
    int instances = 1000;
    int threads = instances; // all instances really in parallel, as Badger's goroutines
    System.out.println("waterMarkEdgeCaseAlwaysConflicts: " + instances + " instances on " + threads
        + " threads, random delays up to 100 ms");
    try (DB db = open()) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < instances; i++) {
        int instance = i;
        results.add(pool.submit(() -> waterMarkInstance(db, instance)));
      }
      List<String> failures = new ArrayList<>();
      for (Future<String> result : results) {
        String failure = result.get(60, TimeUnit.SECONDS);
        if (failure != null) {
          failures.add(failure);
        }
      }
      pool.shutdown();
      assertTrue(failures.isEmpty(), failures.size() + " instances did not conflict: "
          + failures.subList(0, Math.min(5, failures.size())));
    }
  }

  /** One instance of Badger's doWork; null when tx1 conflicted as it must. */
  private static String waterMarkInstance(DB db, int instance) throws InterruptedException {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    Thread.sleep(random.nextInt(100));
    byte[] key1 = bytes("v:" + instance + ":" + Long.toHexString(random.nextLong()));
    byte[] key2 = bytes("v:" + instance + ":" + Long.toHexString(random.nextLong()));
    try (Txn tx1 = db.newTransaction(true); Txn tx2 = db.newTransaction(true)) {
      tx2.get(key1);
      tx2.get(key2);
      tx1.get(key1);
      tx2.get(key1);
      tx2.set(key1, bytes("value1"));
      tx2.set(key2, bytes("value2"));
      try {
        tx2.commit();
      } catch (RuntimeException e) {
        return "instance " + instance + ": tx2 failed: " + e;
      }
      tx1.set(key1, bytes("value1-second"));
      tx1.get(key1);
      tx1.set(key1, bytes("value1-third"));
      Thread.sleep(random.nextInt(100));
      try {
        tx1.commit();
        return "instance " + instance + ": tx1 committed";
      } catch (ConflictException expected) {
        return null;
      }
    }
  }

  // B-020 TestGetAfterDelete
  @Test
  void getAfterDeleteInTheSameTransactionReturnsNull() {
    try (DB db = open()) {
      db.put(bytes("key"), bytes("val1"));
      db.update(txn -> {
        txn.delete(bytes("key"));
        assertNull(txn.get(bytes("key")));
      });
      assertNull(db.get(bytes("key")));
    }
  }

  // B-021 TestTxnTooBig, and §1.5: the operation fails, the transaction stays usable and committable
  @Test
  void txnTooBigLeavesTheTransactionUsable() {
    try (DB db = DB.open(Options.builder(dir).memTableSize(64 << 10).build())) {
      int n = 1000;
      int tooBig = 0;
      Txn txn = db.newTransaction(true);
      for (int i = 0; i < n; ) {
        try {
          txn.set(data(i), data(i));
          i++;
        } catch (TxnTooBigException e) {
          tooBig++;
          assertEquals(s(data(i - 1)), value(txn.get(data(i - 1))), "earlier writes are still pending");
          assertNull(txn.get(data(i)), "the failed write had no effect");
          txn.commit();
          txn = db.newTransaction(true);
        }
      }
      txn.commit();
      assertTrue(tooBig >= 5, "64 KiB memtables allow about 100 entries per transaction; got " + tooBig
          + " TxnTooBig for " + n + " entries");
      try (Txn check = db.newTransaction(false)) {
        for (int i = 0; i < n; i++) {
          assertEquals(s(data(i)), value(check.get(data(i))));
        }
      }

      txn = db.newTransaction(true);
      for (int i = 0; i < n; ) {
        try {
          txn.delete(data(i));
          i++;
        } catch (TxnTooBigException e) {
          txn.commit();
          txn = db.newTransaction(true);
        }
      }
      txn.commit();
      try (Txn check = db.newTransaction(false)) {
        for (int i = 0; i < n; i++) {
          assertNull(check.get(data(i)));
        }
        assertEquals(List.of(), keys(check, FORWARD));
      }
    }
  }

  private static byte[] data(int i) {
    return bytes(Integer.toBinaryString(i));
  }

  // §1.5 (ErrReadOnlyTxn): a read-only transaction rejects every write; its commit is a no-op
  @Test
  void readOnlyTransactionRejectsWrites() {
    try (DB db = open()) {
      db.put(bytes("a"), bytes("1"));
      try (Txn txn = db.newTransaction(false)) {
        assertThrows(IllegalStateException.class, () -> txn.set(bytes("a"), bytes("2")));
        assertThrows(IllegalStateException.class, () -> txn.setEntry(Entry.of(bytes("b"), bytes("2"))));
        assertThrows(IllegalStateException.class, () -> txn.delete(bytes("a")));
        assertEquals("1", value(txn.get(bytes("a"))), "reads still work");
        txn.commit(); // nothing to write: succeeds like Badger's Commit of an empty txn
      }
      db.view(txn -> assertThrows(IllegalStateException.class, () -> txn.set(bytes("c"), bytes("3"))));
      assertEquals("1", s(db.get(bytes("a"))));
      assertNull(db.get(bytes("b")));
      assertNull(db.get(bytes("c")));
    }
  }

  // §1.5 Discard ("Unclosed iterator at time of Txn.Discard" panics) and B-028
  @Test
  void closingOrCommittingATransactionWithAnOpenIteratorThrows() {
    try (DB db = open()) {
      db.put(bytes("a"), bytes("1"));
      Txn txn = db.newTransaction(true);
      txn.set(bytes("b"), bytes("2"));
      DbIterator it = txn.newIterator(IteratorOptions.DEFAULT);
      assertThrows(IllegalStateException.class, txn::close);
      assertThrows(IllegalStateException.class, txn::discard);
      assertThrows(IllegalStateException.class, txn::commit);
      // The failed close left the transaction as it was: the iterator and the txn still work.
      assertEquals(List.of("a", "b"), keys(it));
      it.close();
      it.close(); // double close is harmless
      txn.commit();
      assertEquals("2", s(db.get(bytes("b"))));
    }
  }

  // §1.5 Commit precheck ("Trying to commit a discarded txn"; ErrDiscardedTxn)
  @Test
  void commitAfterDiscardThrows() {
    try (DB db = open()) {
      Txn txn = db.newTransaction(true);
      txn.set(bytes("a"), bytes("1"));
      txn.discard();
      txn.discard(); // idempotent
      assertThrows(IllegalStateException.class, txn::commit);
      assertThrows(IllegalStateException.class, () -> txn.get(bytes("a")));
      assertThrows(IllegalStateException.class, () -> txn.set(bytes("a"), bytes("2")));
      assertThrows(IllegalStateException.class, () -> txn.newIterator(IteratorOptions.DEFAULT));
      assertNull(db.get(bytes("a")), "a discarded transaction writes nothing");

      Txn committed = db.newTransaction(true);
      committed.set(bytes("b"), bytes("1"));
      committed.commit();
      assertThrows(IllegalStateException.class, committed::commit, "a second commit");
      committed.close(); // a no-op after commit
      assertEquals("1", s(db.get(bytes("b"))));
    }
  }

  // §1.5 Commit step 1: no pending writes → discard, no timestamp consumed
  @Test
  void emptyCommitConsumesNoTimestamp() throws Exception {
    try (DB db = open()) {
      db.put(bytes("a"), bytes("1"));
      assertEquals(1, readTs(db));
      Txn empty = db.newTransaction(true);
      empty.get(bytes("a"));
      empty.commit();
      assertEquals(1, readTs(db));
      Txn emptyAsync = db.newTransaction(true);
      emptyAsync.commitAsync().get(10, TimeUnit.SECONDS);
      assertEquals(1, readTs(db));
      db.update(txn -> { });
      assertEquals(1, readTs(db));
      db.put(bytes("a"), bytes("2"));
      assertEquals(2, readTs(db));
      db.view(txn -> assertEquals(2, txn.get(bytes("a")).version(), "the next commit got the next timestamp"));
    }
  }

  private static long readTs(DB db) {
    try (Txn txn = db.newTransaction(false)) {
      return txn.readTs();
    }
  }

  // B-075 TestTxnReadTs and §8.2 ("Fresh DB: readTs 0; after the first commit readTs is 1")
  @Test
  void readTsEqualsTheNumberOfCommitsOnAFreshStore() {
    try (DB db = open()) {
      assertEquals(0, readTs(db));
      db.put(bytes("foo"), bytes("foo"));
      assertEquals(1, readTs(db));
    }
    try (DB db = open()) {
      assertEquals(1, readTs(db), "after reopen readTs stays at the max version");
      for (int i = 2; i <= 20; i++) {
        db.put(bytes("k" + i), bytes("v"));
        assertEquals(i, readTs(db));
        int version = i;
        db.view(txn -> assertEquals(version, txn.get(bytes("k" + version)).version()));
      }
      assertEquals(20, db.maxVersion());
    }
  }

  // B-019 TestGet (user meta and values across overwrites and deletes)
  @Test
  void userMetaFollowsEachWriteOfAKey() {
    try (DB db = open()) {
      byte[] key = bytes("key1");
      db.update(txn -> txn.setEntry(Entry.of(key, bytes("val1")).withUserMeta((byte) 0x08)));
      db.view(txn -> {
        assertEquals("val1", value(txn.get(key)));
        assertEquals(0x08, txn.get(key).userMeta());
      });
      db.update(txn -> txn.setEntry(Entry.of(key, bytes("val2")).withUserMeta((byte) 0x09)));
      db.view(txn -> {
        assertEquals("val2", value(txn.get(key)));
        assertEquals(0x09, txn.get(key).userMeta());
      });
      db.delete(key);
      db.view(txn -> assertNull(txn.get(key)));
      db.update(txn -> txn.setEntry(Entry.of(key, bytes("val3")).withUserMeta((byte) 0x01)));
      db.view(txn -> {
        assertEquals("val3", value(txn.get(key)));
        assertEquals(0x01, txn.get(key).userMeta());
      });
      byte[] longValue = new byte[1000];
      Arrays.fill(longValue, (byte) 'x');
      db.update(txn -> txn.set(key, longValue));
      db.view(txn -> {
        Item item = txn.get(key);
        assertArrayEquals(longValue, item.value());
        assertEquals(0, item.userMeta(), "a plain set clears the user meta");
        assertEquals(1000, item.valueSize());
        try (DbIterator it = txn.newIterator(IteratorOptions.DEFAULT)) {
          it.rewind();
          assertEquals(0, it.item().userMeta());
        }
      });
      // User meta through an iterator and in a transaction's own pending write.
      db.update(txn -> {
        txn.setEntry(Entry.of(bytes("key2"), bytes("v")).withUserMeta((byte) 0x7F));
        assertEquals(0x7F, txn.get(bytes("key2")).userMeta());
      });
      db.view(txn -> {
        try (DbIterator it = txn.newIterator(IteratorOptions.DEFAULT)) {
          it.seek(bytes("key2"));
          assertEquals(0x7F, it.item().userMeta());
        }
      });
    }
  }

  // B-036 TestExpiry, with the clock injected instead of sleeping
  @Test
  void ttlExpiryFollowsTheInjectedClock() {
    Support.ManualClock clock = new Support.ManualClock(1_700_000_000_000L);
    try (DB db = DB.open(Options.builder(dir).clock(clock).build())) {
      db.put(bytes("answer1"), bytes("42"));
      db.update(txn -> txn.setEntry(Entry.of(bytes("answer2"), bytes("43")).withTtl(Duration.ofSeconds(1))));
      db.update(txn -> txn.setEntry(Entry.of(bytes("answer3"), bytes("44")).withExpiresAt(1_700_000_000L)));
      db.view(txn -> {
        assertEquals(1_700_000_001L, txn.get(bytes("answer2")).expiresAt());
        assertNull(txn.get(bytes("answer3")), "expiresAt <= now is expired");
        assertEquals(List.of("answer1", "answer2"), keys(txn, FORWARD));
      });
      clock.advanceSeconds(1); // now == expiresAt of answer2: expired
      db.view(txn -> {
        assertEquals("42", value(txn.get(bytes("answer1"))));
        assertNull(txn.get(bytes("answer2")));
        assertEquals(List.of("answer1"), keys(txn, FORWARD));
        assertEquals(List.of("answer1"), keys(txn, Support.REVERSE));
        List<String> all = new ArrayList<>();
        try (DbIterator it = txn.newIterator(Support.ALL_VERSIONS)) {
          for (it.rewind(); it.valid(); it.next()) {
            all.add(s(it.item().key()) + (it.item().isDeletedOrExpired() ? " expired" : ""));
          }
        }
        assertEquals(List.of("answer1", "answer2 expired", "answer3 expired"), all,
            "allVersions returns expired versions, marked");
      });
      db.update(txn -> {
        assertNull(txn.get(bytes("answer2")));
        txn.setEntry(Entry.of(bytes("answer4"), bytes("45")).withExpiresAt(1_600_000_000L));
        assertNull(txn.get(bytes("answer4")), "an expired pending write reads as absent");
      });
      db.put(bytes("answer2"), bytes("back"));
      assertEquals("back", s(db.get(bytes("answer2"))), "a new write of an expired key is visible");
    }
  }

  // B-035 TestDiscardVersionsBelow
  @Test
  void discardEarlierVersionsMarksTheNewestVersion() {
    try (DB db = open()) {
      byte[] key = bytes("answer");
      for (int i = 0; i < 4; i++) {
        db.put(key, bytes(Integer.toString(i)));
      }
      IteratorOptions options = IteratorOptions.builder().allVersions(true).prefetchValues(false).build();
      Txn before = db.newTransaction(false);
      assertEquals(4, countUntilDiscardMark(before, options, key));
      db.update(txn -> txn.setEntry(Entry.of(key, bytes("5")).withDiscardEarlierVersions()));
      try (Txn txn = db.newTransaction(false)) {
        assertEquals(1, countUntilDiscardMark(txn, options, key));
        assertTrue(txn.get(key).discardEarlierVersions());
        assertEquals("5", value(txn.get(key)));
      }
      assertEquals("3", value(before.get(key)), "an older snapshot still reads its version");
      assertFalse(before.get(key).discardEarlierVersions());
      before.close();
    }
  }

  private static int countUntilDiscardMark(Txn txn, IteratorOptions options, byte[] key) {
    int count = 0;
    try (DbIterator it = txn.newIterator(options)) {
      for (it.rewind(); it.valid(); it.next()) {
        count++;
        Item item = it.item();
        assertArrayEquals(key, item.key());
        if (item.discardEarlierVersions()) {
          break;
        }
      }
    }
    return count;
  }

  // B-033 TestSetIfAbsentAsync
  @Test
  void asyncSetIfAbsentCommitsAllSurviveReopen() throws Exception {
    int n = 1000;
    List<CompletableFuture<Void>> commits = new ArrayList<>();
    try (DB db = open()) {
      for (int i = 0; i < n; i++) {
        Txn txn = db.newTransaction(true);
        assertNull(txn.get(bkey(i)));
        txn.setEntry(Entry.of(bkey(i), new byte[0]).withUserMeta((byte) (i % 127)));
        commits.add(txn.commitAsync());
      }
    } // close right away, as Badger does: queued commits are applied first
    for (CompletableFuture<Void> commit : commits) {
      commit.get(10, TimeUnit.SECONDS); // every one succeeded
    }
    try (DB db = open(); Txn txn = db.newTransaction(false);
        DbIterator it = txn.newIterator(IteratorOptions.DEFAULT)) {
      int count = 0;
      for (it.rewind(); it.valid(); it.next()) {
        assertEquals(s(bkey(count)), s(it.item().key()));
        assertEquals(count % 127, it.item().userMeta());
        assertEquals(0, it.item().valueSize());
        count++;
      }
      assertEquals(n, count);
    }
  }

  private static byte[] bkey(int i) {
    return bytes(String.format("%09d", i));
  }

  // §1.5 conflict semantics: Item() and Seek(k) enter the read set, stepping alone does not (§12.3)
  @Test
  void iteratorReadsJoinTheReadSet() {
    try (DB db = open()) {
      db.update(txn -> {
        txn.set(bytes("a"), bytes("1"));
        txn.set(bytes("b"), bytes("1"));
        txn.set(bytes("c"), bytes("1"));
      });
      // Item() on every key: a later write of b conflicts.
      Txn reader = db.newTransaction(true);
      try (DbIterator it = reader.newIterator(IteratorOptions.DEFAULT)) {
        for (it.rewind(); it.valid(); it.next()) {
          it.item();
        }
      }
      db.put(bytes("b"), bytes("2"));
      reader.set(bytes("z"), bytes("from reader"));
      assertThrows(ConflictException.class, reader::commit);
      assertNull(db.get(bytes("z")));

      // Seek(k) records k even when k is absent and Item() is never called.
      Txn seeker = db.newTransaction(true);
      try (DbIterator it = seeker.newIterator(IteratorOptions.DEFAULT)) {
        it.seek(bytes("bb"));
        assertTrue(it.valid());
      }
      db.put(bytes("bb"), bytes("new"));
      seeker.set(bytes("z"), bytes("from seeker"));
      assertThrows(ConflictException.class, seeker::commit);

      // Stepping over keys without Item() records nothing: no phantom protection (as in Badger).
      Txn stepper = db.newTransaction(true);
      int stepped = 0;
      try (DbIterator it = stepper.newIterator(IteratorOptions.DEFAULT)) {
        for (it.rewind(); it.valid(); it.next()) {
          stepped++;
        }
      }
      assertEquals(4, stepped);
      db.put(bytes("c"), bytes("2"));
      stepper.set(bytes("z"), bytes("from stepper"));
      stepper.commit();
      assertEquals("from stepper", s(db.get(bytes("z"))));
    }
  }

  // §1.5 DetectConflicts=false: nothing is recorded, commits never conflict
  @Test
  void commitsNeverConflictWhenDetectionIsOff() {
    try (DB db = DB.open(Options.builder(dir).detectConflicts(false).build())) {
      db.update(txn -> {
        txn.set(bytes("x"), bytes("100"));
        txn.set(bytes("y"), bytes("100"));
      });
      try (Txn txn1 = db.newTransaction(true); Txn txn2 = db.newTransaction(true)) {
        balance(txn1, "x");
        balance(txn1, "y");
        balance(txn2, "x");
        balance(txn2, "y");
        txn1.set(bytes("x"), bytes("0"));
        txn2.set(bytes("y"), bytes("0"));
        txn1.commit();
        txn2.commit(); // write skew is allowed without conflict detection
      }
      assertEquals("0", s(db.get(bytes("x"))));
      assertEquals("0", s(db.get(bytes("y"))));
    }
  }

  // B-061 TestCloseDBWhileReading
  @Test
  void readsRacingCloseFailOnlyWithDbClosed() throws Exception {
    DB db = open();
    db.put(bytes("key"), bytes("value"));
    int readers = 10;
    CountDownLatch running = new CountDownLatch(readers);
    List<Throwable> endings = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger reads = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < readers; i++) {
      Thread thread = new Thread(() -> {
        running.countDown();
        try {
          while (true) {
            db.view(txn -> assertEquals("value", value(txn.get(bytes("key")))));
            reads.incrementAndGet();
          }
        } catch (Throwable e) {
          endings.add(e);
        }
      });
      thread.start();
      threads.add(thread);
    }
    running.await();
    Thread.sleep(200);
    db.close();
    for (Thread thread : threads) {
      thread.join(10_000);
      assertFalse(thread.isAlive(), "a reader is stuck after close");
    }
    assertEquals(readers, endings.size());
    for (Throwable ending : endings) {
      if (!(ending instanceof DbClosedException)) {
        throw new AssertionError("a reader ended with something else than DbClosedException", ending);
      }
    }
    assertTrue(reads.get() > 0);
    assertThrows(DbClosedException.class, () -> db.view(txn -> fail("must not run")));
  }

  // API.md: db.update commits only when the body returns
  @Test
  void updateWhoseBodyThrowsWritesNothing() {
    try (DB db = open()) {
      db.put(bytes("a"), bytes("1"));
      IllegalStateException thrown = new IllegalStateException("body failed");
      IllegalStateException caught = assertThrows(IllegalStateException.class, () -> db.update(txn -> {
        txn.set(bytes("a"), bytes("2"));
        txn.set(bytes("b"), bytes("2"));
        throw thrown;
      }));
      assertEquals(thrown, caught);
      assertEquals("1", s(db.get(bytes("a"))));
      assertNull(db.get(bytes("b")));
      assertEquals(1, readTs(db));
      assertNotNull(db.get(bytes("a")));
    }
  }
}
