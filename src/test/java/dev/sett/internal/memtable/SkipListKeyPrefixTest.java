package dev.sett.internal.memtable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.ValueStruct;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The key prefix kept in each node decides comparisons only where it must: user keys shorter
 * than, equal to and longer than 8 bytes, sharing prefixes and zero bytes, still sort as
 * InternalKey.compare says, and searches find them.
 */
class SkipListKeyPrefixTest {
  @Test
  void shortLongAndZeroPaddedKeysKeepInternalKeyOrder() {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    SkipList list = new SkipList(new Arena(1 << 16), new Random(seed));
    List<byte[]> keys = new ArrayList<>();
    for (int i = 0; i < 3000; i++) {
      byte[] user = new byte[random.nextInt(13)];
      for (int b = 0; b < user.length; b++) {
        user[b] = (byte) random.nextInt(3); // few distinct bytes: many shared prefixes and zeros
      }
      byte[] key = InternalKey.of(user, 1 + random.nextInt(3));
      if (list.put(key, new ValueStruct((byte) 0, (byte) 0, 0, 0, new byte[] {(byte) i}))) {
        keys.add(key);
      }
    }
    keys.sort(InternalKey::compare);
    long node = list.first();
    for (byte[] key : keys) {
      assertArrayEquals(key, list.key(node), "seed " + seed);
      assertEquals(node, list.seekGreaterOrEqual(key), "seed " + seed);
      assertEquals(node, list.seekLessOrEqual(key), "seed " + seed);
      node = list.next(node);
    }
    assertEquals(0, node, "seed " + seed);
  }

  /** The point-lookup search, which builds no internal key, lands where seekGreaterOrEqual does. */
  @Test
  void seekUserKeyLandsWhereSeekGreaterOrEqualOfTheInternalKeyDoes() {
    long seed = new Random().nextLong();
    System.out.println("seekUserKeyLandsWhereSeekGreaterOrEqualOfTheInternalKeyDoes seed " + seed);
    Random random = new Random(seed);
    SkipList list = new SkipList(new Arena(1 << 16), new Random(seed));
    for (int i = 0; i < 3000; i++) {
      list.put(InternalKey.of(randomUserKey(random), 1 + random.nextInt(5)),
          new ValueStruct((byte) 0, (byte) 0, 0, 0, new byte[] {(byte) i}));
    }
    for (int i = 0; i < 5000; i++) {
      byte[] user = randomUserKey(random);
      long version = i % 50 == 0 ? -1L : random.nextInt(7);
      assertEquals(list.seekGreaterOrEqual(InternalKey.of(user, version)),
          list.seekUserKey(user, version), "seed " + seed);
    }
  }

  private static byte[] randomUserKey(Random random) {
    byte[] user = new byte[random.nextInt(13)];
    for (int b = 0; b < user.length; b++) {
      user[b] = (byte) (random.nextInt(3) * 127); // few distinct bytes, signed and unsigned
    }
    return user;
  }

  @Test
  void prefixIsTheZeroPaddedBigEndianUserKeyStart() {
    assertEquals(0x0102000000000000L, SkipList.userKeyPrefix(InternalKey.of(new byte[] {1, 2}, 5), 0, 10));
    assertEquals(0x0102030405060708L, SkipList.userKeyPrefix(
        InternalKey.of(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 5), 0, 17));
    assertEquals(0, SkipList.userKeyPrefix(InternalKey.of(new byte[0], 5), 0, 8));
  }
}
