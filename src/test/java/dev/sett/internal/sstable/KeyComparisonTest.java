package dev.sett.internal.sstable;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sett.internal.key.InternalKey;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * In-place comparison of a stored internal key, split as block entries store it (a prefix of the
 * base key, then the entry's own bytes), against {@link InternalKey#compare} on whole keys: every
 * split point and user-key lengths from 0 to 40 bytes, so that runs of every length meet the
 * eight-byte steps and their tails.
 */
class KeyComparisonTest {

  @Test
  void splitKeysCompareAsWholeKeysDo() {
    long seed = new Random().nextLong();
    System.out.println("KeyComparisonTest seed " + seed);
    Random random = new Random(seed);
    for (int trial = 0; trial < 20_000; trial++) {
      byte[] stored = InternalKey.of(userKey(random), random.nextInt(4));
      byte[] key = random.nextInt(4) == 0 ? stored.clone() : near(stored, random);
      int overlap = random.nextInt(stored.length + 1);
      // The buffer: the first segment at 3, something else, then the second segment.
      ByteBuffer buffer = ByteBuffer.allocate(stored.length + 16).order(ByteOrder.LITTLE_ENDIAN);
      buffer.put(3, stored, 0, overlap);
      int second = 3 + overlap + 5;
      buffer.put(second, stored, overlap, stored.length - overlap);
      int expected = Integer.signum(InternalKey.compare(stored, key));
      int actual = Integer.signum(KeyComparison.compareInternal(buffer, 3, overlap, second,
          stored.length - overlap, key));
      assertEquals(expected, actual, () -> "seed " + seed + ": " + InternalKey.toString(stored)
          + " split at " + overlap + " against " + InternalKey.toString(key));
      if (overlap == stored.length) {
        ByteBuffer whole = ByteBuffer.wrap(stored).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(expected, Integer.signum(
            KeyComparison.compareInternal(whole, 0, stored.length, key)), "seed " + seed);
      }
    }
  }

  private static byte[] userKey(Random random) {
    byte[] key = new byte[random.nextInt(41)];
    for (int i = 0; i < key.length; i++) {
      key[i] = (byte) (random.nextInt(3) == 0 ? random.nextInt(256) : 0x80 + random.nextInt(2));
    }
    return key;
  }

  /** A key that shares a random prefix of {@code stored}'s user key, then differs. */
  private static byte[] near(byte[] stored, Random random) {
    byte[] user = InternalKey.userKey(stored);
    byte[] other = userKey(random);
    int shared = Math.min(user.length, random.nextInt(user.length + 1));
    byte[] mixed = new byte[Math.max(shared, other.length)];
    System.arraycopy(user, 0, mixed, 0, shared);
    System.arraycopy(other, Math.min(shared, other.length), mixed, Math.min(shared, other.length),
        other.length - Math.min(shared, other.length));
    return InternalKey.of(mixed, random.nextInt(4));
  }
}
