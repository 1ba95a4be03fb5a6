package dev.sett.internal.lsm;

import static dev.sett.internal.lsm.CompactionFixtures.MIB;
import static dev.sett.internal.lsm.CompactionFixtures.NOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The plan each worker picks (reference §7.4–7.5). A case is a snapshot and a sequence of steps
 * on one compaction status, each {@code action -> expected plan}: {@code w<n>} is a pick by worker
 * n, {@code w<n> tick} its max-level tick, {@code flatten L<n>} and {@code close} the forced
 * compactions, {@code release #<k>} ends the plan of step k. Plans chosen stay in flight.
 */
class CompactionPickTest {
  private static final Pattern WORKER = Pattern.compile("w(\\d+)( tick)?");

  record Case(String name, String snapshot, List<String> steps) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Case pick(String name, String snapshot, String... steps) {
    return new Case(name, snapshot, List.of(steps));
  }

  /** Levels L4..L6 with the base L4 three times over its target (L4 3, L5 1, L6 1). */
  private static final String FULL_BASE = """
      L4: 40[a-z 30M]
      L5: 50[a-z 100M]
      L6: 60[a-z 1000M]
      """;

  static List<Case> cases() {
    return List.of(
        pick("L0 at its count: the oldest run of overlapping tables, and the base tables under it",
            """
            L0: 1[a-c] 2[b-d] 3[x-z] 4[c-e] 5[a-b]
            L6: 10[a-b] 11[c-k] 12[m-z]
            """,
            "w1 -> LEVEL0_TO_BASE L0->L6 top=1,2 bottom=10,11",
            "w1 -> none",
            "w0 -> none"),
        pick("the L0 run stops at the first table that does not overlap, though a later one would",
            "L0: 1[a-b] 2[c-d] 3[a-d] 4[e] 5[f]",
            "w1 -> LEVEL0_TO_BASE L0->L6 top=1 bottom=-"),
        pick("L0 under its count: nothing, not even for worker 0",
            "L0: 1[a] 2[a] 3[a] 4[a]",
            "w0 -> none"),
        pick("oldest L0 tables in flight: no L0->Lbase; worker 0 merges the next run L0->L0,"
                + " whose infinite range then blocks L0->Lbase",
            """
            L0: 1[a-c] 2[b-d] 3[x] 4[y] 5[z] 6[w] 7[v] 8[u]
            L6: 10[a-z]
            """,
            "w1 -> LEVEL0_TO_BASE L0->L6 top=1,2 bottom=10",
            "w1 -> none",
            "w0 -> LEVEL0_TO_LEVEL0 L0->L0 top=3,4,5,6,7,8 bottom=-",
            "release #1 -> none",
            "w1 -> none"),
        pick("base over-full (L0 adjusted 0.4): worker 1 takes L4 then stops at L0;"
                + " worker 0 falls back to L0->L0",
            """
            L0: 1[a-c] 2[b-d] 3[c-e] 4[d-f] 5[e-g] 6[f-h]
            L4: 41[a-f 10M] 42[g-m 10M] 43[n-z 10M]
            L5: 50[a-z 100M]
            L6: 60[a-z 1000M]
            """,
            "w1 -> LEVEL_TO_NEXT L4->L5 top=41 bottom=50",
            "w1 -> none",
            "w0 -> LEVEL0_TO_LEVEL0 L0->L0 top=1,2,3,4,5,6 bottom=-"),
        pick("worker 0 takes L0 first though L4 scores higher; worker 1 then skips the L4 table"
                + " under L0's compaction",
            """
            L0: 1[a] 2[b] 3[c] 4[d] 5[e] 6[f] 7[g] 8[h] 9[i] 10[j]
            L4: 41[a-m 8M] 42[n-z 8M]
            L5: 51[a-z 20M]
            L6: 60[a-z 1000M]
            """,
            "w0 -> LEVEL0_TO_BASE L0->L4 top=1 bottom=41",
            "w1 -> LEVEL_TO_NEXT L4->L5 top=42 bottom=51"),
        pick("L0->L0 takes the longest contiguous run of small, settled, idle tables;"
                + " then worker 0 moves on to L4",
            "L0: 1[a 200M] 2[a] 3[a] 4[a] 5[a age=5s] 6[a] 7[a] 8[a] 9[a] 10[a] 11[a age=9s]\n"
                + FULL_BASE,
            "w0 -> LEVEL0_TO_LEVEL0 L0->L0 top=6,7,8,9,10 bottom=-",
            "w0 -> LEVEL_TO_NEXT L4->L5 top=40 bottom=50"),
        pick("L0->L0 bounds: 10 s old and 2 x 64M - 1K are eligible, 128M is not",
            "L0: 1[a age=10s] 2[a 131071K] 3[a] 4[a] 5[a 128M]\n" + FULL_BASE,
            "w0 -> LEVEL0_TO_LEVEL0 L0->L0 top=1,2,3,4 bottom=-"),
        pick("L0->L0 needs four: a 9.999 s old table leaves three",
            "L0: 1[a age=9.999s] 2[a] 3[a] 4[a] 5[a 128M]\n" + FULL_BASE,
            "w0 -> LEVEL_TO_NEXT L4->L5 top=40 bottom=50"),
        pick("L0->L0 for worker 0 only",
            "L0: 1[a] 2[a] 3[a] 4[a] 5[a] 6[a]\n" + FULL_BASE,
            "w1 -> LEVEL_TO_NEXT L4->L5 top=40 bottom=50",
            "w2 -> none",
            "w0 -> LEVEL0_TO_LEVEL0 L0->L0 top=1,2,3,4,5,6 bottom=-"),
        pick("equal L0->L0 runs: the oldest first; the other may run beside it",
            "L0: 1[a] 2[a] 3[a] 4[a] 5[a 200M] 6[a] 7[a] 8[a] 9[a]\n" + FULL_BASE,
            "w0 -> LEVEL0_TO_LEVEL0 L0->L0 top=1,2,3,4 bottom=-",
            "w0 -> LEVEL0_TO_LEVEL0 L0->L0 top=6,7,8,9 bottom=-"),
        pick("Li->Li+1: oldest data (lowest max version) first, with the overlapping tables below;"
                + " then a table in flight and one whose tables below are in flight are skipped",
            """
            L4: 41[a-c 5M v=15] 42[d-f 5M v=10] 43[h-i 5M v=20]
            L5: 51[a-b 10M] 52[c-e 10M] 53[f-g 10M] 54[h-z 10M]
            L6: 60[a-z 1000M]
            """,
            "w1 -> LEVEL_TO_NEXT L4->L5 top=42 bottom=52,53",
            "w1 -> LEVEL_TO_NEXT L4->L5 top=43 bottom=54",
            "w1 -> none"),
        pick("a Li table with nothing below moves alone",
            """
            L4: 41[a-c 15M]
            L5: 51[x-z 10M]
            L6: 60[a-z 1000M]
            """,
            "w1 -> LEVEL_TO_NEXT L4->L5 top=41 bottom=-"),
        pick("Lmax stale data, most stale first: skips a young table, one with versions above"
                + " discardTs and one under 10M stale; merges small neighbours up to 16M",
            """
            with: lmaxCompaction discardTs=100
            L6: 61[a-b 12M stale=11M v=100] 62[c-d 2M] 63[e-f 1M] 64[g-h 2M]
            L6: 65[i-j 40M stale=20M v=101] 66[k-l 40M stale=30M age=59m]
            L6: 67[m-n 12M stale=9.99M] 68[o-p 20M stale=15M] 69[q-z 1000M]
            """,
            "w3 tick -> MAX_LEVEL_STALE L6->L6 top=68 bottom=-",
            "w3 tick -> MAX_LEVEL_STALE L6->L6 top=61 bottom=62,63",
            "w3 tick -> none",
            "w1 -> none"),
        pick("Lmax with no stale data: nothing",
            """
            with: lmaxCompaction
            L6: 61[a-b 20M] 62[c-d 20M]
            """,
            "w2 tick -> none"),
        pick("without lmaxCompaction a max-level tick is an ordinary pick",
            """
            with: discardTs=100
            L0: 1[a] 2[b] 3[c] 4[d] 5[e]
            L6: 61[a-b 12M stale=11M v=50] 69[q-z 1000M]
            """,
            "w2 tick -> LEVEL0_TO_BASE L0->L5 top=1 bottom=-"),
        pick("with lmaxCompaction the tick only rewrites Lmax, L0 waits",
            """
            with: lmaxCompaction discardTs=100
            L0: 1[a] 2[b] 3[c] 4[d] 5[e]
            L6: 61[a-b 12M stale=11M v=50] 69[q-z 1000M]
            """,
            "w2 tick -> MAX_LEVEL_STALE L6->L6 top=61 bottom=-",
            "w2 -> LEVEL0_TO_BASE L0->L5 top=1 bottom=-"),
        pick("flatten L0 ignores the adjusted score and never falls back to L0->L0",
            """
            L0: 1[a-c] 2[b-d] 3[c-e] 4[d-f] 5[e-g] 6[f-h]
            L4: 41[a-f 10M] 42[g-m 10M] 43[n-z 10M]
            L5: 50[a-z 100M]
            L6: 60[a-z 1000M]
            """,
            "flatten L0 -> FLATTEN L0->L4 top=1,2,3,4,5,6 bottom=41,42",
            "flatten L0 -> none"),
        pick("compacting L0 at close ignores the count",
            "L0: 1[a] 2[a]",
            "close -> LEVEL0_TO_BASE L0->L6 top=1,2 bottom=-"),
        pick("flatten Li picks as Li->Li+1 does, whatever the score, and respects flights",
            """
            L4: 41[a-c] 42[d-e v=1]
            L5: 51[a-z]
            L6: 60[a-z 1000M]
            """,
            "flatten L4 -> FLATTEN L4->L5 top=42 bottom=51",
            "flatten L4 -> none",
            "release #1 -> none",
            "flatten L4 -> FLATTEN L4->L5 top=42 bottom=51"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void picks(Case example) {
    CompactionFixtures.Snapshot snapshot = CompactionFixtures.parse(example.snapshot());
    List<CompactionPlan> chosen = new ArrayList<>();
    for (String step : example.steps()) {
      String[] parts = step.split(" -> ", 2);
      Optional<CompactionPlan> plan = run(parts[0], snapshot, chosen);
      chosen.add(plan.orElse(null));
      assertEquals(parts[1], plan.map(CompactionPlan::describe).orElse("none"), step);
    }
  }

  private static Optional<CompactionPlan> run(String action, CompactionFixtures.Snapshot snapshot,
      List<CompactionPlan> chosen) {
    Matcher worker = WORKER.matcher(action);
    if (worker.matches()) {
      return CompactionPolicy.pickAndRegister(Integer.parseInt(worker.group(1)),
          snapshot.levels(), snapshot.status(), snapshot.settings(), snapshot.discardTs(), NOW,
          worker.group(2) != null);
    }
    if (action.startsWith("flatten L")) {
      return CompactionPolicy.forcedPlanAndRegister(CompactionKind.FLATTEN,
          Integer.parseInt(action.substring("flatten L".length())), snapshot.levels(),
          snapshot.status(), snapshot.settings());
    }
    if (action.equals("close")) {
      return CompactionPolicy.forcedPlanAndRegister(CompactionKind.LEVEL0_TO_BASE, 0,
          snapshot.levels(), snapshot.status(), snapshot.settings());
    }
    if (action.startsWith("release #")) {
      snapshot.status().release(chosen.get(Integer.parseInt(action.substring(9)) - 1));
      return Optional.empty();
    }
    throw new IllegalArgumentException("unknown step " + action);
  }

  @Test
  void levelZeroToBasePlanCarriesRangesScoresAndTheBaseTableSize() {
    CompactionFixtures.Snapshot snapshot = CompactionFixtures.parse("""
        L0: 1[a-c] 2[b-d] 3[x-z] 4[c-e] 5[a-b]
        L6: 10[a-b] 11[c-k] 12[m-z]
        """);
    CompactionPlan plan = pick(1, snapshot).orElseThrow();
    assertEquals("[a, d]", plan.topRange().toString());
    assertEquals("[a, k]", plan.bottomRange().toString());
    assertEquals(2 * MIB, plan.targetFileSize());
    assertEquals(1.0, plan.score());
    assertEquals(1.0 / 0.3, plan.adjustedScore(), 1e-9);
    assertEquals(2 * MIB, snapshot.status().deletingSize(0));
    assertTrue(plan.dropPrefixes().isEmpty());
  }

  @Test
  void levelZeroToLevelZeroPlanIsOneInfiniteOutputTable() {
    CompactionFixtures.Snapshot snapshot =
        CompactionFixtures.parse("L0: 1[a] 2[b] 3[c] 4[d] 5[e] 6[f]\n" + FULL_BASE);
    CompactionPlan plan = pick(0, snapshot).orElseThrow();
    assertEquals(CompactionKind.LEVEL0_TO_LEVEL0, plan.kind());
    assertTrue(plan.topRange().isInfinite());
    assertTrue(plan.bottomRange().isEmpty());
    assertEquals(Long.MAX_VALUE, plan.targetFileSize());
    assertEquals(0.4, plan.adjustedScore(), 1e-9);
    assertTrue(snapshot.status().overlaps(0, KeyRange.of(new byte[] {'q'}, new byte[] {'q'})));
  }

  @Test
  void levelToNextReservesItsRangeOnTheNextLevelWhenNothingIsBelow() {
    CompactionFixtures.Snapshot snapshot = CompactionFixtures.parse("""
        L4: 41[a-c 15M]
        L5: 51[x-z 10M]
        L6: 60[a-z 1000M]
        """);
    CompactionPlan plan = pick(1, snapshot).orElseThrow();
    assertEquals(plan.topRange(), plan.bottomRange());
    assertEquals(4 * MIB, plan.targetFileSize());
    assertTrue(snapshot.status().overlaps(5, KeyRange.of(new byte[] {'b'}, new byte[] {'b'})));
    assertFalse(snapshot.status().overlaps(5, KeyRange.of(new byte[] {'x'}, new byte[] {'x'})));
    assertEquals(15 * MIB, snapshot.status().deletingSize(4));
  }

  @Test
  void maxLevelStalePlanRegistersTopAndBottomOnLmax() {
    CompactionFixtures.Snapshot snapshot = CompactionFixtures.parse("""
        with: lmaxCompaction
        L6: 61[a-b 12M stale=11M] 62[c-d 2M] 63[e-f 1M] 69[q-z 1000M]
        """);
    CompactionPlan plan = CompactionPolicy.pickAndRegister(5, snapshot.levels(),
        snapshot.status(), snapshot.settings(), Long.MAX_VALUE, NOW, true).orElseThrow();
    assertEquals("MAX_LEVEL_STALE L6->L6 top=61 bottom=62,63", plan.describe());
    assertEquals("[a, f]", plan.bottomRange().toString());
    assertEquals(16 * MIB, plan.targetFileSize());
    snapshot.status().release(plan);
    assertFalse(snapshot.status().overlaps(6, KeyRange.infinite()));
    assertEquals(0, snapshot.status().deletingSize(6));
  }

  @Test
  void forcingLmaxOrAnUnforceableKindIsRefused() {
    CompactionFixtures.Snapshot snapshot = CompactionFixtures.parse("L6: 60[a-z]");
    assertThrows(IllegalArgumentException.class, () -> CompactionPolicy.forcedPlanAndRegister(
        CompactionKind.FLATTEN, 6, snapshot.levels(), snapshot.status(), snapshot.settings()));
    assertThrows(IllegalArgumentException.class, () -> CompactionPolicy.forcedPlanAndRegister(
        CompactionKind.LEVEL0_TO_BASE, 3, snapshot.levels(), snapshot.status(),
        snapshot.settings()));
    assertThrows(IllegalArgumentException.class, () -> CompactionPolicy.forcedPlanAndRegister(
        CompactionKind.LEVEL_TO_NEXT, 3, snapshot.levels(), snapshot.status(),
        snapshot.settings()));
  }

  @Test
  void aSnapshotWithTheWrongNumberOfLevelsIsRefused() {
    CompactionFixtures.Snapshot snapshot = CompactionFixtures.parse("L0: 1[a]");
    List<List<TableSummary>> tooFew = snapshot.levels().subList(0, 3);
    assertThrows(IllegalArgumentException.class,
        () -> CompactionPolicy.levelTargets(tooFew, snapshot.settings()));
  }

  /** Workers racing on one status never get plans that share a table or an overlapping range. */
  @Test
  void concurrentWorkersNeverShareTables() throws Exception {
    StringBuilder text = new StringBuilder("L0:");
    for (int i = 1; i <= 12; i++) {
      text.append(' ').append(i).append("[k").append(i % 3).append(']');
    }
    text.append("\nL4:");
    for (int i = 0; i < 40; i++) {
      text.append(' ').append(400 + i).append(String.format("[m%02d 2M]", i));
    }
    text.append("\nL5:");
    for (int i = 0; i < 20; i++) {
      text.append(' ').append(500 + i).append(String.format("[m%02d-m%02da 10M]", 2 * i, 2 * i));
    }
    text.append("\nL6: 600[a-z 1000M]");
    CompactionFixtures.Snapshot snapshot = CompactionFixtures.parse(text.toString());
    ExecutorService workers = Executors.newFixedThreadPool(4);
    try {
      List<Future<List<CompactionPlan>>> results = new ArrayList<>();
      for (int worker = 0; worker < 4; worker++) {
        int id = worker;
        results.add(workers.submit(() -> {
          List<CompactionPlan> plans = new ArrayList<>();
          for (int i = 0; i < 50; i++) {
            pick(id, snapshot).ifPresent(plans::add);
          }
          return plans;
        }));
      }
      Set<Long> tables = new HashSet<>();
      int count = 0;
      for (Future<List<CompactionPlan>> result : results) {
        for (CompactionPlan plan : result.get(30, TimeUnit.SECONDS)) {
          count++;
          for (TableSummary table : plan.tables()) {
            assertTrue(tables.add(table.id()), "table " + table.id() + " in two plans");
          }
        }
      }
      assertEquals(count, snapshot.status().inFlight());
      assertTrue(count > 1, "expected several plans, got " + count);
    } finally {
      workers.shutdownNow();
    }
  }

  private static Optional<CompactionPlan> pick(int worker, CompactionFixtures.Snapshot snapshot) {
    return CompactionPolicy.pickAndRegister(worker, snapshot.levels(), snapshot.status(),
        snapshot.settings(), snapshot.discardTs(), NOW, false);
  }
}
