package dev.sett;

import static dev.sett.testing.Bytes.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamWriterTest {
  @TempDir
  Path dir;

  private static String s(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private Options.Builder small() {
    return Options.builder(dir).memTableSize(64 << 10).baseTableSize(16 << 10)
        .tableSizeMultiplier(2).maxLevels(4).blockSize(512).valueThreshold(100);
  }

  private static KV kv(String key, String value, long version) {
    return new KV(bytes(key), bytes(value), (byte) 0, version, 0, false);
  }

  @Test
  void loadsSortedDataIntoTheLastLevelValuesLargeAndSmallAndSurvivesReopen() {
    long seed = System.nanoTime();
    System.out.println("StreamWriterTest seed=" + seed);
    Random random = new Random(seed);
    TreeMap<String, byte[]> model = new TreeMap<>();
    for (int i = 0; i < 3000; i++) {
      byte[] value = new byte[random.nextInt(400)];
      random.nextBytes(value);
      model.put(String.format("key%06d", i * 3 + random.nextInt(3)), value);
    }
    long version = 100;
    try (DB db = DB.open(small().build())) {
      try (StreamWriter sw = db.newStreamWriter()) {
        sw.prepare();
        List<KV> batch = new ArrayList<>();
        for (var entry : model.entrySet()) {
          batch.add(new KV(bytes(entry.getKey()), entry.getValue(), (byte) 3, version, 0, false));
          if (batch.size() == 700) {
            sw.write(batch);
            batch = new ArrayList<>();
          }
        }
        sw.write(batch);
        sw.flush();
      }
      List<TableInfo> tables = db.tables();
      assertTrue(tables.size() > 1, "several tables: " + tables.size());
      for (TableInfo table : tables) {
        assertEquals(3, table.level(), "on the last level");
      }
      assertTrue(db.size().vlogBytes() > 0, "large values went to the value log");
      check(db, model, version);
      db.put(bytes("key999999"), bytes("after"));
      db.view(txn -> assertTrue(txn.get(bytes("key999999")).version() > 100, "newer versions later"));
    }
    try (DB db = DB.open(small().build())) {
      check(db, model, version);
      assertEquals("after", s(db.get(bytes("key999999"))));
      db.verifyChecksum();
    }
  }

  private static void check(DB db, TreeMap<String, byte[]> model, long version) {
    db.view(txn -> {
      try (DbIterator it = txn.newIterator(IteratorOptions.DEFAULT)) {
        int n = 0;
        for (it.rewind(); it.valid() && n < model.size(); it.next(), n++) {
          Item item = it.item();
          byte[] expected = model.get(s(item.key()));
          assertArrayEquals(expected, item.value(), s(item.key()));
          assertEquals(version, item.version());
          assertEquals(3, item.userMeta());
        }
        assertEquals(model.size(), n);
      }
    });
  }

  @Test
  void keepsVersionsTombstonesAndTtls() {
    try (DB db = DB.open(small().numVersionsToKeep(5).build())) {
      try (StreamWriter sw = db.newStreamWriter()) {
        sw.prepare();
        sw.write(List.of(kv("a", "a9", 9), kv("a", "a5", 5),
            new KV(bytes("b"), null, (byte) 0, 8, 0, true), kv("b", "b4", 4),
            new KV(bytes("c"), bytes("c7"), (byte) 1, 7, 4_000_000_000L, false)));
        sw.flush();
      }
      db.view(txn -> {
        assertEquals("a9", s(txn.get(bytes("a")).value()));
        assertNull(txn.get(bytes("b")), "the tombstone hides b4");
        assertEquals(4_000_000_000L, txn.get(bytes("c")).expiresAt());
        try (DbIterator it = txn.newKeyIterator(bytes("a"), IteratorOptions.DEFAULT)) {
          List<Long> versions = new ArrayList<>();
          for (it.rewind(); it.valid(); it.next()) {
            versions.add(it.item().version());
          }
          assertEquals(List.of(9L, 5L), versions);
        }
      });
      assertTrue(db.newTransaction(false).readTs() >= 9);
    }
  }

  @Test
  void unsortedInputIsRejectedAndNothingOfTheBatchIsWritten() {
    try (DB db = DB.open(small().build())) {
      try (StreamWriter sw = db.newStreamWriter()) {
        sw.prepare();
        sw.write(List.of(kv("a", "1", 5), kv("b", "2", 5)));
        SettException e = assertThrows(SettException.class,
            () -> sw.write(List.of(kv("c", "3", 5), kv("b2", "x", 5))));
        assertTrue(e.getMessage().contains("sorted order"), e.getMessage());
        assertThrows(SettException.class, () -> sw.write(List.of(kv("a", "again", 9))),
            "earlier than the last batch");
        assertThrows(SettException.class, () -> sw.write(List.of(kv("d", "1", 3), kv("d", "2", 3))),
            "the same version twice");
        assertThrows(SettException.class, () -> sw.write(List.of(kv("e", "1", 0))), "version 0");
        sw.write(List.of(kv("c", "3", 5)));
        sw.flush();
      }
      assertEquals("1", s(db.get(bytes("a"))));
      assertEquals("3", s(db.get(bytes("c"))));
      assertNull(db.get(bytes("b2")));
      assertNull(db.get(bytes("d")));
    }
  }

  @Test
  void prepareOnAStoreWithDataThrowsAndDropsNothing() {
    try (DB db = DB.open(small().build())) {
      db.put(bytes("kept"), bytes("v"));
      StreamWriter sw = db.newStreamWriter();
      IllegalStateException e = assertThrows(IllegalStateException.class, sw::prepare);
      assertTrue(e.getMessage().contains("holds data"), e.getMessage());
      sw.close();
      assertEquals("v", s(db.get(bytes("kept"))));
      db.put(bytes("more"), bytes("w")); // commits still work
      assertEquals("w", s(db.get(bytes("more"))));
    }
  }

  @Test
  void commitsFailDuringTheLoadAndNothingIsVisibleBeforeFlushOrAfterClose() {
    try (DB db = DB.open(small().build())) {
      StreamWriter sw = db.newStreamWriter();
      sw.prepare();
      sw.write(List.of(kv("a", "1", 5)));
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> db.put(bytes("x"), bytes("y")));
      assertTrue(e.getMessage().contains("StreamWriter"), e.getMessage());
      assertNull(db.get(bytes("a")), "not visible before flush");
      sw.close();
      assertNull(db.get(bytes("a")), "discarded by close without flush");
      assertEquals(0, db.tables().size());
      db.put(bytes("x"), bytes("y"));
      assertEquals("y", s(db.get(bytes("x"))));
    }
  }

  @Test
  void misuseIsRejected() {
    try (DB db = DB.open(small().build())) {
      StreamWriter sw = db.newStreamWriter();
      assertThrows(IllegalStateException.class, () -> sw.write(List.of(kv("a", "1", 1))));
      sw.prepare();
      assertThrows(IllegalStateException.class, sw::prepare);
      assertThrows(IllegalStateException.class, () -> db.newStreamWriter().prepare(),
          "a second loader");
      sw.flush();
      assertThrows(IllegalStateException.class, sw::flush);
      sw.close();
    }
  }

  @Test
  void managedStoresKeepTheGivenVersions() {
    try (DB db = DB.openManaged(small().build())) {
      try (StreamWriter sw = db.newStreamWriter()) {
        sw.prepare();
        sw.write(List.of(kv("k", "v50", 50), kv("k", "v20", 20)));
        sw.flush();
      }
      try (Txn txn = db.newTransactionAt(30, false)) {
        assertEquals("v20", s(txn.get(bytes("k")).value()));
      }
      try (Txn txn = db.newTransactionAt(60, false)) {
        assertEquals("v50", s(txn.get(bytes("k")).value()));
      }
    }
  }

  @Test
  void anInMemoryStoreKeepsEveryValueInItsTables() {
    try (DB db = DB.open(Options.builder(null).inMemory(true).build())) {
      byte[] big = new byte[5000];
      new Random(3).nextBytes(big);
      try (StreamWriter sw = db.newStreamWriter()) {
        sw.prepare();
        sw.write(List.of(new KV(bytes("big"), big, (byte) 0, 3, 0, false), kv("small", "s", 3)));
        sw.flush();
      }
      assertArrayEquals(big, db.get(bytes("big")));
      assertEquals("s", s(db.get(bytes("small"))));
    }
  }

  @Test
  void aStoreClosedInTheMiddleOfALoadReopensEmptyWithoutItsTables() throws Exception {
    try (DB db = DB.open(small().build())) {
      StreamWriter sw = db.newStreamWriter();
      sw.prepare();
      for (int batch = 0; batch < 20; batch++) {
        List<KV> kvs = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
          kvs.add(kv(String.format("k%02d%04d", batch, i), "v".repeat(150), 1));
        }
        sw.write(kvs);
      }
    } // closed without flush: the finished table files are named by no MANIFEST
    try (DB db = DB.open(small().build())) {
      assertEquals(0, db.tables().size());
      assertNull(db.get(bytes("k000001")));
      try (var files = java.nio.file.Files.list(dir)) {
        assertEquals(0, files.filter(f -> f.toString().endsWith(".sst")).count(),
            "orphan tables deleted at open");
      }
      db.put(bytes("a"), bytes("1"));
      assertEquals("1", s(db.get(bytes("a"))));
    }
  }

  @Test
  void aStreamCopiesAStoreThroughAStreamWriter(@TempDir Path other) {
    TreeMap<String, String> model = new TreeMap<>();
    try (DB source = DB.open(small().build())) {
      Random random = new Random(7);
      for (int i = 0; i < 2000; i++) {
        String key = "k" + random.nextInt(5000);
        String value = "v" + i + "x".repeat(random.nextInt(200));
        source.put(bytes(key), bytes(value));
        model.put(key, value);
      }
      try (DB target = DB.open(Options.builder(other).build());
          StreamWriter sw = target.newStreamWriter()) {
        sw.prepare();
        source.newStream().numGo(3).inKeyOrder(true).maxSize(2000).send(sw::write).orchestrate();
        sw.flush();
        for (var entry : model.entrySet()) {
          assertEquals(entry.getValue(), s(target.get(bytes(entry.getKey()))));
        }
      }
    }
  }
}
