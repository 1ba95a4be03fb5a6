package dev.sett.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every KeyValueStore operation, at random, against a TreeMap; commits, reopens and early writes
 * (a small memtable makes commits split) happen in between. Prints its seed; replay with
 * -Dsett.seed=N.
 */
class SettKeyValueStoreModelTest {

  @TempDir java.nio.file.Path stateDir;

  private static Bytes randomKey(Random random) {
    // Few, short keys so that operations collide; 0x00 and 0xFF bytes and the empty key included.
    int length = random.nextInt(4);
    byte[] key = new byte[length];
    for (int i = 0; i < length; i++) {
      int pick = random.nextInt(6);
      key[i] = pick == 0 ? 0 : pick == 1 ? (byte) 0xFF : (byte) ('a' + random.nextInt(3));
    }
    return Bytes.wrap(key);
  }

  private static byte[] randomValue(Random random) {
    byte[] value = new byte[random.nextInt(5) == 0 ? 0 : 1 + random.nextInt(300)];
    random.nextBytes(value);
    return value;
  }

  private static List<KeyValue<Bytes, byte[]>> drain(KeyValueIterator<Bytes, byte[]> iterator) {
    List<KeyValue<Bytes, byte[]>> out = new ArrayList<>();
    try (iterator) {
      while (iterator.hasNext()) {
        Bytes peeked = iterator.peekNextKey();
        KeyValue<Bytes, byte[]> next = iterator.next();
        assertEquals(peeked, next.key);
        out.add(next);
      }
    }
    return out;
  }

  private static void assertSame(Map<Bytes, byte[]> expected, List<KeyValue<Bytes, byte[]>> actual, String what) {
    List<Bytes> expectedKeys = new ArrayList<>(expected.keySet());
    List<Bytes> actualKeys = new ArrayList<>();
    actual.forEach(kv -> actualKeys.add(kv.key));
    assertEquals(expectedKeys, actualKeys, what);
    int i = 0;
    for (byte[] value : expected.values()) {
      assertArrayEquals(value, actual.get(i++).value, what);
    }
  }

  @Test
  void matchesTreeMap() {
    long seed = Long.getLong("sett.seed", System.nanoTime());
    System.out.println("SettKeyValueStoreModelTest seed " + seed);
    Random random = new Random(seed);
    TreeMap<Bytes, byte[]> model = new TreeMap<>();
    TestStoreContext context = new TestStoreContext(stateDir.toFile(), random.nextBoolean());
    // A small memtable: batch limit of a few hundred KiB, so big commits split in several writes.
    SettKeyValueStore store = (SettKeyValueStore) SettStores.persistentKeyValueStore("model",
        builder -> builder.memTableSize(1 << 20).numMemtables(2)).get();
    store.init(context, store);
    try {
      for (int step = 0; step < 6000; step++) {
        String what = "seed " + seed + " step " + step;
        int op = random.nextInt(100);
        Bytes key = randomKey(random);
        if (op < 25) {
          byte[] value = randomValue(random);
          store.put(key, value);
          model.put(key, value);
        } else if (op < 30) {
          byte[] value = randomValue(random);
          byte[] previous = store.putIfAbsent(key, value);
          assertArrayEquals(model.get(key), previous, what);
          model.putIfAbsent(key, value);
        } else if (op < 35) {
          List<KeyValue<Bytes, byte[]>> entries = new ArrayList<>();
          for (int i = random.nextInt(20); i > 0; i--) {
            Bytes k = randomKey(random);
            byte[] v = random.nextInt(8) == 0 ? null : randomValue(random);
            entries.add(KeyValue.pair(k, v));
          }
          store.putAll(entries);
          for (KeyValue<Bytes, byte[]> entry : entries) {
            if (entry.value == null) {
              model.remove(entry.key);
            } else {
              model.put(entry.key, entry.value);
            }
          }
        } else if (op < 45) {
          assertArrayEquals(model.remove(key), store.delete(key), what);
        } else if (op < 47) {
          store.put(key, null);   // a null value deletes
          model.remove(key);
        } else if (op < 60) {
          assertArrayEquals(model.get(key), store.get(key), what);
        } else if (op < 80) {
          Bytes other = randomKey(random);
          Bytes from = random.nextInt(6) == 0 ? null : key;
          Bytes to = random.nextInt(6) == 0 ? null : other;
          boolean reverse = random.nextBoolean();
          NavigableMap<Bytes, byte[]> expected = model;
          if (from != null && to != null && from.compareTo(to) > 0) {
            expected = new TreeMap<>();
          } else {
            if (from != null) {
              expected = expected.tailMap(from, true);
            }
            if (to != null) {
              expected = expected.headMap(to, true);
            }
          }
          List<KeyValue<Bytes, byte[]>> actual;
          if (from == null && to == null) {
            actual = drain(reverse ? store.reverseAll() : store.all());
          } else {
            actual = drain(reverse ? store.reverseRange(from, to) : store.range(from, to));
          }
          assertSame(reverse ? expected.descendingMap() : expected, actual,
              what + (reverse ? " reverse" : "") + " range " + from + ".." + to);
        } else if (op < 87) {
          TreeMap<Bytes, byte[]> expected = new TreeMap<>();
          byte[] prefix = key.get();
          model.tailMap(key, true).forEach((k, v) -> {
            if (k.get().length >= prefix.length
                && java.util.Arrays.equals(k.get(), 0, prefix.length, prefix, 0, prefix.length)) {
              expected.put(k, v);
            }
          });
          assertSame(expected, drain(store.prefixScan(prefix, Serdes.ByteArray().serializer())),
              what + " prefix " + key);
        } else if (op < 95) {
          store.commit(Map.of());
          assertEquals(model.size(), store.approximateNumEntries(), what + " entries after commit");
        } else if (op < 99) {
          store.flush();
        } else {
          store.commit(Map.of());
          store.close();
          assertFalse(store.isOpen());
          store = (SettKeyValueStore) SettStores.persistentKeyValueStore("model",
              builder -> builder.memTableSize(1 << 20).numMemtables(2)).get();
          store.init(context, store);
          assertEquals(model.size(), store.approximateNumEntries(), what + " entries after reopen");
        }
      }
      assertSame(model, drain(store.all()), "seed " + seed + " final");
      assertEquals(0, store.openIteratorCount());
    } finally {
      store.close();
    }
  }
}
