package dev.sett.internal.lsm;

import static dev.sett.internal.lsm.CompactionFixture.KEEP_ALL;
import static dev.sett.internal.lsm.CompactionFixture.NOW_SECONDS;
import static dev.sett.internal.lsm.CompactionFixture.delete;
import static dev.sett.internal.lsm.CompactionFixture.input;
import static dev.sett.internal.lsm.CompactionFixture.put;
import static dev.sett.internal.lsm.CompactionFixture.read;
import static dev.sett.testing.Bytes.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.key.InternalKey;
import dev.sett.internal.lsm.CompactionFixture.Version;
import dev.sett.internal.sstable.Table;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** How a compaction is divided into parallel sub-compactions (reference §7.6 step 1, B-092). */
class CompactionExecutorSplitTest {

  @Test
  void twelveBottomTablesRunAsFourParallelSplitsThatMatchASingleMerge() throws Exception {
    try (CompactionFixture fixture = new CompactionFixture()) {
      List<Table> bottom = new ArrayList<>();
      List<Version> bottomLevel = new ArrayList<>();
      List<Version> topVersions = new ArrayList<>();
      for (int table = 0; table < 12; table++) {
        List<Version> content = new ArrayList<>();
        for (int key = 0; key < 20; key++) {
          String name = String.format("k%02d-%02d", table, key);
          content.add(put(name, 2));
          content.add(put(name, 1));
          if (key % 3 == 0) {
            topVersions.add(key % 2 == 0 ? delete(name, 4) : put(name, 3));
          }
        }
        bottom.add(fixture.table(content));
        bottomLevel.addAll(content);
      }
      topVersions.add(put("a-before-everything", 3));
      topVersions.add(put("z-after-everything", 3));
      Table top = fixture.table(topVersions);

      ExecutorService threads = Executors.newFixedThreadPool(4);
      try {
        // Each split waits at the barrier: the run only passes it if all four run at once.
        CyclicBarrier allSplitsRunning = new CyclicBarrier(4);
        List<Throwable> notParallel = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger submitted = new AtomicInteger();
        Set<String> threadNames = ConcurrentHashMap.newKeySet();
        Executor pool = task -> {
          submitted.incrementAndGet();
          threads.execute(() -> {
            threadNames.add(Thread.currentThread().getName());
            try {
              allSplitsRunning.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
              notParallel.add(e);
            }
            task.run();
          });
        };
        CompactionOutput output = fixture.run(fixture.executor(pool),
            input(1, 2, List.of(top), bottom, true, 10, 1));

        assertEquals(4, submitted.get(), "12 bottom tables in groups of 3");
        assertEquals(List.of(), notParallel);
        assertEquals(4, threadNames.size());
        CompactionModel.Result expected = CompactionModel.compact(
            List.of(topVersions, bottomLevel), 10, 1, true, List.of(), NOW_SECONDS);
        assertEquals(expected.versions(), read(output.tables()));
        assertTrue(output.tables().size() >= 4, "one table per split at least");
      } finally {
        threads.shutdownNow();
      }
    }
  }

  @Test
  void allVersionsOfABoundaryKeyStayInTheLeftSplit() throws IOException {
    // B-092: L1 {C@3 D}; L2 {A@2},{B@2},{C@2},{D@2}; L3 {fooz@1}; here with splits of one table.
    try (CompactionFixture fixture = new CompactionFixture()) {
      List<Table> bottom = new ArrayList<>();
      for (String key : List.of("A", "B", "C", "D", "E", "F", "G")) {
        bottom.add(fixture.table(put(key, 2), put(key, 1)));
      }
      // C ends the first split: its newer versions and the tombstone come from the top.
      Table top = fixture.table(put("C", 5), put("C", 4), delete("C", 3), put("Ca", 3));
      CompactionOutput output = fixture.run(input(1, 2, List.of(top), bottom, true, 10,
          KEEP_ALL));
      List<Version> expected = new ArrayList<>();
      for (String key : List.of("A", "B")) {
        expected.addAll(List.of(put(key, 2), put(key, 1)));
      }
      expected.addAll(List.of(put("C", 5), put("C", 4), delete("C", 3), put("Ca", 3)));
      for (String key : List.of("D", "E", "F", "G")) {
        expected.addAll(List.of(put(key, 2), put(key, 1)));
      }
      assertEquals(expected, read(output.tables()));
      assertEquals(3, output.tables().size(), "one table per split");
      assertEquals(List.of(put("C", 5), put("C", 4), delete("C", 3)),
          read(output.tables().subList(0, 1)).subList(4, 7));
    }
  }

  @Test
  void splitsGroupBottomTablesByAtLeastThreeAndAtMostAboutFive() throws IOException {
    try (CompactionFixture fixture = new CompactionFixture()) {
      List<Table> bottom = new ArrayList<>();
      for (int table = 0; table < 25; table++) {
        bottom.add(fixture.table(put(String.format("k%02d", table), 1)));
      }
      List<SplitRange> five = SplitRange.plan(input(1, 2, List.of(), bottom, false, 0, 1));
      assertEquals(5, five.size());
      assertNull(five.get(0).afterUserKey());
      assertArrayEquals(bytes("k04"), five.get(0).lastUserKey());
      assertArrayEquals(bytes("k04"), five.get(1).afterUserKey());
      assertArrayEquals(bytes("k19"), five.get(3).lastUserKey());
      assertNull(five.get(4).lastUserKey());

      assertEquals(4, SplitRange.plan(input(1, 2, List.of(), bottom.subList(0, 12), false, 0, 1))
          .size());
      assertEquals(List.of(SplitRange.UNBOUNDED),
          SplitRange.plan(input(1, 2, List.of(), bottom.subList(0, 3), false, 0, 1)));
      assertEquals(2, SplitRange.plan(input(1, 2, List.of(), bottom.subList(0, 4), false, 0, 1))
          .size());
      assertEquals(List.of(SplitRange.UNBOUNDED),
          SplitRange.plan(input(0, 1, List.of(), List.of(), false, 0, 1)));
      assertEquals(List.of(SplitRange.UNBOUNDED),
          SplitRange.plan(input(6, 6, List.of(), bottom, false, 0, 1)),
          "a same-level compaction is one split");
    }
  }

  @Test
  void aSplitStartsAfterItsLeftBoundAndEndsAtItsRightBound() {
    SplitRange range = new SplitRange(bytes("b"), bytes("d"));
    byte[] seekKey = range.seekKey();
    assertTrue(InternalKey.compare(InternalKey.of(bytes("b"), 0), seekKey) < 0,
        "past every version of b");
    byte[] smallestAfterB = InternalKey.of(bytes("b\0"), InternalKey.MAX_VERSION);
    assertTrue(InternalKey.compare(seekKey, smallestAfterB) <= 0, "at or before any key after b");
    assertFalse(range.endsBefore(InternalKey.of(bytes("d"), 0)));
    assertTrue(range.endsBefore(InternalKey.of(bytes("d\0"), InternalKey.MAX_VERSION)));
    assertNull(SplitRange.UNBOUNDED.seekKey());
    assertFalse(SplitRange.UNBOUNDED.endsBefore(InternalKey.of(bytes("zzz"), 0)));
  }

}
