package dev.sett.internal.lsm;

import static dev.sett.internal.lsm.CompactionFixtures.MIB;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Drop-prefix plans (reference §1.15): groups from Lmax up to L1, then all of L0. */
class CompactionDropPrefixTest {
  record Case(String name, String snapshot, String prefixes, List<String> expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static final String LEVELS = """
      L0: 1[a-c] 2[p-q]
      L4: 41[a-b] 42[ba-bz] 43[c-d] 44[pa-pb] 45[q-r]
      L5: 51[a-z 50M]
      L6: 61[a-z 1000M]
      """;

  static List<Case> cases() {
    return List.of(
        new Case("groups of consecutive tables per level, Lmax first, then L0 into the base",
            LEVELS, "b p",
            List.of("DROP_PREFIX L6->L6 top=- bottom=61",
                "DROP_PREFIX L5->L5 top=- bottom=51",
                "DROP_PREFIX L4->L4 top=- bottom=41,42",
                "DROP_PREFIX L4->L4 top=- bottom=44",
                "DROP_PREFIX L0->L4 top=1,2 bottom=41,42,43,44,45")),
        new Case("no prefixes: nothing", LEVELS, "", List.of()),
        new Case("a prefix no table's bounds admit, and an empty L0: nothing",
            """
            L4: 41[a-b] 42[d-e]
            L6: 61[d-z 1000M]
            """,
            "c", List.of()),
        new Case("a prefix strictly inside a table's bounds: the table is rewritten",
            "L6: 61[key1-key4 20M]",
            "key2", List.of("DROP_PREFIX L6->L6 top=- bottom=61")),
        new Case("L0 goes whole, though only one table may hold the prefix",
            "L0: 1[a] 2[b] 3[c]",
            "b", List.of("DROP_PREFIX L0->L6 top=1,2,3 bottom=-")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void dropPrefixPlans(Case example) {
    CompactionFixtures.Snapshot snapshot = CompactionFixtures.parse(example.snapshot());
    List<CompactionPlan> plans = CompactionPolicy.dropPrefixPlans(snapshot.levels(),
        prefixes(example.prefixes()), snapshot.settings());
    assertEquals(example.expected(), plans.stream().map(CompactionPlan::describe)
        .collect(Collectors.toList()));
    assertEquals(0, snapshot.status().inFlight());
  }

  @Test
  void plansCarryThePrefixesTheRangesAndTheLevelTableSizes() {
    CompactionFixtures.Snapshot snapshot = CompactionFixtures.parse(LEVELS);
    List<CompactionPlan> plans = CompactionPolicy.dropPrefixPlans(snapshot.levels(),
        prefixes("b p"), snapshot.settings());
    CompactionPlan level4 = plans.get(2);
    assertTrue(level4.topRange().isEmpty());
    assertEquals("[a, bz]", level4.bottomRange().toString());
    assertEquals(2 * MIB, level4.targetFileSize());
    assertEquals(8 * MIB, plans.get(0).targetFileSize());
    assertArrayEquals("p".getBytes(StandardCharsets.UTF_8), level4.dropPrefixes().get(1));
    CompactionPlan levelZero = plans.get(4);
    assertEquals(CompactionPolicy.DROP_PREFIX_SCORE, levelZero.score());
    assertEquals(0.0, levelZero.adjustedScore());
    assertEquals("[a, q]", levelZero.topRange().toString());
    assertEquals(2, levelZero.dropPrefixes().size());
  }

  @Test
  void theLevelZeroPlanCanBeRecomputedOnAFreshSnapshot() {
    CompactionFixtures.Snapshot after = CompactionFixtures.parse("""
        L0: 1[a-c] 2[p-q]
        L4: 41[a-b] 46[c-d] 47[pa-r]
        L5: 51[a-z 50M]
        L6: 61[a-z 1000M]
        """);
    CompactionPlan plan = CompactionPolicy.levelZeroDropPrefixPlan(after.levels(),
        prefixes("b p"), after.settings()).orElseThrow();
    assertEquals("DROP_PREFIX L0->L4 top=1,2 bottom=41,46,47", plan.describe());
    assertTrue(CompactionPolicy.levelZeroDropPrefixPlan(after.levels(), List.of(),
        after.settings()).isEmpty());
  }

  private static List<byte[]> prefixes(String words) {
    return Arrays.stream(words.split(" ")).filter(word -> !word.isEmpty())
        .map(word -> word.getBytes(StandardCharsets.UTF_8)).collect(Collectors.toList());
  }
}
