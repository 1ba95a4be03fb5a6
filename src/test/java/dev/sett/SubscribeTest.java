package dev.sett;

import static dev.sett.testing.Bytes.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SubscribeTest {
  @TempDir
  Path dir;

  private static String s(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Collects what a subscription receives. */
  private static final class Collector implements java.util.function.Consumer<List<KV>> {
    final List<KV> received = Collections.synchronizedList(new ArrayList<>());

    @Override
    public void accept(List<KV> kvs) {
      received.addAll(kvs);
    }

    void awaitSize(int n) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (received.size() < n && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertEquals(n, received.size(), "received " + received);
    }
  }

  @Test
  void deliversEveryChangeUnderThePrefixesInCommitOrderDeletesIncluded() throws Exception {
    try (DB db = DB.open(Options.builder(dir).build())) {
      Collector collector = new Collector();
      try (AutoCloseable sub = db.subscribe(List.of(bytes("a/"), bytes("c/")), collector)) {
        db.put(bytes("a/1"), bytes("one"));
        db.put(bytes("b/1"), bytes("ignored"));
        db.update(txn -> {
          txn.set(bytes("c/2"), bytes("two"));
          txn.setEntry(Entry.of(bytes("a/3"), bytes("three")).withUserMeta((byte) 7));
          txn.set(bytes("b/2"), bytes("ignored"));
        });
        db.delete(bytes("a/1"));
        collector.awaitSize(4);
      }
      List<KV> got = collector.received;
      assertEquals("a/1", s(got.get(0).key()));
      assertEquals("one", s(got.get(0).value()));
      assertFalse(got.get(0).deleted());
      assertTrue(got.get(1).version() > got.get(0).version());
      assertEquals(got.get(1).version(), got.get(2).version(), "one transaction, one version");
      KV three = got.get(1).key()[0] == 'a' ? got.get(1) : got.get(2);
      assertEquals(7, three.userMeta());
      KV deletion = got.get(3);
      assertEquals("a/1", s(deletion.key()));
      assertTrue(deletion.deleted());
      assertEquals(0, deletion.value().length);
      assertTrue(deletion.version() > got.get(2).version());
    }
  }

  @Test
  void largeValuesArriveWholeNotAsPointers() throws Exception {
    try (DB db = DB.open(Options.builder(dir).valueThreshold(64).build())) {
      Collector collector = new Collector();
      byte[] big = new byte[10_000];
      new java.util.Random(1).nextBytes(big);
      try (AutoCloseable sub = db.subscribe(List.of(new byte[0]), collector)) {
        db.put(bytes("k"), big);
        collector.awaitSize(1);
      }
      assertArrayEquals(big, collector.received.get(0).value());
    }
  }

  @Test
  void manyWritersExactlyOnceInVersionOrderAndNothingAfterClose() throws Exception {
    try (DB db = DB.open(Options.builder(dir).memTableSize(256 << 10).build())) {
      Collector collector = new Collector();
      AutoCloseable sub = db.subscribe(List.of(bytes("k")), collector);
      int threads = 4;
      int perThread = 500;
      List<Thread> writers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        Thread writer = new Thread(() -> {
          for (int i = 0; i < perThread; i++) {
            db.put(bytes("k" + id + "-" + i), bytes("v" + i));
          }
        });
        writers.add(writer);
        writer.start();
      }
      for (Thread writer : writers) {
        writer.join();
      }
      collector.awaitSize(threads * perThread);
      sub.close();
      List<KV> got = new ArrayList<>(collector.received);
      java.util.Set<String> keys = new java.util.HashSet<>();
      for (int i = 0; i < got.size(); i++) {
        assertTrue(keys.add(s(got.get(i).key())), "delivered twice: " + s(got.get(i).key()));
        if (i > 0) {
          assertTrue(got.get(i).version() > got.get(i - 1).version(), "commit order");
        }
      }
      db.put(bytes("k-after"), bytes("x"));
      Thread.sleep(100);
      assertEquals(threads * perThread, collector.received.size(), "nothing after close()");
    }
  }

  @Test
  void aThrowingCallbackEndsOnlyItsOwnSubscription() throws Exception {
    try (DB db = DB.open(Options.builder(dir).build())) {
      AtomicInteger calls = new AtomicInteger();
      db.subscribe(List.of(new byte[0]), kvs -> {
        calls.incrementAndGet();
        throw new IllegalStateException("subscriber bug (expected by the test)");
      });
      Collector healthy = new Collector();
      db.subscribe(List.of(new byte[0]), healthy);
      db.put(bytes("a"), bytes("1"));
      healthy.awaitSize(1);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (calls.get() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      // Thousands more commits than the broken subscriber could buffer: the writers never stall.
      for (int i = 0; i < 3000; i++) {
        db.put(bytes("b" + i), bytes("x"));
      }
      healthy.awaitSize(3001);
      assertEquals(1, calls.get());
    }
  }

  @Test
  void aSlowSubscriberHoldsWritersBackInsteadOfDroppingChanges() throws Exception {
    try (DB db = DB.open(Options.builder(dir).build())) {
      CountDownLatch release = new CountDownLatch(1);
      AtomicInteger delivered = new AtomicInteger();
      AutoCloseable sub = db.subscribe(List.of(new byte[0]), kvs -> {
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        delivered.addAndGet(kvs.size());
      });
      int commits = 3000; // more than a subscription buffers
      AtomicInteger committed = new AtomicInteger();
      Thread writer = new Thread(() -> {
        for (int i = 0; i < commits; i++) {
          db.put(bytes("k" + i), bytes("v"));
          committed.incrementAndGet();
        }
      });
      writer.start();
      // The writer stalls: the count stops moving well before the end.
      long deadline0 = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      int heldAt;
      while (true) {
        int before = committed.get();
        Thread.sleep(300);
        heldAt = committed.get();
        if (heldAt == before && heldAt > 1000 || System.nanoTime() > deadline0) {
          break;
        }
      }
      // 1,000 commits buffered plus the one the callback holds; the next one waits.
      assertTrue(heldAt > 1000 && heldAt < commits, "the writer was held back, at " + heldAt);
      release.countDown();
      writer.join(20_000);
      assertFalse(writer.isAlive());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (delivered.get() < commits && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertEquals(commits, delivered.get());
      sub.close();
    }
  }

  @Test
  void closingTheStoreDeliversWhatWasCommittedAndBadArgumentsAreRejected() throws Exception {
    Collector collector = new Collector();
    try (DB db = DB.open(Options.builder(dir).build())) {
      assertThrows(IllegalArgumentException.class, () -> db.subscribe(List.of(), collector));
      assertThrows(IllegalArgumentException.class, () -> db.subscribe(List.of(bytes("a")), null));
      db.subscribe(List.of(bytes("a")), collector);
      for (int i = 0; i < 100; i++) {
        db.put(bytes("a" + i), bytes("v"));
      }
    }
    assertEquals(100, collector.received.size());
  }

  @Test
  void sequencesAndOtherInternalKeysAreNotDelivered() throws Exception {
    try (DB db = DB.open(Options.builder(dir).build())) {
      AtomicBoolean sawInternal = new AtomicBoolean();
      Collector collector = new Collector();
      db.subscribe(List.of(new byte[0]), kvs -> {
        for (KV kv : kvs) {
          if (s(kv.key()).startsWith("!sett!")) {
            sawInternal.set(true);
          }
        }
        collector.accept(kvs);
      });
      try (Sequence seq = db.getSequence(bytes("seq"), 10)) {
        seq.next();
      }
      db.put(bytes("x"), bytes("1"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (collector.received.stream().noneMatch(kv -> s(kv.key()).equals("x"))
          && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
      assertFalse(sawInternal.get());
    }
  }
}
