package dev.sett.internal.memtable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.codec.KeyHash;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The memtable filter never rules out a key that was added, and rules out most others. */
class MemtableFilterTest {
  @Test
  void noFalseNegativesAndFewFalsePositivesWhenFilledToItsSizing() {
    long seed = System.nanoTime();
    System.out.println("MemtableFilterTest seed " + seed);
    SplittableRandom random = new SplittableRandom(seed);
    long memTableSize = 8 << 20;
    MemtableFilter filter = MemtableFilter.forMemtableSize(memTableSize);
    // As many entries as the smallest possible entries could make: the worst case for the filter.
    int entries = (int) (memTableSize / MemtableFilter.MIN_ENTRY_BYTES);
    long[] added = new long[entries];
    for (int i = 0; i < entries; i++) {
      byte[] key = new byte[16];
      random.nextBytes(key);
      added[i] = KeyHash.of(key);
      filter.add(added[i]);
    }
    for (long hash : added) {
      assertTrue(filter.mayContain(hash), "false negative, seed " + seed);
    }
    int falsePositives = 0;
    int probes = 200_000;
    for (int i = 0; i < probes; i++) {
      byte[] key = new byte[16];
      random.nextBytes(key);
      if (filter.mayContain(KeyHash.of(key))) {
        falsePositives++;
      }
    }
    double rate = (double) falsePositives / probes;
    System.out.printf("memtable filter at %d bits per entry: %.4f false positives%n",
        MemtableFilter.BITS_PER_ENTRY, rate);
    assertTrue(rate < 0.02, "false-positive rate " + rate + ", seed " + seed);
    assertTrue(filter.sizeInBytes() <= memTableSize / 40, "filter of " + filter.sizeInBytes());
  }

  @Test
  void emptyFilterRulesOutEverythingAndSizeIsCapped() {
    MemtableFilter filter = MemtableFilter.forMemtableSize(1);
    for (long hash = -1000; hash < 1000; hash++) {
      assertEquals(false, filter.mayContain(hash * 0x9E3779B97F4A7C15L));
    }
    assertEquals(MemtableFilter.MAX_BYTES,
        MemtableFilter.forMemtableSize(Long.MAX_VALUE / 2).sizeInBytes());
    assertThrows(IllegalArgumentException.class, () -> new MemtableFilter(0));
  }
}
