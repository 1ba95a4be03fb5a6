package dev.sett.internal.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The value threshold: fixed, or following the written sizes (vlogPercentile). */
class ValueThresholdTest {

  @Test
  void aFixedThresholdNeverMoves() {
    ValueThreshold threshold = new ValueThreshold(1024, 1 << 20, 0);
    for (int i = 0; i < 10_000; i++) {
      threshold.observe(100_000);
    }
    assertEquals(1024, threshold.current());
  }

  @Test
  void aDynamicThresholdFollowsThePercentileAndResets() {
    ValueThreshold threshold = new ValueThreshold(1024, 1024 + 1023 * 100, 0.9);
    // 90 % of values are at most 10,000 bytes, 10 % are 50,000.
    for (int i = 0; i < 10_240; i++) {
      threshold.observe(i % 10 == 9 ? 50_000 : 10_000);
    }
    int current = threshold.current();
    assertTrue(current > 10_000 && current <= 10_100, "threshold " + current);
    threshold.reset();
    assertEquals(1024, threshold.current());
  }

  @Test
  void theDynamicThresholdStaysWithinItsBounds() {
    ValueThreshold threshold = new ValueThreshold(1024, 4096, 1.0);
    for (int i = 0; i < 2048; i++) {
      threshold.observe(1 << 20);
    }
    assertEquals(4096, threshold.current());
    ValueThreshold small = new ValueThreshold(1024, 4096, 0.5);
    for (int i = 0; i < 2048; i++) {
      small.observe(10);
    }
    assertTrue(small.current() >= 1024 && small.current() <= 1028, "got " + small.current());
  }
}
