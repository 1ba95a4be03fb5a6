package dev.sett.internal.memtable;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.ValueStruct;
import dev.sett.testing.Bytes;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The skiplist against a {@code TreeMap} ordered by {@link InternalKey#compare}, with keys built
 * to stress the search's shortcuts: user keys of 0 to 30 bytes that mostly share one of a few
 * 8-byte prefixes (so the cached prefix ties and the 8-bytes-at-a-time tail comparison decides,
 * including its overlapping last word), bytes either side of the sign bit and zeros (unsigned
 * order, zero padding), every version from 0 to {@code MAX_VERSION} (the suffix comparison). The
 * arena runs on recycled chunks full of garbage, so nothing may rely on zeroed memory.
 */
class SkipListModelTest {
  private static final byte[][] PREFIXES = {
      {0, 0, 0, 0, 0, 0, 0, 0},
      {'u', 's', 'e', 'r', ':', '0', '0', '1'},
      {(byte) 0x7F, (byte) 0x80, (byte) 0xFF, 0, 1, (byte) 0x80, (byte) 0x7F, (byte) 0xFF},
  };
  private static final byte[] ALPHABET = {0, 1, 'a', 'b', (byte) 0x7F, (byte) 0x80, (byte) 0xFF};
  private static final long[] VERSIONS = {0, 1, 2, 3, 0x7FFF_FFFF_FFFF_FFFFL,
      0x8000_0000_0000_0000L, InternalKey.MAX_VERSION - 1, InternalKey.MAX_VERSION};

  @Test
  void searchesAndWalksAgreeWithATreeMapOnKeysSharingLongPrefixes() {
    long seed = TestEntries.seed("searchesAndWalksAgreeWithATreeMapOnKeysSharingLongPrefixes");
    SplittableRandom random = new SplittableRandom(seed);
    Arena.Pool pool = new Arena.Pool(4096, 64);
    for (int i = 0; i < 64; i++) {
      ByteBuffer dirty = Arena.allocateAligned(4096);
      while (dirty.hasRemaining()) {
        dirty.put((byte) random.nextInt(256));
      }
      pool.give(dirty);
    }
    SkipList list = new SkipList(new Arena(4096, pool), new SplittableRandom(seed + 1));
    TreeMap<byte[], ValueStruct> model = new TreeMap<>(InternalKey::compare);
    for (int operation = 0; operation < 30_000; operation++) {
      byte[] userKey = randomUserKey(random);
      long version = VERSIONS[random.nextInt(VERSIONS.length)];
      byte[] key = InternalKey.of(userKey, version);
      int step = operation;
      Supplier<String> context = () -> "seed " + seed + ", operation " + step + ", key "
          + InternalKey.toString(key);
      int choice = random.nextInt(10);
      if (choice < 5) {
        ValueStruct value = randomValue(random);
        assertEquals(!model.containsKey(key), list.put(key, value), context);
        model.put(key, value.withVersion(version));
      } else if (choice < 8) {
        boolean less = random.nextBoolean();
        boolean allowEqual = random.nextBoolean();
        Map.Entry<byte[], ValueStruct> expected = less
            ? (allowEqual ? model.floorEntry(key) : model.lowerEntry(key))
            : (allowEqual ? model.ceilingEntry(key) : model.higherEntry(key));
        assertEquals(describe(expected), describe(list, list.findNear(key, less, allowEqual)),
            () -> context.get() + ", less " + less + ", allowEqual " + allowEqual);
      } else {
        // A point lookup: the newest version <= version of exactly this user key.
        Map.Entry<byte[], ValueStruct> ceiling = model.ceilingEntry(key);
        Map.Entry<byte[], ValueStruct> expected =
            ceiling != null && InternalKey.hasUserKey(ceiling.getKey(), userKey) ? ceiling : null;
        long node = list.seekUserKey(userKey, version);
        assertEquals(describe(ceiling), describe(list, node), context);
        long found = node != 0 && list.hasUserKey(node, userKey) ? node : 0;
        assertEquals(describe(expected), describe(list, found), context);
      }
    }
    assertEquals(model.size(), list.nodeCount(), "seed " + seed);
    List<String> expected = new ArrayList<>();
    model.entrySet().forEach(entry -> expected.add(describe(entry)));
    List<String> forward = new ArrayList<>();
    for (long node = list.first(); node != 0; node = list.next(node)) {
      forward.add(describe(list, node));
    }
    assertEquals(expected, forward, "seed " + seed);
    List<String> reverse = new ArrayList<>();
    for (long node = list.last(); node != 0; node = list.previous(node)) {
      reverse.add(0, describe(list, node));
    }
    assertEquals(expected, reverse, "seed " + seed);
  }

  private static byte[] randomUserKey(SplittableRandom random) {
    int length = random.nextInt(31);
    byte[] key = new byte[length];
    byte[] prefix = random.nextInt(8) == 0 ? null : PREFIXES[random.nextInt(PREFIXES.length)];
    for (int i = 0; i < length; i++) {
      key[i] = prefix != null && i < prefix.length ? prefix[i]
          : ALPHABET[random.nextInt(random.nextInt(4) == 0 ? ALPHABET.length : 2)];
    }
    return key;
  }

  private static ValueStruct randomValue(SplittableRandom random) {
    byte[] value = new byte[random.nextInt(30) == 0 ? 5000 : random.nextInt(40)];
    random.nextBytes(value);
    long expiresAt = random.nextBoolean() ? 0 : random.nextLong();
    return new ValueStruct((byte) random.nextInt(256), (byte) random.nextInt(256), expiresAt, 0,
        value);
  }

  private static String describe(SkipList list, long node) {
    if (node == 0) {
      return null;
    }
    ValueStruct value = list.value(node);
    return InternalKey.toString(list.key(node)) + "=" + describe(value);
  }

  private static String describe(Map.Entry<byte[], ValueStruct> entry) {
    return entry == null ? null : InternalKey.toString(entry.getKey()) + "=" + describe(entry.getValue());
  }

  private static String describe(ValueStruct value) {
    return value.meta() + "/" + value.userMeta() + "/" + value.expiresAt() + "/" + value.version()
        + "/" + Bytes.hex(value.value());
  }
}
