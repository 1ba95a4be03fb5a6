package dev.sett.internal.memtable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValue;
import dev.sett.internal.key.KeyValueIterator;
import dev.sett.internal.key.ValueStruct;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * One writer inserts and replaces while readers scan, seek and look up through the public API.
 * Every value is derived from its key (user key, then a generation byte, mirrored in userMeta;
 * expiresAt holds the key's index), so a reader can tell a torn or misplaced entry at once.
 */
class ConcurrentReadersTest {
  private static final int KEYS = 50_000;
  private static final int REPLACEMENTS = 20_000;
  private static final int READERS = 2;

  /** Keys known to be inserted; written by the writer after each insert. */
  private volatile int published;
  private volatile boolean writerDone;

  @Test
  void readersOnlySeeWholeEntriesInOrderWhileTheWriterInserts() throws Exception {
    long seed = TestEntries.seed("readersOnlySeeWholeEntriesInOrderWhileTheWriterInserts");
    SplittableRandom random = new SplittableRandom(seed);
    int[] order = new int[KEYS];
    for (int i = 0; i < KEYS; i++) {
      order[i] = i;
    }
    for (int i = KEYS - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    // Small chunks, so readers keep meeting freshly published chunks.
    Memtable memtable = Memtable.inMemory(1, new MemtableOptions(1L << 30, 16 << 10),
        new SplittableRandom(seed + 1));
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> readers = new ArrayList<>();
    for (int r = 0; r < READERS; r++) {
      long readerSeed = seed + 2 + r;
      Thread reader = new Thread(() -> {
        try {
          start.await();
          read(memtable, order, new SplittableRandom(readerSeed));
        } catch (Throwable t) {
          failure.compareAndSet(null, t);
        }
      }, "reader-" + r);
      reader.start();
      readers.add(reader);
    }
    start.countDown();
    try {
      for (int i = 0; i < KEYS; i++) {
        memtable.write(List.of(entry(order[i], 1, 0)));
        published = i + 1;
      }
      for (int i = 0; i < REPLACEMENTS && failure.get() == null; i++) {
        int index = order[random.nextInt(KEYS)];
        memtable.write(List.of(entry(index, 1, 1 + random.nextInt(200))));
        if (i % 10 == 0) {
          memtable.write(List.of(entry(index, 2 + random.nextInt(3), 1 + random.nextInt(200))));
        }
      }
    } finally {
      writerDone = true;
      for (Thread reader : readers) {
        reader.join();
      }
    }
    if (failure.get() != null) {
      throw new AssertionError("reader failed, seed " + seed, failure.get());
    }
    try (KeyValueIterator iterator = memtable.iterator(false)) {
      iterator.rewind();
      assertEquals(memtable.entryCount(), checkScan(iterator, Integer.MAX_VALUE, false));
    }
  }

  private void read(Memtable memtable, int[] order, SplittableRandom random) {
    int round = 0;
    do {
      int known = published;
      if (round % 4 == 0) {
        try (KeyValueIterator iterator = memtable.iterator(false)) {
          iterator.rewind();
          long seen = checkScan(iterator, Integer.MAX_VALUE, false);
          assertTrue(seen >= known, "a forward scan saw " + seen + " of " + known + " keys");
        }
      }
      for (int i = 0; i < 200 && known > 0; i++) {
        int index = order[random.nextInt(known)];
        ValueStruct value = memtable.get(userKey(index), 1);
        assertNotNull(value, () -> "published key " + index + " is missing");
        checkValue(index, value);
        assertEquals(1, value.version());
      }
      try (KeyValueIterator iterator = memtable.iterator(true)) {
        iterator.seek(InternalKey.of(userKey(random.nextInt(KEYS)), 0));
        checkScan(iterator, 100, true);
      }
      round++;
      // Two cores are shared by writer and readers: let the writer make progress.
      Thread.yield();
    } while (!writerDone);
  }

  /** Walks up to {@code limit} entries checking order and contents; returns the count. */
  private static long checkScan(KeyValueIterator iterator, int limit, boolean reverse) {
    byte[] previous = null;
    long count = 0;
    for (; iterator.valid() && count < limit; iterator.next()) {
      byte[] key = iterator.key();
      if (previous != null) {
        int comparison = InternalKey.compare(previous, key);
        if (reverse ? comparison <= 0 : comparison >= 0) {
          throw new AssertionError("out of order: " + InternalKey.toString(previous) + " then "
              + InternalKey.toString(key));
        }
      }
      checkValue(index(key), iterator.value());
      assertEquals(InternalKey.version(key), iterator.value().version());
      previous = key;
      count++;
    }
    return count;
  }

  private static void checkValue(int index, ValueStruct value) {
    byte[] bytes = value.value();
    assertEquals(9, bytes.length, "value length");
    assertTrue(Arrays.equals(bytes, 0, 8, userKey(index), 0, 8), "value of another key");
    assertEquals(bytes[8], value.userMeta(), "generation in userMeta");
    assertEquals(index, value.expiresAt(), "index in expiresAt");
  }

  private static KeyValue entry(int index, long version, int generation) {
    byte[] value = Arrays.copyOf(userKey(index), 9);
    value[8] = (byte) generation;
    return KeyValue.of(userKey(index), version,
        new ValueStruct((byte) 0, (byte) generation, index, 0, value));
  }

  private static byte[] userKey(int index) {
    return ByteBuffer.allocate(8).putLong(0, index).array();
  }

  private static int index(byte[] internalKey) {
    return (int) ByteBuffer.wrap(internalKey).getLong(0);
  }
}
