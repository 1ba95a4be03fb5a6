package dev.sett.internal.db;

import static dev.sett.testing.Bytes.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.TableInfo;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** How a stream cuts the key space into ranges. */
class StreamRangesTest {

  private static TableInfo table(String smallest, String biggest, long size) {
    return new TableInfo(1, 6, bytes(smallest), bytes(biggest), 10, size, 0, 1, size, 0, 0);
  }

  @Test
  void noTablesGiveOneRangeOverThePrefix() {
    List<StreamImpl.Range> ranges = StreamImpl.ranges(List.of(), bytes("p"), 8);
    assertEquals(1, ranges.size());
    assertArrayEquals(bytes("p"), ranges.get(0).start());
    assertNull(ranges.get(0).end());
  }

  @Test
  void rangesAreContiguousCutJustAfterTableBoundariesAndBalancedBySize() {
    List<TableInfo> tables = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      tables.add(table(String.format("k%03d", i * 10), String.format("k%03d", i * 10 + 9), 100));
    }
    List<StreamImpl.Range> ranges = StreamImpl.ranges(tables, new byte[0], 4);
    assertEquals(4, ranges.size(), ranges.toString());
    assertEquals(0, ranges.get(0).start().length);
    assertNull(ranges.get(ranges.size() - 1).end());
    for (int i = 1; i < ranges.size(); i++) {
      assertArrayEquals(ranges.get(i - 1).end(), ranges.get(i).start(), "contiguous");
    }
    // The first cut is just after the biggest key of the tenth table: "k099" + 0x00.
    assertArrayEquals(Arrays.copyOf(bytes("k099"), 5), ranges.get(0).end());
  }

  @Test
  void everyKeyFallsInExactlyOneRangeWhateverTheTables() {
    long seed = System.nanoTime();
    System.out.println("StreamRangesTest seed=" + seed);
    Random random = new Random(seed);
    for (int round = 0; round < 50; round++) {
      List<TableInfo> tables = new ArrayList<>();
      for (int i = 0; i < random.nextInt(30); i++) {
        String biggest = "k" + random.nextInt(100); // duplicates on purpose (L0 overlaps)
        tables.add(table("k", biggest, 1 + random.nextInt(1000)));
      }
      String prefix = random.nextBoolean() ? "" : "k" + random.nextInt(10);
      List<StreamImpl.Range> ranges = StreamImpl.ranges(tables, bytes(prefix), 1 + random.nextInt(8));
      for (int k = 0; k < 1000; k++) {
        byte[] key = bytes(prefix + random.nextInt(1000));
        int holders = 0;
        for (StreamImpl.Range range : ranges) {
          if (Arrays.compareUnsigned(key, range.start()) >= 0
              && (range.end() == null || Arrays.compareUnsigned(key, range.end()) < 0)) {
            holders++;
          }
        }
        assertEquals(1, holders, "key " + new String(key, StandardCharsets.UTF_8) + " in "
            + ranges + " (seed " + seed + ")");
      }
      assertTrue(ranges.size() <= tables.size() + 1);
    }
  }
}
