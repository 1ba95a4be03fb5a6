package dev.sett.internal.lsm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Scores, adjusted scores and candidate order (reference §7.3). Each expected line lists
 * {@code L<level> score/adjusted} for every level, Lmax included; then the candidates in order.
 */
class CompactionScoresTest {
  record Case(String name, String snapshot, String scores, String candidates) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Case> cases() {
    return List.of(
        new Case("L0 alone over its count; the empty base L6 divides as 0.01: 1.2 / 0.01",
            "L0: 1[a] 2[a] 3[a] 4[a] 5[a] 6[a]",
            "L0 1.2/120 L1 0/0 L2 0/0 L3 0/0 L4 0/0 L5 0/0 L6 0/0",
            "L0"),
        new Case("base L4 half full boosts L0 (1 / 0.5); L5 over-full; Lmax never a candidate",
            """
            L0: 1[a] 2[a] 3[a] 4[a] 5[a]
            L4: 40[a 5M]
            L5: 50[a 150M]
            L6: 60[a-z 1000M]
            """,
            "L0 1/2 L1 0/0 L2 0/0 L3 0/0 L4 0.5/0.5 L5 1.5/1.5 L6 1/1",
            "L0 L5"),
        new Case("base L4 over-full: L0 drops to 1.2 / 3, L4 goes first",
            """
            L0: 1[a] 2[a] 3[a] 4[a] 5[a] 6[a]
            L4: 40[a-z 30M]
            L5: 50[a-z 100M]
            L6: 60[a-z 1000M]
            """,
            "L0 1.2/0.4 L1 0/0 L2 0/0 L3 0/0 L4 3/3 L5 1/1 L6 1/1",
            "L4 L5 L0"),
        new Case("bytes being compacted away do not count: L5 (150M - 60M) / 100M",
            """
            L0: 1[a] 2[a] 3[a] 4[a] 5[a]
            L4: 40[a 5M]
            L5: 51[a-f 60M] 52[g-z 90M]
            L6: 60[a-z 1000M]
            busy: L5->L6 51
            """,
            "L0 1/2 L1 0/0 L2 0/0 L3 0/0 L4 0.5/0.5 L5 0.9/0.9 L6 1/1",
            "L0"),
        new Case("L0 tables being compacted still count",
            """
            L0: 1[a] 2[a] 3[a] 4[a] 5[a] 6[a]
            busy: L0->L6 1 2 3 4 5 6
            """,
            "L0 1.2/120 L1 0/0 L2 0/0 L3 0/0 L4 0/0 L5 0/0 L6 0/0",
            "L0"),
        new Case("an under-full level boosts the one above: L4 2 / 0.5",
            """
            L4: 40[a-z 20M]
            L5: 50[a-z 50M]
            L6: 60[a-z 1000M]
            """,
            "L0 0/0 L1 0/0 L2 0/0 L3 0/0 L4 2/4 L5 0.5/0.5 L6 1/1",
            "L4"),
        new Case("levels above the base are not adjusted",
            """
            L1: 10[a-z 20M]
            L4: 40[a-z 5M]
            L5: 50[a-z 50M]
            L6: 60[a-z 1000M]
            """,
            "L0 0/0 L1 2/2 L2 0/0 L3 0/0 L4 0.5/0.5 L5 0.5/0.5 L6 1/1",
            "L1"),
        new Case("a level below 0.01 divides as 0.01: L0 2 / 0.01 (L6 holds 50K of 10M)",
            """
            L0: 1[a] 2[a] 3[a] 4[a] 5[a] 6[a] 7[a] 8[a] 9[a] 10[a]
            L6: 60[a-z 50K]
            """,
            "L0 2/200 L1 0/0 L2 0/0 L3 0/0 L4 0/0 L5 0/0 L6 0.005/0.005",
            "L0"),
        new Case("the division walks the chain: L0 by L4, L4 by L5, L5 by L6",
            """
            L0: 1[a] 2[a] 3[a] 4[a] 5[a] 6[a] 7[a] 8[a] 9[a] 10[a]
            L4: 40[a-z 40M]
            L5: 50[a-z 200M]
            L6: 60[a-z 1000M]
            """,
            "L0 2/0.5 L1 0/0 L2 0/0 L3 0/0 L4 4/2 L5 2/2 L6 1/1",
            "L4 L5 L0"),
        new Case("equal adjusted scores keep level order",
            """
            L1: 10[a-z 20M]
            L4: 40[a-z 20M]
            L5: 50[a-z 100M]
            L6: 60[a-z 1000M]
            """,
            "L0 0/0 L1 2/2 L2 0/0 L3 0/0 L4 2/2 L5 1/1 L6 1/1",
            "L1 L4 L5"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void scoresAndCandidates(Case example) {
    CompactionFixtures.Snapshot snapshot = CompactionFixtures.parse(example.snapshot());
    List<LevelScore> scores = CompactionPolicy.scores(snapshot.levels(), snapshot.status(),
        snapshot.settings());
    assertEquals(example.scores(), CompactionFixtures.describeScores(scores));
    assertEquals(example.candidates(), CompactionPolicy.candidates(scores).stream()
        .map(score -> "L" + score.level()).collect(Collectors.joining(" ")));
  }
}
