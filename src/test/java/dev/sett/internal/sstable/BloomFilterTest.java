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
}
