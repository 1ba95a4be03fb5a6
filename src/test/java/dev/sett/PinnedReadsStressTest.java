package dev.sett;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.sstable.Table;
import dev.sett.testing.Eventually;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Point reads pin the levels snapshot instead of counting a reference (LevelsController#pin):
 * gets racing flushes and compactions that replace snapshots and delete tables must never read a
 * released table, never see a value go back in time, and must not keep a replaced table alive once
 * they have left it.
 */
class PinnedReadsStressTest {
  private static final int KEYS = 4_000;
  private static final int READERS = 3;

  @TempDir
  Path dir;

  private static long seed() {
    String fixed = System.getProperty("sett.seed");
    return fixed != null ? Long.parseLong(fixed) : new Random().nextLong();
  }

  private static byte[] key(int i) {
    return String.format("key-%06d", i).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  /** Round, key index, and padding that makes tables fill (and compact) quickly. */
  private static byte[] value(int key, long round, int valueSize) {
    ByteBuffer value = ByteBuffer.allocate(valueSize);
    value.putLong(round).putInt(key);
    return value.array();
  }

  @Test
  void getsRacingCompactionsReadEveryTableAliveAndLeaveNoReplacedTableBehind() throws Exception {
    long seed = seed();
    System.out.println("PinnedReadsStressTest seed " + seed);
    for (int valueSize : new int[] {64, 600}) { // inline, then in the value log (threshold 512)
      Path storeDir = dir.resolve("v" + valueSize);
      Options options = Options.builder(storeDir).memTableSize(128 << 10).baseTableSize(32 << 10)
          .baseLevelSize(256 << 10).blockSize(1024).numLevelZeroTables(2)
          .numLevelZeroTablesStall(4).numCompactors(2).valueThreshold(512).build();
      try (DB db = DB.open(options)) {
        race(db, new Random(seed + valueSize), valueSize);
        // With the readers gone, every replaced table must be deleted: no pinned snapshot is left
        // holding one. Compaction may still run for a while after the last write.
        Eventually.await("the table files on disk are the live tables", () -> {
          Set<Long> live = db.tables().stream().map(TableInfo::id).collect(Collectors.toSet());
          return live.equals(tableFilesOnDisk(storeDir)) && live.equals(
              db.tables().stream().map(TableInfo::id).collect(Collectors.toSet()));
        });
      }
    }
  }

  private static void race(DB db, Random random, int valueSize) throws Exception {
    AtomicReferenceArray<Long> written = new AtomicReferenceArray<>(KEYS);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> readers = new ArrayList<>();
    long[] readerSeeds = new long[READERS];
    for (int r = 0; r < READERS; r++) {
      readerSeeds[r] = random.nextLong();
    }
    long[] reads = new long[READERS];
    for (int r = 0; r < READERS; r++) {
      int reader = r;
      Thread thread = new Thread(() -> {
        Random own = new Random(readerSeeds[reader]);
        long[] lastSeen = new long[KEYS];
        try {
          while (!stop.get()) {
            int k = own.nextInt(KEYS);
            Long floor = written.get(k); // acknowledged before this get began
            byte[] got = db.get(key(k));
            if (floor == null) {
              continue; // perhaps not written yet
            }
            assertNotNull(got, "key " + k + " written at round " + floor + " reads as absent");
            assertEquals(valueSize, got.length);
            ByteBuffer value = ByteBuffer.wrap(got);
            long round = value.getLong();
            assertEquals(k, value.getInt(), "the value of another key");
            assertTrue(round >= floor && round >= lastSeen[k], "key " + k + " went back to round "
                + round + " after " + Math.max(floor, lastSeen[k]));
            lastSeen[k] = round;
            reads[reader]++;
          }
        } catch (Throwable t) {
          failure.compareAndSet(null, t);
          stop.set(true);
        }
      }, "pinned-reader-" + r);
      thread.start();
      readers.add(thread);
    }
    Set<Long> tablesAtStart = null;
    try {
      for (long round = 1; round <= 8 && !stop.get(); round++) {
        for (int k = 0; k < KEYS && !stop.get(); k++) {
          db.put(key(k), value(k, round, valueSize));
          written.set(k, round);
        }
        if (tablesAtStart == null && !db.tables().isEmpty()) {
          tablesAtStart = db.tables().stream().map(TableInfo::id).collect(Collectors.toSet());
        }
      }
    } finally {
      stop.set(true);
      for (Thread thread : readers) {
        thread.join();
      }
    }
    if (failure.get() != null) {
      throw new AssertionError("a reader failed", failure.get());
    }
    for (long count : reads) {
      assertTrue(count > 0, "every reader read");
    }
    Set<Long> tablesAtEnd = db.tables().stream().map(TableInfo::id).collect(Collectors.toSet());
    assertNotNull(tablesAtStart);
    Set<Long> replaced = new HashSet<>(tablesAtStart);
    replaced.removeAll(tablesAtEnd);
    assertTrue(!replaced.isEmpty(),
        "compaction replaced tables while the readers ran: " + tablesAtStart + " -> "
            + tablesAtEnd);
  }

  private static Set<Long> tableFilesOnDisk(Path storeDir) {
    try (Stream<Path> files = Files.list(storeDir)) {
      return files.map(path -> Table.parseFileName(path.getFileName().toString()))
          .filter(id -> id >= 0).collect(Collectors.toSet());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
