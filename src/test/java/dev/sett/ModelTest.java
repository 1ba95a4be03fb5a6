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
    long seed = seed();
    System.out.println("ModelTest seed " + seed);
    Random random = new Random(seed);
    NavigableMap<byte[], byte[]> model = new TreeMap<>(Arrays::compareUnsigned);
    Options options = Options.builder(dir).memTableSize(64 << 10).blockSize(512)
        .compression(random.nextBoolean() ? Compression.LZ4 : Compression.ZSTD).build();
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
        } else {
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
