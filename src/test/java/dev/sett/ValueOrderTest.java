package dev.sett;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.db.DbImpl;
import dev.sett.internal.vlog.ValuePointer;
import dev.sett.testing.Eventually;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Values of cooled data move into key order ({@code ValueRelocation}): after a fill in random key
 * order stops, the last level's scattered values are written again in key order into files of
 * {@code relocated/}; every value stays readable, gets and scans agree with a model, and the
 * old files' records are counted as garbage, so GC deletes them without rewriting anything.
 */
class ValueOrderTest {
  private static final int KEYS = 6000;
  private static final int VALUE_LENGTH = 1024;

  @TempDir
  Path dir;

  static Options.Builder options(Path dir) {
    return Options.builder(dir).memTableSize(1 << 20).baseTableSize(64 << 10)
        .baseLevelSize(256 << 10).valueLogFileSize(1 << 20).numLevelZeroTables(2)
        .numLevelZeroTablesStall(8).autoValueLogGC(false);
  }

  static String key(int i) {
    return String.format("key%08d", i);
  }

  @Test
  void cooledValuesMoveIntoKeyOrderAndStayReadable() throws Exception {
    long seed = System.getProperty("sett.seed") != null
        ? Long.parseLong(System.getProperty("sett.seed")) : new Random().nextLong();
    System.out.println("cooledValuesMoveIntoKeyOrderAndStayReadable: seed " + seed
        + " (rerun with -Dsett.seed=" + seed + ")");
    Random random = new Random(seed);
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < KEYS; i++) {
      order.add(i);
    }
    Collections.shuffle(order, random);
    TreeMap<String, byte[]> model = new TreeMap<>();
    try (DB db = DB.open(options(dir).build())) {
      for (int from = 0; from < KEYS; from += 100) {
        int start = from;
        db.update(txn -> {
          for (int i = start; i < start + 100; i++) {
            String key = key(order.get(i));
            byte[] value = ValueLogTest.value(key, 0, VALUE_LENGTH);
            txn.set(key.getBytes(StandardCharsets.UTF_8), value);
            model.put(key, value);
          }
        });
      }
      // Overwrite a tenth and delete a few, so that retention has versions to drop.
      for (int i = 0; i < KEYS / 10; i++) {
        String key = key(order.get(i));
        byte[] value = ValueLogTest.value(key, 1, VALUE_LENGTH);
        db.update(txn -> txn.set(key.getBytes(StandardCharsets.UTF_8), value));
        model.put(key, value);
      }
      for (int i = KEYS / 10; i < KEYS / 10 + 50; i++) {
        String key = key(order.get(i));
        db.update(txn -> txn.delete(key.getBytes(StandardCharsets.UTF_8)));
        model.remove(key);
      }
      db.flatten(1);
      long valueBytes = (long) model.size() * VALUE_LENGTH;
      Eventually.await("most values moved into key order",
          () -> relocatedBytes() >= valueBytes * 8 / 10);
      checkModel(db, model);
      // The old files are garbage now: GC deletes them (once the moves are done: it waits for
      // them), rewriting (almost) nothing.
      Eventually.await("GC deleted the files the values left", () -> {
        while (db.runValueLogGC(0.5)) {
          // collects one file per call
        }
        return db.size().vlogBytes() < valueBytes * 3 / 2;
      });
      checkModel(db, model);
      db.verifyChecksum();
      long vlogBytes = db.size().vlogBytes();
      System.out.println("value order: " + relocatedBytes() + " bytes in key order, value log "
          + vlogBytes + " bytes after GC for " + valueBytes + " bytes of live values");
      assertTrue(vlogBytes < valueBytes * 3 / 2, "GC freed the files whose values moved: "
          + vlogBytes + " bytes of value log for " + valueBytes + " of values");
    }
    try (DB db = DB.open(options(dir).readOnly(true).build())) {
      checkModel(db, model); // reads the files still in relocated/ where they are
    }
    try (DB db = DB.open(options(dir).build())) {
      checkModel(db, model);
      db.verifyChecksum();
    }
    assertFalse(Files.exists(dir.resolve("relocated")) && list(dir.resolve("relocated")) > 0,
        "a reopened store keeps no file in relocated/");
  }

  /**
   * GC writes the live values of the file it collects in key order, not the file's: the values
   * the moves left behind (a pointer that happened to follow its predecessor) then lie in key
   * order where GC put them, and are not moved, and then collected and rewritten again, in turn.
   */
  @Test
  void gcRewritesTheLiveValuesOfAFileInKeyOrder() throws Exception {
    int keys = 800;
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < keys; i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(5));
    try (DB db = DB.open(options(dir).valueLogKeyOrder(false).build())) {
      for (int round = 0; round < 2; round++) {
        int version = round;
        // Round 1 overwrites three quarters: the first file is then mostly garbage.
        int count = round == 0 ? keys : keys * 3 / 4;
        for (int from = 0; from < count; from += 100) {
          int start = from;
          db.update(txn -> {
            for (int i = start; i < start + 100; i++) {
              String key = key(order.get(i));
              txn.set(key.getBytes(StandardCharsets.UTF_8),
                  ValueLogTest.value(key, version, VALUE_LENGTH));
            }
          });
        }
      }
      db.flatten(1);
      DbImpl impl = (DbImpl) db;
      Map<Integer, ValuePointer> before = new java.util.HashMap<>();
      for (int i = 0; i < keys; i++) {
        before.put(i, pointer(impl, i));
      }
      assertTrue(db.runValueLogGC(0.5), "GC collected a file");
      ValuePointer previous = null;
      int rewritten = 0;
      for (int i = 0; i < keys; i++) {
        ValuePointer pointer = pointer(impl, i);
        if (pointer.equals(before.get(i))) {
          continue; // not in the collected file
        }
        rewritten++;
        if (previous != null) {
          assertTrue(pointer.fileId() == previous.fileId() && pointer.offset() > previous.offset(),
              "GC's rewrites are not in key order: " + key(i) + " at " + pointer + " after "
                  + previous);
        }
        previous = pointer;
      }
      assertTrue(rewritten > 50, "GC rewrote " + rewritten + " values");
    }
  }

  /**
   * With automatic GC on, as by default: the moves and GC together move each value about once
   * and rewrite almost nothing. GC waits for the moves (a file collected half-way through would
   * have its remaining live values rewritten in arrival order and then moved again); the spell
   * rules themselves are {@code ValueRelocationSpellTest}'s.
   */
  @Test
  void automaticGcWaitsForTheMovesAndRewritesAlmostNothing() throws Exception {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < KEYS; i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(11));
    long valueBytes = (long) KEYS * VALUE_LENGTH;
    try (DB db = DB.open(options(dir).autoValueLogGC(true).build())) {
      for (int from = 0; from < KEYS; from += 100) {
        int start = from;
        db.update(txn -> {
          for (int i = start; i < start + 100; i++) {
            String key = key(order.get(i));
            txn.set(key.getBytes(StandardCharsets.UTF_8), ValueLogTest.value(key, 0, VALUE_LENGTH));
          }
        });
      }
      DbImpl impl = (DbImpl) db;
      Eventually.await("the values moved and GC deleted the files they left",
          () -> impl.valueBytesMovedIntoKeyOrder() >= valueBytes * 8 / 10
              && db.size().vlogBytes() < valueBytes * 3 / 2);
      long rewritten = impl.valueLogGcBytesRewritten();
      long moved = impl.valueBytesMovedIntoKeyOrder();
      System.out.println("automatic GC: " + moved + " bytes moved into key order, " + rewritten
          + " rewritten by GC, for " + valueBytes + " bytes of values");
      assertTrue(rewritten < valueBytes / 10,
          "GC rewrote " + rewritten + " bytes of " + valueBytes + ": it collected files the moves"
              + " were still emptying");
      assertTrue(moved < valueBytes * 12 / 10,
          "values moved more than once: " + moved + " bytes for " + valueBytes);
      TreeMap<String, byte[]> model = new TreeMap<>();
      for (int i = 0; i < KEYS; i++) {
        model.put(key(i), ValueLogTest.value(key(i), 0, VALUE_LENGTH));
      }
      checkModel(db, model);
    }
  }

  /**
   * A store whose values are all inline has nothing to move: once writes cool, the memtables stay
   * unflushed and L0 stays where it is (the push-downs rewrote such a store whole: 5.5 × the
   * logical bytes through settling at 1 M × 128 B, against 2.2 without them).
   */
  @Test
  void inlineValuesAreNotPushedDownWhenWritesCool() throws Exception {
    try (DB db = DB.open(options(dir).numLevelZeroTables(5).build())) {
      for (int from = 0; from < 15_000; from += 100) {
        int start = from;
        db.update(txn -> {
          for (int i = start; i < start + 100; i++) {
            String key = key((int) ((i * 7919L) % 15_000));
            txn.set(key.getBytes(StandardCharsets.UTF_8), ValueLogTest.value(key, 0, 100));
          }
        });
      }
      Eventually.await("a memtable was flushed to L0", () -> db.levels().get(0).numTables() > 0);
      Thread.sleep(500); // the flush's compactions, if any, run
      List<TableInfo> before = db.tables();
      Thread.sleep(3 * 1000); // three times the quiet time the moves wait for
      assertEquals(ids(before), ids(db.tables()),
          "tables were flushed or pushed down with no value to move");
      assertTrue(db.levels().get(0).numTables() > 0, "L0 was pushed down");
      assertEquals(0, ((DbImpl) db).valueBytesMovedIntoKeyOrder(), "values moved");
    }
  }

  private static List<Long> ids(List<TableInfo> tables) {
    return tables.stream().map(TableInfo::id).sorted().toList();
  }

  /**
   * The same fill into two stores, one with {@code valueLogKeyOrder(false)}: by the time the other
   * store has moved its values (it had no head start), the first has written no file in key order.
   */
  @Test
  void withoutKeyOrderValuesStayWhereTheyWereWritten() throws Exception {
    Path off = dir.resolve("off");
    Path on = dir.resolve("on");
    try (DB unordered = DB.open(options(off).valueLogKeyOrder(false).build());
        DB ordered = DB.open(options(on).build())) {
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < KEYS / 2; i++) {
        order.add(i);
      }
      Collections.shuffle(order, new Random(7));
      for (DB db : List.of(unordered, ordered)) {
        for (int from = 0; from < order.size(); from += 100) {
          int start = from;
          db.update(txn -> {
            for (int i = start; i < start + 100; i++) {
              String key = key(order.get(i));
              txn.set(key.getBytes(StandardCharsets.UTF_8), ValueLogTest.value(key, 0, VALUE_LENGTH));
            }
          });
        }
      }
      Eventually.await("the store with valueLogKeyOrder moved its values",
          () -> relocatedBytes(on) >= (long) order.size() * VALUE_LENGTH * 8 / 10);
      assertEquals(0, relocatedBytes(off), "valueLogKeyOrder(false) moved values");
    }
  }

  private static ValuePointer pointer(DbImpl db, int i) {
    return ValuePointer.of(db.lookup(key(i).getBytes(StandardCharsets.UTF_8), Long.MAX_VALUE));
  }

  private long relocatedBytes() {
    return relocatedBytes(dir);
  }

  private static long relocatedBytes(Path dir) {
    Path relocated = dir.resolve("relocated");
    if (!Files.exists(relocated)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(relocated)) {
      long total = 0;
      for (Path file : files.toList()) {
        total += Files.size(file);
      }
      return total;
    } catch (IOException e) {
      return 0; // a file went between the listing and its size: ask again
    }
  }

  private static long list(Path relocated) throws IOException {
    try (Stream<Path> files = Files.list(relocated)) {
      return files.count();
    }
  }

  private static void checkModel(DB db, TreeMap<String, byte[]> model) {
    try (Txn txn = db.newTransaction(false)) {
      for (Map.Entry<String, byte[]> entry : model.entrySet()) {
        assertArrayEquals(entry.getValue(), txn.get(entry.getKey().getBytes(StandardCharsets.UTF_8)).value(),
            entry.getKey());
      }
      int seen = 0;
      try (DbIterator it = txn.newIterator(IteratorOptions.DEFAULT)) {
        var expected = model.entrySet().iterator();
        for (it.rewind(); it.valid(); it.next()) {
          Map.Entry<String, byte[]> want = expected.next();
          assertEquals(want.getKey(), new String(it.item().key(), StandardCharsets.UTF_8));
          assertArrayEquals(want.getValue(), it.item().value(), want.getKey());
          seen++;
        }
      }
      assertEquals(model.size(), seen);
    }
    assertTrue(model.size() > 0);
  }
}
