package dev.sett;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random puts, deletes, transactions, reopens, seeks and scans against Sett and against a
 * {@link TreeMap}; after every step both must agree. Tiny memtables make flushes frequent, so data
 * crosses memtable/L0 boundaries constantly. The seed is printed; rerun one with
 * {@code -Dsett.seed=N}.
 */
class ModelTest {
  @TempDir
  Path dir;

  private static long seed() {
    String fixed = System.getProperty("sett.seed");
    return fixed != null ? Long.parseLong(fixed) : new Random().nextLong();
  }

  @Test
  void randomOperationsMatchATreeMap() {
    run(false);
  }

  /**
   * The same with the store's maintenance mixed in: value log GC over values kept apart from the
   * keys, flatten, dropPrefix and dropAll, each of which the model mirrors.
   */
  @Test
  void randomOperationsWithMaintenanceMatchATreeMap() {
    run(true);
  }

  private void run(boolean maintenance) {
    long seed = seed();
    System.out.println("ModelTest seed " + seed + (maintenance ? " (with maintenance)" : ""));
    Random random = new Random(seed);
    NavigableMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
    Options.Builder builder = Options.builder(dir).memTableSize(64 << 10).blockSize(512)
        .compression(random.nextBoolean() ? Compression.LZ4 : Compression.ZSTD);
    if (maintenance) {
      // Most values go to the value log, in files of the smallest size, so GC has work to do.
      builder.valueThreshold(32).valueLogFileSize(1 << 20).numVersionsToKeep(1);
    }
    Options options = builder.build();
    DB db = DB.open(options);
    try {
      for (int step = 0; step < 4000; step++) {
        int op = random.nextInt(100);
        if (op < 50) {
          byte[] key = randomKey(random);
          byte[] value = randomValue(random);
          db.put(key, value);
          model.put(key, value);
        } else if (op < 62) {
          byte[] key = randomKey(random);
          db.delete(key);
          model.remove(key);
        } else if (op < 72) {
          int n = 1 + random.nextInt(50);
          // What the transaction leaves behind: the last write of each key (null = deleted).
          Map<byte[], byte[]> writes = new TreeMap<>(Arrays::compareUnsigned);
          db.update(txn -> {
            for (int i = 0; i < n; i++) {
              byte[] key = randomKey(random);
              if (random.nextInt(5) == 0) {
                txn.delete(key);
                writes.put(key, null);
              } else {
                byte[] value = value(key, i);
                txn.set(key, value);
                writes.put(key, value);
              }
            }
          });
          writes.forEach((key, value) -> {
            if (value == null) {
              model.remove(key);
            } else {
              model.put(key, value);
            }
          });
        } else if (op < 88) {
          byte[] key = randomKey(random);
          assertArrayEquals(model.get(key), db.get(key), "seed " + seed + " step " + step);
        } else if (op < 96) {
          checkSeek(db, model, randomKey(random), random.nextBoolean(), seed, step);
        } else if (op < 98) {
          db.close();
          db = DB.open(options);
        } else if (!maintenance || op < 99) {
          checkScan(db, model, seed, step);
        } else {
          maintain(db, model, random);
          checkScan(db, model, seed, step);
        }
      }
      checkScan(db, model, seed, -1);
      db.close();
      db = DB.open(options);
      checkScan(db, model, seed, -2);
      db.verifyChecksum();
    } finally {
      db.close();
    }
  }

  /** One maintenance operation, mirrored in the model. */
  private static void maintain(DB db, NavigableMap<byte[], byte[]> model, Random random) {
    switch (random.nextInt(8)) {
      case 0, 1, 2 -> db.runValueLogGC(0.1);
      case 3, 4 -> db.flatten(1 + random.nextInt(2));
      case 5, 6 -> {
        String prefix = random.nextBoolean() ? "ab" : "b";
        db.dropPrefix(prefix.getBytes(StandardCharsets.UTF_8));
        model.keySet().removeIf(key -> new String(key, StandardCharsets.UTF_8).startsWith(prefix));
      }
      default -> {
        db.dropAll();
        model.clear();
      }
    }
  }

  /**
   * Managed mode against a versioned model: commits at caller-chosen timestamps, reads at any
   * timestamp at or above the discard timestamp see exactly the versions below them.
   */
  @Test
  void managedModeMatchesAVersionedModel() {
    long seed = seed();
    System.out.println("ModelTest managed seed " + seed);
    Random random = new Random(seed);
    // key -> commitTs -> value, null for a delete
    NavigableMap<byte[], NavigableMap<Long, byte[]>> model = new TreeMap<>(Arrays::compareUnsigned);
    Options options = Options.builder(dir).memTableSize(64 << 10).blockSize(512).build();
    long ts = 0;
    long discardTs = 0;
    DB db = DB.openManaged(options);
    try {
      for (int step = 0; step < 2000; step++) {
        int op = random.nextInt(100);
        if (op < 45) {
          long commitTs = ++ts;
          int n = 1 + random.nextInt(8);
          Map<byte[], byte[]> writes = new TreeMap<>(Arrays::compareUnsigned);
          try (Txn txn = db.newTransactionAt(commitTs - 1, true)) {
            for (int i = 0; i < n; i++) {
              byte[] key = randomKey(random);
              if (random.nextInt(4) == 0) {
                txn.delete(key);
                writes.put(key, null);
              } else {
                byte[] value = randomValue(random);
                txn.set(key, value);
                writes.put(key, value);
              }
            }
            txn.commitAt(commitTs);
          }
          writes.forEach((key, value) ->
              model.computeIfAbsent(key, k -> new TreeMap<>()).put(commitTs, value));
        } else if (op < 85 && ts > 0) {
          long readTs = discardTs + (long) (random.nextDouble() * (ts - discardTs + 1));
          byte[] key = randomKey(random);
          try (Txn txn = db.newTransactionAt(readTs, false)) {
            Item item = txn.get(key);
            byte[] actual = item == null ? null : item.value();
            assertArrayEquals(versionAt(model, key, readTs), actual,
                "managed seed " + seed + " step " + step + " readTs " + readTs);
          }
        } else if (op < 92) {
          discardTs = Math.max(discardTs, ts - random.nextInt(20));
          db.setDiscardTs(discardTs);
        } else if (op < 96) {
          db.flatten(1);
        } else {
          db.close();
          db = DB.openManaged(options);
          db.setDiscardTs(discardTs);
        }
      }
      for (long readTs = Math.max(discardTs, 1); readTs <= ts; readTs += Math.max(1, ts / 10)) {
        try (Txn txn = db.newTransactionAt(readTs, false);
            DbIterator it = txn.newIterator(IteratorOptions.builder().build())) {
          long at = readTs;
          var expected = model.entrySet().stream()
              .filter(e -> versionAt(model, e.getKey(), at) != null).iterator();
          for (it.rewind(); it.valid(); it.next()) {
            byte[] key = expected.next().getKey();
            assertArrayEquals(key, it.item().key(), "managed scan seed " + seed + " at " + at);
            assertArrayEquals(versionAt(model, key, at), it.item().value());
          }
          assertFalse(expected.hasNext(), "managed scan ended early; seed " + seed + " at " + at);
        }
      }
    } finally {
      db.close();
    }
  }

  private static byte[] versionAt(NavigableMap<byte[], NavigableMap<Long, byte[]>> model,
      byte[] key, long readTs) {
    NavigableMap<Long, byte[]> versions = model.get(key);
    Map.Entry<Long, byte[]> entry = versions == null ? null : versions.floorEntry(readTs);
    return entry == null ? null : entry.getValue();
  }

  @Test
  void lastWriteOfAKeyInOneTransactionWins() {
    try (DB db = DB.open(Options.builder(dir).build())) {
      byte[] key = "k".getBytes(StandardCharsets.UTF_8);
      db.update(txn -> {
        txn.set(key, "1".getBytes(StandardCharsets.UTF_8));
        txn.delete(key);
        txn.set(key, "2".getBytes(StandardCharsets.UTF_8));
      });
      assertArrayEquals("2".getBytes(StandardCharsets.UTF_8), db.get(key));
      db.update(txn -> {
        txn.set(key, "3".getBytes(StandardCharsets.UTF_8));
        txn.delete(key);
      });
      assertEquals(null, db.get(key));
    }
  }

  private static void checkScan(DB db, NavigableMap<byte[], byte[]> model, long seed, int step) {
    for (boolean reverse : new boolean[] {false, true}) {
      try (Txn txn = db.newTransaction(false);
          DbIterator it = txn.newIterator(IteratorOptions.builder().reverse(reverse).build())) {
        var expected = (reverse ? model.descendingMap() : model).entrySet().iterator();
        for (it.rewind(); it.valid(); it.next()) {
          Map.Entry<byte[], byte[]> entry = expected.next();
          Item item = it.item();
          assertArrayEquals(entry.getKey(), item.key(), "seed " + seed + " step " + step);
          assertArrayEquals(entry.getValue(), item.value(), "seed " + seed + " step " + step);
        }
        assertFalse(expected.hasNext(), "store ended early; seed " + seed + " step " + step);
      }
    }
  }

  private static void checkSeek(DB db, NavigableMap<byte[], byte[]> model, byte[] target,
      boolean reverse, long seed, int step) {
    try (Txn txn = db.newTransaction(false);
        DbIterator it = txn.newIterator(IteratorOptions.builder().reverse(reverse).build())) {
      it.seek(target);
      var expected = (reverse ? model.headMap(target, true).descendingMap()
          : model.tailMap(target, true)).entrySet().iterator();
      for (int i = 0; i < 5 && expected.hasNext(); i++, it.next()) {
        Map.Entry<byte[], byte[]> entry = expected.next();
        assertArrayEquals(entry.getKey(), it.valid() ? it.item().key() : null,
            "seek seed " + seed + " step " + step);
      }
      if (!expected.hasNext()) {
        assertFalse(it.valid(), "seek past the end; seed " + seed + " step " + step);
      }
    }
  }

  private static byte[] randomKey(Random random) {
    // A small key space so keys are overwritten and deleted often; varied lengths and prefixes.
    int n = random.nextInt(600);
    String prefix = n % 3 == 0 ? "a" : n % 3 == 1 ? "ab" : "b";
    return (prefix + n).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] randomValue(Random random) {
    byte[] value = new byte[random.nextInt(10) == 0 ? 2000 + random.nextInt(3000) : random.nextInt(100)];
    random.nextBytes(value);
    return value;
  }

  private static byte[] value(byte[] key, int i) {
    return (new String(key, StandardCharsets.UTF_8) + "#" + i).getBytes(StandardCharsets.UTF_8);
  }
}
