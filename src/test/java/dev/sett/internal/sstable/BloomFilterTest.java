package dev.sett.internal.sstable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.codec.CompressionType;
import dev.sett.internal.fs.InMemoryFileSystem;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.ValueStruct;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The bloom filter is sized for the rate it is asked for (Badger's gives 3.6% for 1%). */
class BloomFilterTest {
  private static final int KEYS = 100_000;

  @Test
  void sizingFollowsTheTextbookOptimum() {
    assertEquals(9.585, BloomFilter.bitsPerKey(0.01), 0.001);
    assertEquals(7, BloomFilter.probes(0.01));
    assertEquals(14.378, BloomFilter.bitsPerKey(0.001), 0.001);
    assertEquals(10, BloomFilter.probes(0.001));
    assertEquals(1, BloomFilter.probes(0.9));
    assertEquals(BloomFilter.MAX_PROBES, BloomFilter.probes(1e-12));
    assertEquals(BloomFilter.MIN_BITS, BloomFilter.bitCount(1, 0.01));
    assertEquals(958_506, BloomFilter.bitCount(KEYS, 0.01));
  }

  @Test
  void falsePositiveRateIsWhatWasAskedFor() throws IOException {
    double rate = 0.01;
    InMemoryFileSystem fs = new InMemoryFileSystem();
    Path path = Path.of("/db/000001.sst");
    TableOptions options = new TableOptions(4096, rate, CompressionType.NONE, 1, false, true);
    TableBuilder builder = new TableBuilder(options);
    ValueStruct value = new ValueStruct((byte) 0, (byte) 0, 0, 0, new byte[0]);
    for (int i = 0; i < KEYS; i++) {
      // Two versions per key: the filter counts user keys, not versions.
      builder.add(InternalKey.of(key("present", i), 2), value);
      builder.add(InternalKey.of(key("present", i), 1), value);
    }
    builder.writeTo(fs, path);
    Table table = Table.open(fs, path, 1, options, BlockCache.disabled());
    try {
      for (int i = 0; i < KEYS; i++) {
        assertTrue(table.mayContain(key("present", i)), "no false negatives");
      }
      int falsePositives = 0;
      for (int i = 0; i < KEYS; i++) {
        if (table.mayContain(key("absent", i))) {
          falsePositives++;
        }
      }
      double measured = (double) falsePositives / KEYS;
      System.out.printf("bloom filter: asked %.4f, measured %.4f over %d absent keys%n", rate,
          measured, KEYS);
      assertTrue(measured <= 1.5 * rate, "false-positive rate " + measured);
      assertEquals(4 + 1 + (958_506 + 7) / 8 + 4, table.bloomFilterSize(),
          "sized for distinct user keys");
    } finally {
      table.release();
    }
  }

  /** {@code prefix} and eight decimal digits of {@code i}. */
  private static byte[] key(String prefix, int i) {
    byte[] key = Arrays.copyOf(prefix.getBytes(StandardCharsets.US_ASCII), prefix.length() + 8);
    for (int digit = key.length - 1, rest = i; digit >= prefix.length(); digit--, rest /= 10) {
      key[digit] = (byte) ('0' + rest % 10);
    }
    return key;
  }

  /**
   * The stepped probing of {@code mayContain(long)} answers exactly as the format's formula,
   * {@code (h1 + i * h2) mod nBits} per probe, for hashes of keys added and of random ones, and the
   * hash a lookup computes once ({@code KeyHash.of}) is the filter's own.
   */
  @Test
  void steppedProbesMatchTheFormatsFormula() throws IOException {
    long seed = System.nanoTime();
    System.out.println("steppedProbesMatchTheFormatsFormula seed " + seed);
    java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
    for (int round = 0; round < 20; round++) {
      int count = 1 + random.nextInt(5_000);
      double rate = round % 2 == 0 ? 0.01 : 0.2;
      long[] hashes = new long[count];
      for (int i = 0; i < count; i++) {
        byte[] key = new byte[1 + random.nextInt(24)];
        random.nextBytes(key);
        hashes[i] = BloomFilter.hash(key, 0, key.length);
        assertEquals(dev.sett.internal.codec.KeyHash.of(key), hashes[i]);
      }
      byte[] region = BloomFilter.encode(hashes, count, rate);
      BloomFilter filter = BloomFilter.read(
          java.nio.ByteBuffer.wrap(region).order(java.nio.ByteOrder.LITTLE_ENDIAN), 0,
          region.length, Path.of("/t.sst"));
      long bitCount = Integer.toUnsignedLong(java.nio.ByteBuffer.wrap(region)
          .order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(0));
      int probes = region[Integer.BYTES] & 0xFF;
      for (int i = 0; i < 2 * count; i++) {
        long hash = i < count ? hashes[i] : random.nextLong();
        boolean expected = true;
        for (int probe = 0; probe < probes && expected; probe++) {
          long bit = ((hash & 0xFFFFFFFFL) + probe * (hash >>> 32)) % bitCount;
          expected = (region[Integer.BYTES + 1 + (int) (bit >>> 3)] & (1 << (bit & 7))) != 0;
        }
        assertEquals(expected, filter.mayContain(hash), "hash " + hash + ", seed " + seed);
        if (i < count) {
          assertTrue(expected);
        }
      }
    }
  }
}
