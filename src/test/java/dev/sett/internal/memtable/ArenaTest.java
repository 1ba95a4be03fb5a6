package dev.sett.internal.memtable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Set;
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
  void chunksAreDirectAndAlignedInMemory() {
    Arena arena = new Arena(1024);
    ByteBuffer chunk = arena.chunk(arena.allocate(8));
    assertTrue(chunk.isDirect(), "arena memory is off the Java heap");
    assertEquals(0, chunk.alignmentOffset(0, Arena.ALIGNMENT));
    assertEquals(1024, chunk.capacity());
    long big = arena.allocate(3000);
    assertTrue(arena.chunk(big).isDirect());
    assertEquals(0, arena.chunk(big).alignmentOffset(0, Arena.ALIGNMENT));
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
    assertEquals(5000, arena.chunk(big).capacity());
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
    ByteBuffer[] chunks = new ByteBuffer[100];
    for (int i = 0; i < addresses.length; i++) {
      addresses[i] = arena.allocate(1000);
      chunks[i] = arena.chunk(addresses[i]);
      chunks[i].put(Arena.offset(addresses[i]), (byte) i);
    }
    assertTrue(arena.chunkCount() >= 100);
    for (int i = 0; i < addresses.length; i++) {
      assertSame(chunks[i], arena.chunk(addresses[i]));
      assertEquals((byte) i, arena.chunk(addresses[i]).get(Arena.offset(addresses[i])));
    }
  }

  @Test
  void aFreedArenasRegularChunksServeTheNextArenaAndOversizedOnesAreDropped() {
    Arena.Pool pool = new Arena.Pool(1024, 8);
    Arena first = new Arena(1024, pool);
    Set<ByteBuffer> regular = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    for (int i = 0; i < 3; i++) {
      regular.add(first.chunk(first.allocate(1000)));
    }
    ByteBuffer oversized = first.chunk(first.allocate(4096));
    assertEquals(0, pool.size());
    first.free();
    assertEquals(3, pool.size(), "regular chunks are kept, the oversized one is not");
    assertThrows(IllegalStateException.class, () -> first.allocate(8));
    first.free(); // idempotent: the chunks are not given twice
    assertEquals(3, pool.size());

    Arena second = new Arena(1024, pool);
    Set<ByteBuffer> reused = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
    for (int i = 0; i < 3; i++) {
      reused.add(second.chunk(second.allocate(1000)));
    }
    assertEquals(regular, reused, "the second arena runs on the first one's chunks");
    assertEquals(0, pool.size());
    ByteBuffer fresh = second.chunk(second.allocate(1000));
    assertTrue(!regular.contains(fresh), "an empty pool means a new chunk");
    assertNotSame(oversized, second.chunk(second.allocate(4096)));
  }

  @Test
  void thePoolKeepsNoMoreThanItsBound() {
    Arena.Pool pool = new Arena.Pool(1024, 2);
    Arena arena = new Arena(1024, pool);
    Set<Long> chunkIndexes = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      chunkIndexes.add((long) Arena.chunkIndex(arena.allocate(1000)));
    }
    assertEquals(5, chunkIndexes.size());
    arena.free();
    assertEquals(2, pool.size(), "the rest is left to the garbage collector");
    assertThrows(IllegalArgumentException.class, () -> pool.give(ByteBuffer.allocateDirect(512)));
    assertThrows(IllegalArgumentException.class, () -> new Arena(2048, pool));
  }

  @Test
  void aWaitForASpareChunkEndsWhenOneIsGivenBackOrTheTimeRunsOut() throws Exception {
    Arena.Pool pool = new Arena.Pool(1024, 4);
    assertEquals(null, pool.awaitSpare(1), "nothing is given back: the wait times out");
    ByteBuffer chunk = Arena.allocateAligned(1024);
    java.util.concurrent.atomic.AtomicReference<ByteBuffer> got =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread waiter = new Thread(() -> got.set(pool.awaitSpare(60_000)));
    waiter.start();
    dev.sett.testing.Eventually.await("the waiter waits",
        () -> waiter.getState() == Thread.State.TIMED_WAITING);
    pool.give(chunk);
    waiter.join();
    assertSame(chunk, got.get());
  }

  @Test
  void rejectsNegativeSizes() {
    assertThrows(IllegalArgumentException.class, () -> new Arena(1024).allocate(-1));
    assertThrows(IllegalArgumentException.class, () -> new Arena(0));
    assertThrows(IllegalArgumentException.class, () -> new Arena.Pool(1024, -1));
  }
}
