package dev.sett.internal.memtable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.key.KeyValue;
import dev.sett.internal.key.KeyValueIterator;
import dev.sett.internal.key.ValueStruct;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A memtable's off-heap chunks go back to the store's pool only when the store has released it
 * and no lookup or iterator still reads them, and the next memtable runs on them.
 */
class MemtableReleaseTest {
  private static final int CHUNK = 4096;

  @Test
  void aReleasedMemtableWithoutReadersGivesItsChunksToTheNextOneAndReadsAsEmpty()
      throws Exception {
    MemtableOptions options = new MemtableOptions(64 << 10, CHUNK);
    Memtable first = filled(options, 1, 500);
    assertEquals("v7", text(first.get(key(7), 10)));
    assertEquals(0, options.chunkPool().size());
    first.release();
    assertTrue(first.isFreed());
    int pooled = options.chunkPool().size();
    assertTrue(pooled > 5, "the freed arena's chunks wait in the pool: " + pooled);
    assertNull(first.get(key(7), 10), "a released memtable is found in L0, not here");
    try (KeyValueIterator iterator = first.iterator(false)) {
      iterator.rewind();
      assertFalse(iterator.valid());
    }
    first.release(); // idempotent
    assertEquals(pooled, options.chunkPool().size());

    Memtable second = filled(options, 2, 500);
    assertTrue(options.chunkPool().size() < pooled, "the next memtable reuses them");
    for (int i = 0; i < 500; i++) {
      assertEquals("v" + i, text(second.get(key(i), 10)));
    }
  }

  @Test
  void anOpenIteratorKeepsTheChunksUntilItIsClosed() throws Exception {
    MemtableOptions options = new MemtableOptions(64 << 10, CHUNK);
    Memtable memtable = filled(options, 1, 300);
    KeyValueIterator iterator = memtable.iterator(false);
    memtable.release();
    assertFalse(memtable.isFreed());
    assertEquals(0, options.chunkPool().size());
    // The pool is empty, so a memtable built now cannot overwrite what the iterator reads.
    filled(options, 2, 300);
    int count = 0;
    for (iterator.rewind(); iterator.valid(); iterator.next()) {
      assertEquals("v" + count, text(iterator.value()));
      count++;
    }
    assertEquals(300, count);
    iterator.close();
    assertTrue(memtable.isFreed());
    assertTrue(options.chunkPool().size() > 0);
    iterator.close(); // gives the reference back once only
    assertTrue(memtable.isFreed());
  }

  /**
   * Readers look keys up in memtables that the main thread releases and replaces with new ones on
   * the same recycled chunks: a reader gets the right value or nothing, never another memtable's
   * bytes.
   */
  @Test
  void lookupsRacingARelease() throws Exception {
    long seed = TestEntries.seed("lookupsRacingARelease");
    MemtableOptions options = new MemtableOptions(64 << 10, CHUNK);
    AtomicReference<Memtable> current = new AtomicReference<>(filled(options, 0, 200, "m0v"));
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> readers = new ArrayList<>();
    for (int r = 0; r < 2; r++) {
      SplittableRandom random = new SplittableRandom(seed + r);
      Thread reader = new Thread(() -> {
        try {
          for (int i = 0; i < 200_000 && failure.get() == null; i++) {
            Memtable memtable = current.get();
            int k = random.nextInt(200);
            ValueStruct found = memtable.get(key(k), 10);
            String expected = "m" + memtable.id() + "v" + k;
            if (found != null && !expected.equals(text(found))) {
              throw new AssertionError("memtable " + memtable.id() + " key " + k + " read "
                  + text(found) + ", seed " + seed);
            }
          }
        } catch (Throwable t) {
          failure.compareAndSet(null, t);
        }
      });
      reader.start();
      readers.add(reader);
    }
    long id = 1;
    while (readers.stream().anyMatch(Thread::isAlive)) {
      Memtable next = filled(options, id, 200, "m" + id + "v");
      current.getAndSet(next).release();
      id++;
    }
    for (Thread reader : readers) {
      reader.join();
    }
    if (failure.get() != null) {
      throw new AssertionError(failure.get());
    }
    assertTrue(id > 2, "memtables were replaced while readers ran");
  }

  private static Memtable filled(MemtableOptions options, long id, int keys) throws Exception {
    return filled(options, id, keys, "v");
  }

  private static Memtable filled(MemtableOptions options, long id, int keys, String valuePrefix)
      throws Exception {
    Memtable memtable = Memtable.inMemory(id, options, new SplittableRandom(id));
    List<KeyValue> batch = new ArrayList<>();
    for (int i = 0; i < keys; i++) {
      batch.add(KeyValue.of(key(i), 5, new ValueStruct((byte) 0, (byte) 0, 0, 0,
          (valuePrefix + i + "-".repeat(40)).getBytes(StandardCharsets.UTF_8))));
    }
    memtable.write(batch);
    return memtable;
  }

  private static byte[] key(int i) {
    return String.format("key-%08d-with-a-longer-tail", i).getBytes(StandardCharsets.UTF_8);
  }

  private static String text(ValueStruct value) {
    if (value == null) {
      return null;
    }
    String text = new String(value.value(), StandardCharsets.UTF_8);
    return text.substring(0, text.indexOf('-'));
  }
}
