package dev.sett.internal.memtable;

import static dev.sett.internal.memtable.TestEntries.text;
import static dev.sett.internal.memtable.TestEntries.value;
import static dev.sett.testing.Bytes.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.ValueStruct;
import dev.sett.testing.Bytes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SkipListTest {
  /** Keys 00005, 00015, ..., 09995 at version 0, as in Badger's findNear test. */
  private static SkipList badgerList;

  @BeforeAll
  static void buildBadgerList() {
    badgerList = new SkipList(new Arena(4096), new SplittableRandom(1));
    for (int i = 0; i < 1000; i++) {
      String key = String.format("%05d", i * 10 + 5);
      badgerList.put(InternalKey.of(bytes(key), 0), value("v" + key));
    }
  }

  @ParameterizedTest(name = "findNear({0}, less={1}, allowEqual={2}) = {3}")
  @CsvSource({
      "00001, false, false, 00005",
      "00001, false, true,  00005",
      "00001, true,  false, none",
      "00001, true,  true,  none",
      "00005, false, false, 00015",
      "00005, false, true,  00005",
      "00005, true,  false, none",
      "00005, true,  true,  00005",
      "05555, false, false, 05565",
      "05555, false, true,  05555",
      "05555, true,  false, 05545",
      "05555, true,  true,  05555",
      "05558, false, false, 05565",
      "05558, false, true,  05565",
      "05558, true,  false, 05555",
      "05558, true,  true,  05555",
      "09995, false, false, none",
      "09995, false, true,  09995",
      "09995, true,  false, 09985",
      "09995, true,  true,  09995",
      "59995, false, false, none",
      "59995, false, true,  none",
      "59995, true,  false, 09995",
      "59995, true,  true,  09995",
  })
  void findNearMatchesBadger(String key, boolean less, boolean allowEqual, String expected) {
    long node = badgerList.findNear(InternalKey.of(bytes(key), 0), less, allowEqual);
    if (expected.equals("none")) {
      assertEquals(0, node, () -> "found " + InternalKey.toString(badgerList.key(node)));
    } else {
      assertEquals(expected, text(InternalKey.userKey(badgerList.key(node))));
      assertEquals("v" + expected, text(badgerList.value(node).value()));
    }
  }

  @Test
  void walksTheBadgerListBothWays() {
    long node = badgerList.first();
    for (int i = 0; i < 1000; i++) {
      assertEquals(String.format("%05d", i * 10 + 5), text(InternalKey.userKey(badgerList.key(node))));
      node = badgerList.next(node);
    }
    assertEquals(0, node);
    node = badgerList.last();
    for (int i = 999; i >= 0; i--) {
      assertEquals(String.format("%05d", i * 10 + 5), text(InternalKey.userKey(badgerList.key(node))));
      node = badgerList.previous(node);
    }
    assertEquals(0, node);
    assertEquals(1000, badgerList.nodeCount());
  }

  @Test
  void anEmptyListFindsNothing() {
    SkipList list = new SkipList(new Arena(1024), new SplittableRandom(2));
    byte[] key = InternalKey.of(bytes("k"), 1);
    assertEquals(0, list.first());
    assertEquals(0, list.last());
    assertEquals(0, list.seekGreaterOrEqual(key));
    assertEquals(0, list.seekLessOrEqual(key));
    for (boolean less : new boolean[] {false, true}) {
      assertEquals(0, list.findNear(key, less, true));
      assertEquals(0, list.findNear(key, less, false));
    }
    assertEquals(0, list.nodeCount());
  }

  @Test
  void replacesTheValueOfAnIdenticalInternalKeyInPlace() {
    SkipList list = new SkipList(new Arena(1024), new SplittableRandom(3));
    byte[] key = InternalKey.of(bytes("key"), 7);
    assertTrue(list.put(key, value("first")));
    assertFalse(list.put(key, value("second")));
    assertTrue(list.put(InternalKey.of(bytes("key"), 8), value("newer")));
    assertEquals(2, list.nodeCount());
    long node = list.seekGreaterOrEqual(key);
    assertArrayEquals(key, list.key(node));
    ValueStruct found = list.value(node);
    assertEquals("second", text(found.value()));
    assertEquals(7, found.version());
  }

  @Test
  void ordersVersionsNewestFirstAndShortUserKeysFirst() {
    SkipList list = new SkipList(new Arena(1024), new SplittableRandom(4));
    list.put(InternalKey.of(bytes("aa"), 1), value("x"));
    list.put(InternalKey.of(bytes("a"), 1), value("x"));
    list.put(InternalKey.of(bytes("a"), 9), value("x"));
    list.put(InternalKey.of(bytes("b"), 0), value("x"));
    list.put(InternalKey.of(bytes("a"), InternalKey.MAX_VERSION - 1), value("x"));
    List<String> keys = new ArrayList<>();
    for (long node = list.first(); node != 0; node = list.next(node)) {
      keys.add(InternalKey.toString(list.key(node)));
    }
    assertEquals(List.of("a@18446744073709551614", "a@9", "a@1", "aa@1", "b@0"), keys);
  }

  @Test
  void keepsLargeValuesAndKeysAcrossChunks() {
    SkipList list = new SkipList(new Arena(1024), new SplittableRandom(5));
    byte[] bigKey = InternalKey.of(new byte[3000], 1);
    byte[] bigValue = new byte[10_000];
    new SplittableRandom(6).nextBytes(bigValue);
    list.put(bigKey, new ValueStruct((byte) 0, (byte) 0, 0, 0, bigValue));
    list.put(InternalKey.of(bytes("small"), 1), value("s"));
    long node = list.seekGreaterOrEqual(bigKey);
    assertArrayEquals(bigKey, list.key(node));
    assertArrayEquals(bigValue, list.value(node).value());
    assertEquals("s", text(list.value(list.last()).value()));
  }

  @Test
  void replacementsThatOpenNewChunksLeaveKeysAndOtherValuesIntact() {
    SkipList list = new SkipList(new Arena(1024), new SplittableRandom(9));
    SplittableRandom random = new SplittableRandom(10);
    List<byte[]> keys = new ArrayList<>();
    List<byte[]> values = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      keys.add(InternalKey.of(bytes(String.format("key%03d", i)), i));
      values.add(bytes("v" + i));
      list.put(keys.get(i), new ValueStruct((byte) 0, (byte) 0, 0, 0, values.get(i)));
    }
    long memory = list.memoryUsed();
    for (int round = 0; round < 500; round++) {
      int i = random.nextInt(keys.size());
      // Sizes from tiny to several chunks: some records share a chunk, some get their own.
      byte[] value = new byte[random.nextInt(4) == 0 ? random.nextInt(5000) : random.nextInt(40)];
      random.nextBytes(value);
      values.set(i, value);
      assertFalse(list.put(keys.get(i), new ValueStruct((byte) 1, (byte) round, round, 0, value)));
      assertTrue(list.memoryUsed() > memory, "a replacement claims new arena bytes");
      memory = list.memoryUsed();
    }
    assertEquals(keys.size(), list.nodeCount());
    int i = 0;
    for (long node = list.first(); node != 0; node = list.next(node), i++) {
      assertArrayEquals(keys.get(i), list.key(node));
      assertArrayEquals(values.get(i), list.value(node).value(), "value of key " + i);
      assertEquals(i, list.value(node).version());
    }
    assertEquals(keys.size(), i);
  }

  @Test
  void rejectsAKeyWithoutAVersionSuffix() {
    SkipList list = new SkipList(new Arena(1024), new SplittableRandom(7));
    assertThrows(IllegalArgumentException.class, () -> list.put(new byte[7], value("v")));
  }

  @Test
  void behavesLikeATreeMapUnderRandomOperations() {
    long seed = TestEntries.seed("behavesLikeATreeMapUnderRandomOperations");
    SplittableRandom random = new SplittableRandom(seed);
    SkipList list = new SkipList(new Arena(1024), new SplittableRandom(seed + 1));
    TreeMap<byte[], ValueStruct> model = new TreeMap<>(InternalKey::compare);
    for (int operation = 0; operation < 20_000; operation++) {
      byte[] key = randomKey(random);
      int step = operation;
      Supplier<String> context = () -> "seed " + seed + ", operation " + step + ", key "
          + InternalKey.toString(key);
      int choice = random.nextInt(10);
      if (choice < 6) {
        ValueStruct value = randomValue(random);
        boolean inserted = list.put(key, value);
        assertEquals(!model.containsKey(key), inserted, context);
        model.put(key, value.withVersion(InternalKey.version(key)));
      } else {
        boolean less = random.nextBoolean();
        boolean allowEqual = random.nextBoolean();
        Map.Entry<byte[], ValueStruct> expected = less
            ? (allowEqual ? model.floorEntry(key) : model.lowerEntry(key))
            : (allowEqual ? model.ceilingEntry(key) : model.higherEntry(key));
        long node = list.findNear(key, less, allowEqual);
        String actual = node == 0 ? null : describeNode(list, node);
        String wanted = expected == null ? null : describeEntry(expected);
        assertEquals(wanted, actual,
            () -> context.get() + ", less " + less + ", allowEqual " + allowEqual);
      }
    }
    assertEquals(model.size(), list.nodeCount());
    List<String> forward = new ArrayList<>();
    for (long node = list.first(); node != 0; node = list.next(node)) {
      forward.add(describeNode(list, node));
    }
    List<String> reverse = new ArrayList<>();
    for (long node = list.last(); node != 0; node = list.previous(node)) {
      reverse.add(describeNode(list, node));
    }
    List<String> expected = new ArrayList<>();
    model.entrySet().forEach(entry -> expected.add(describeEntry(entry)));
    assertEquals(expected, forward, "seed " + seed);
    List<String> expectedReverse = new ArrayList<>(expected);
    Collections.reverse(expectedReverse);
    assertEquals(expectedReverse, reverse, "seed " + seed);
  }

  private static String describeNode(SkipList list, long node) {
    ValueStruct value = list.value(node);
    return InternalKey.toString(list.key(node)) + "=" + value.meta() + "/" + value.userMeta()
        + "/" + value.expiresAt() + "/" + value.version() + "/" + Bytes.hex(value.value());
  }

  private static String describeEntry(Map.Entry<byte[], ValueStruct> entry) {
    ValueStruct value = entry.getValue();
    return InternalKey.toString(entry.getKey()) + "=" + value.meta() + "/" + value.userMeta()
        + "/" + value.expiresAt() + "/" + value.version() + "/" + Bytes.hex(value.value());
  }

  /** Few user keys, some prefixes of others, few versions: many replacements and near misses. */
  private static byte[] randomKey(SplittableRandom random) {
    int userKeyLength = random.nextInt(4);
    byte[] userKey = new byte[userKeyLength];
    for (int i = 0; i < userKeyLength; i++) {
      userKey[i] = (byte) (random.nextBoolean() ? 'a' + random.nextInt(3) : 0xF0 + random.nextInt(2));
    }
    long version = random.nextInt(20) == 0 ? InternalKey.MAX_VERSION : random.nextInt(6);
    return InternalKey.of(userKey, version);
  }

  private static ValueStruct randomValue(SplittableRandom random) {
    byte[] value = new byte[random.nextInt(20) == 0 ? 1500 : random.nextInt(16)];
    random.nextBytes(value);
    long expiresAt = random.nextBoolean() ? 0 : random.nextLong(1L << 40);
    return new ValueStruct((byte) random.nextInt(16), (byte) random.nextInt(256), expiresAt, 0,
        value);
  }

  @Test
  void takesTheVersionFromTheKeyNotTheValue() {
    SkipList list = new SkipList(new Arena(1024), new SplittableRandom(8));
    list.put(InternalKey.of(bytes("k"), 42), new ValueStruct((byte) 0, (byte) 0, 0, 99, bytes("v")));
    assertEquals(42, list.value(list.first()).version(), "the version comes from the key");
  }
}
