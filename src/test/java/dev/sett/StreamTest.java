package dev.sett;

import static dev.sett.testing.Bytes.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.testing.Eventually;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamTest {
  @TempDir
  Path dir;

  private static String s(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private Options.Builder small() {
    return Options.builder(dir).memTableSize(64 << 10).baseTableSize(32 << 10).blockSize(512)
        .valueThreshold(100);
  }

  /** Runs {@code stream}, collecting the batches; checks key order within each batch. */
  private static List<KV> collect(Stream stream, long maxSize) {
    List<KV> all = new ArrayList<>();
    stream.maxSize(maxSize).send(batch -> {
      long bytes = 0;
      for (int i = 0; i < batch.size(); i++) {
        KV kv = batch.get(i);
        if (i > 0) {
          int order = Arrays.compareUnsigned(batch.get(i - 1).key(), kv.key());
          assertTrue(order < 0 || order == 0 && batch.get(i - 1).version() > kv.version(),
              "keys ascending, versions descending within a batch");
        }
        bytes += kv.key().length + kv.value().length;
      }
      assertTrue(bytes <= maxSize + 2_000, "a batch of " + bytes + " bytes for maxSize " + maxSize);
      all.addAll(batch);
    }).orchestrate();
    return all;
  }

  @Test
  void modelTestAgainstATreeMap() {
    long seed = System.nanoTime();
    System.out.println("StreamTest.modelTestAgainstATreeMap seed=" + seed);
    Random random = new Random(seed);
    TreeMap<String, byte[]> model = new TreeMap<>();
    try (DB db = DB.open(small().build())) {
      for (int round = 0; round < 6; round++) {
        try (WriteBatch wb = db.newWriteBatch()) {
          for (int i = 0; i < 1500; i++) {
            String key = "k" + (char) ('a' + random.nextInt(4)) + String.format("%05d", random.nextInt(3000));
            if (random.nextInt(6) == 0) {
              wb.delete(bytes(key));
              model.remove(key);
            } else {
              byte[] value = new byte[random.nextInt(300)];
              random.nextBytes(value);
              wb.set(bytes(key), value);
              model.put(key, value);
            }
          }
          wb.flush();
        }
      }
      Eventually.await("several tables for the stream to split", () -> db.tables().size() > 3);
      for (int run = 0; run < 6; run++) {
        String prefix = run == 0 ? "" : "k" + (char) ('a' + random.nextInt(4));
        int numGo = 1 + random.nextInt(6);
        boolean ordered = random.nextBoolean();
        Stream stream = db.newStream().numGo(numGo).prefix(bytes(prefix)).inKeyOrder(ordered);
        List<KV> got = collect(stream, 1 + random.nextInt(20_000));
        for (int i = 1; ordered && i < got.size(); i++) {
          assertTrue(Arrays.compareUnsigned(got.get(i - 1).key(), got.get(i).key()) < 0,
              "global key order (seed " + seed + ")");
        }
        Map<String, byte[]> expected = model.subMap(prefix, prefix + Character.MAX_VALUE);
        TreeMap<String, byte[]> actual = new TreeMap<>();
        for (KV kv : got) {
          assertFalse(kv.deleted());
          byte[] previous = actual.put(s(kv.key()), kv.value());
          assertEquals(null, previous, "key sent twice: " + s(kv.key()) + " (seed " + seed + ")");
        }
        assertEquals(expected.keySet(), actual.keySet(), "prefix " + prefix + ", seed " + seed);
        for (Map.Entry<String, byte[]> entry : expected.entrySet()) {
          assertArrayEquals(entry.getValue(), actual.get(entry.getKey()), entry.getKey());
        }
      }
    }
  }

  @Test
  void theSnapshotIsTakenAtCreation() {
    try (DB db = DB.open(small().build())) {
      db.put(bytes("a"), bytes("1"));
      Stream stream = db.newStream();
      db.put(bytes("a"), bytes("2"));
      db.put(bytes("b"), bytes("3"));
      List<KV> got = collect(stream, 1 << 20);
      assertEquals(1, got.size());
      assertEquals("1", s(got.get(0).value()));
      assertEquals(stream.readTs(), got.get(0).version());
    }
  }

  @Test
  void theSnapshotHoldsWhileWritesFlushesAndCompactionsGoOn() throws Exception {
    try (DB db = DB.open(small().build())) {
      TreeMap<String, String> model = new TreeMap<>();
      for (int i = 0; i < 3000; i++) {
        String key = String.format("k%05d", i);
        db.put(bytes(key), bytes("old" + i));
        model.put(key, "old" + i);
      }
      Stream stream = db.newStream().numGo(3);
      Thread writer = new Thread(() -> {
        try (WriteBatch wb = db.newWriteBatch()) {
          for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 3000; i++) {
              if (i % 7 == 0) {
                wb.delete(bytes(String.format("k%05d", i)));
              } else {
                wb.set(bytes(String.format("k%05d", i)), bytes("new" + round + "-" + "x".repeat(i % 200)));
              }
            }
          }
          wb.flush();
        }
      });
      writer.start();
      TreeMap<String, String> got = new TreeMap<>();
      stream.send(batch -> {
        for (KV kv : batch) {
          assertEquals(null, got.put(s(kv.key()), s(kv.value())), "once: " + s(kv.key()));
        }
      }).orchestrate();
      writer.join();
      assertEquals(model, got);
    }
  }

  @Test
  void versionsNewestFirstDownToTheFirstDeletion() {
    try (DB db = DB.open(small().numVersionsToKeep(10).build())) {
      db.put(bytes("k"), bytes("1"));
      db.delete(bytes("k"));
      db.put(bytes("k"), bytes("3"));
      db.put(bytes("k"), bytes("4"));
      db.put(bytes("gone"), bytes("x"));
      db.delete(bytes("gone"));
      db.update(txn -> txn.setEntry(Entry.of(bytes("m"), bytes("old"))));
      db.update(txn -> txn.setEntry(Entry.of(bytes("m"), bytes("new")).withDiscardEarlierVersions()
          .withUserMeta((byte) 5)));
      List<KV> got = collect(db.newStream().numGo(2), 1 << 20);
      List<String> seen = new ArrayList<>();
      for (KV kv : got) {
        seen.add(s(kv.key()) + "=" + s(kv.value()));
      }
      assertEquals(List.of("k=4", "k=3", "m=new"), seen);
      assertTrue(got.get(0).version() > got.get(1).version());
      assertEquals(5, got.get(2).userMeta());
    }
  }

  @Test
  void chooseKeySeesTheNewestVersionAndFiltersKeys() {
    try (DB db = DB.open(small().build())) {
      for (int i = 0; i < 200; i++) {
        db.put(bytes(String.format("k%03d", i)), bytes("v" + i));
      }
      List<KV> got = collect(db.newStream().numGo(3).chooseKey(item -> {
        assertFalse(item.isDeletedOrExpired());
        return s(item.value()).endsWith("7");
      }), 1 << 20);
      assertEquals(20, got.size());
    }
  }

  @Test
  void anExceptionInSendStopsTheStreamAndComesOutOfOrchestrate() {
    try (DB db = DB.open(small().build())) {
      fill(db, 5000);
      RuntimeException boom = new IllegalStateException("send failed (expected by the test)");
      AtomicInteger calls = new AtomicInteger();
      Stream stream = db.newStream().numGo(4).maxSize(1000).send(batch -> {
        if (calls.incrementAndGet() == 3) {
          throw boom;
        }
      });
      RuntimeException thrown = assertThrows(RuntimeException.class, stream::orchestrate);
      assertSame(boom, thrown);
      assertEquals(3, calls.get(), "send is not called after it threw");
      assertNoStreamThreads();
      assertThrows(IllegalStateException.class, stream::orchestrate, "a stream runs once");
      // The snapshot was released: a later writer is not held back and the store works.
      db.put(bytes("after"), bytes("x"));
      assertEquals("x", s(db.get(bytes("after"))));
    }
  }

  @Test
  void anExceptionInChooseKeyStopsTheStreamAndComesOutOfOrchestrate() {
    try (DB db = DB.open(small().build())) {
      fill(db, 5000);
      RuntimeException boom = new IllegalArgumentException("choose failed (expected by the test)");
      Stream stream = db.newStream().numGo(4).chooseKey(item -> {
        if (s(item.key()).equals("k02500")) {
          throw boom;
        }
        return true;
      }).send(batch -> { });
      assertSame(boom, assertThrows(RuntimeException.class, stream::orchestrate));
      assertNoStreamThreads();
    }
  }

  @Test
  void inKeyOrderAFailureStopsTheStreamToo() {
    try (DB db = DB.open(small().build())) {
      fill(db, 5000);
      RuntimeException boom = new IllegalStateException("send failed (expected by the test)");
      AtomicInteger calls = new AtomicInteger();
      Stream stream = db.newStream().numGo(4).inKeyOrder(true).maxSize(500).send(batch -> {
        if (calls.incrementAndGet() == 5) {
          throw boom;
        }
      });
      assertSame(boom, assertThrows(RuntimeException.class, stream::orchestrate));
      assertEquals(5, calls.get());
      assertNoStreamThreads();
    }
  }

  @Test
  void misuseIsRejected() {
    try (DB db = DB.open(small().build())) {
      assertThrows(IllegalArgumentException.class, () -> db.newStream().numGo(0));
      assertThrows(IllegalArgumentException.class, () -> db.newStream().maxSize(0));
      assertThrows(IllegalStateException.class, () -> db.newStream().orchestrate(), "no send");
      assertThrows(IllegalStateException.class, () -> db.newStreamAt(5), "normal store");
    }
  }

  @Test
  void managedStreamsReadAtTheirTimestamp() {
    try (DB db = DB.openManaged(small().build())) {
      for (long ts = 10; ts <= 30; ts += 10) {
        try (WriteBatch wb = db.newWriteBatchAt(ts)) {
          wb.set(bytes("k"), bytes("v" + ts));
          wb.flush();
        }
      }
      assertThrows(IllegalStateException.class, db::newStream);
      List<KV> got = collect(db.newStreamAt(25), 1 << 20);
      assertEquals(1, got.size());
      assertEquals("v20", s(got.get(0).value()));
      assertEquals(20, got.get(0).version());
    }
  }

  private static void fill(DB db, int n) {
    try (WriteBatch wb = db.newWriteBatch()) {
      for (int i = 0; i < n; i++) {
        wb.set(bytes(String.format("k%05d", i)), new byte[50]);
      }
      wb.flush();
    }
  }

  private static void assertNoStreamThreads() {
    Set<String> alive = new HashSet<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (thread.getName().contains("-stream-worker-") && thread.isAlive()) {
        alive.add(thread.getName());
      }
    }
    assertEquals(Set.of(), alive, "stream threads still running");
  }
}
