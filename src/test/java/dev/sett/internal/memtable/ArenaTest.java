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
  void wordChunksAreLazyAndReserveTheNilAddressOfTheirOwn() {
    Arena arena = new Arena(1024);
    arena.allocate(8);
    assertEquals(0, arena.wordChunkCount(), "byte allocations do not create word chunks");
    long first = arena.allocateWords(3);
    assertNotEquals(0, first);
    assertEquals(1, Arena.offset(first), "word 0 of word chunk 0 is reserved");
    assertEquals(1024 / Long.BYTES, arena.words(first).length, "a word chunk holds chunkSize bytes");
    long second = arena.allocateWords(1);
    assertEquals(4, Arena.offset(second), "words are not padded");
    assertEquals(1, arena.wordChunkCount());
    assertEquals(2, arena.chunkCount());
    assertEquals(16 + 5 * Long.BYTES, arena.memoryUsed(), "both kinds count, words as 8 bytes");
  }

  @Test
  void startsANewWordChunkWhenTheCurrentOneIsFullAndCountsTheAbandonedTail() {
    Arena arena = new Arena(1024);
    arena.allocateWords(120); // words 1..121 of 128
    long next = arena.allocateWords(10);
    assertEquals(1, Arena.chunkIndex(next));
    assertEquals(0, Arena.offset(next));
    long big = arena.allocateWords(500);
    assertEquals(2, Arena.chunkIndex(big));
    assertEquals(500, arena.words(big).length);
    long after = arena.allocateWords(1);
    assertEquals(1, Arena.chunkIndex(after), "small allocations continue in their chunk");
    assertEquals(10, Arena.offset(after));
    assertEquals(1024 + 500 * 8 + 11 * 8, arena.memoryUsed());
  }

  @Test
  void growsTheWordChunkTableAndKeepsOldChunksReachable() {
    Arena arena = new Arena(1024);
    long[] addresses = new long[100];
    long[][] chunks = new long[100][];
    for (int i = 0; i < addresses.length; i++) {
      addresses[i] = arena.allocateWords(100);
      chunks[i] = arena.words(addresses[i]);
      chunks[i][Arena.offset(addresses[i])] = i;
    }
    assertEquals(100, arena.wordChunkCount());
    for (int i = 0; i < addresses.length; i++) {
      assertSame(chunks[i], arena.words(addresses[i]));
      assertEquals(i, arena.words(addresses[i])[Arena.offset(addresses[i])]);
    }
  }

  @Test
  void rejectsNegativeSizes() {
    assertThrows(IllegalArgumentException.class, () -> new Arena(1024).allocate(-1));
    assertThrows(IllegalArgumentException.class, () -> new Arena(1024).allocateWords(-1));
    assertThrows(IllegalArgumentException.class, () -> new Arena(0));
  }
}
