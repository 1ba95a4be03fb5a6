package dev.sett.internal.memtable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ArenaTest {

  @Test
  void allocatesNothingUntilAsked() {
    Arena arena = new Arena(1024);
    assertEquals(0, arena.chunkCount());
    assertEquals(0, arena.memoryUsed());
  }

  @Test
  void neverHandsOutTheNilAddressAndAlignsEveryAllocation() {
    Arena arena = new Arena(1024);
    long first = arena.allocate(1);
    assertNotEquals(0, first);
    assertEquals(Arena.ALIGNMENT, Arena.offset(first));
    long second = arena.allocate(13);
    assertEquals(16, Arena.offset(second));
    long third = arena.allocate(0);
    assertEquals(32, Arena.offset(third));
    assertEquals(32, arena.memoryUsed());
  }

  @Test
  void startsANewChunkWhenTheCurrentOneIsFullAndCountsTheAbandonedTail() {
    Arena arena = new Arena(1024);
    arena.allocate(1000); // offsets 8..1008
    long next = arena.allocate(24); // does not fit in the 16 bytes left
    assertEquals(1, next >>> 32);
    assertEquals(0, Arena.offset(next));
    assertEquals(2, arena.chunkCount());
    assertEquals(1024 + 24, arena.memoryUsed());
  }

  @Test
  void givesAnOversizedAllocationItsOwnChunkAndKeepsFillingTheCurrentOne() {
    Arena arena = new Arena(1024);
    long small = arena.allocate(8);
    long big = arena.allocate(5000);
    assertEquals(1, big >>> 32);
    assertEquals(0, Arena.offset(big));
    assertEquals(5000, arena.chunk(big).length);
    long after = arena.allocate(8);
    assertEquals(0, after >>> 32, "small allocations continue in chunk 0");
    assertEquals(Arena.offset(small) + 8, Arena.offset(after));
    assertEquals(5000 + 24, arena.memoryUsed());
  }

  @Test
  void anOversizedFirstAllocationStillLeavesAddressZeroNil() {
    Arena arena = new Arena(1024);
    long big = arena.allocate(4096);
    assertNotEquals(0, big);
    assertEquals(2, arena.chunkCount());
  }

  @Test
  void growsTheChunkTableAndKeepsOldChunksReachable() {
    Arena arena = new Arena(1024);
    long[] addresses = new long[100];
    byte[][] chunks = new byte[100][];
    for (int i = 0; i < addresses.length; i++) {
      addresses[i] = arena.allocate(1000);
      chunks[i] = arena.chunk(addresses[i]);
      chunks[i][Arena.offset(addresses[i])] = (byte) i;
    }
    assertTrue(arena.chunkCount() >= 100);
    for (int i = 0; i < addresses.length; i++) {
      assertSame(chunks[i], arena.chunk(addresses[i]));
      assertEquals((byte) i, arena.chunk(addresses[i])[Arena.offset(addresses[i])]);
    }
  }

  @Test
  void rejectsNegativeSizes() {
    assertThrows(IllegalArgumentException.class, () -> new Arena(1024).allocate(-1));
    assertThrows(IllegalArgumentException.class, () -> new Arena(0));
  }
}
