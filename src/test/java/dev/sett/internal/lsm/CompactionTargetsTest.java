package dev.sett.internal.lsm;

import static dev.sett.internal.lsm.CompactionFixtures.size;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Dynamic level targets (reference §7.2), Badger's default settings unless a case says. */
class CompactionTargetsTest {
  record Case(String name, String snapshot, String expected) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Case> cases() {
    return List.of(
        new Case("empty store: every target 10M, base L6, all tables 2M (L0 flushes go to L6)",
            "L0:",
            "base=L6 target=0,10M,10M,10M,10M,10M,10M file=64M,2M,2M,2M,2M,2M,2M"),
        new Case("|L6| = 1000M with L4, L5 non-empty: base L4, tables 2M to L4, then 4M, 8M",
            """
            L4: 40[a]
            L5: 50[a]
            L6: 60[a-z 1000M]
            """,
            "base=L4 target=0,10M,10M,10M,10M,100M,1000M file=64M,2M,2M,2M,2M,4M,8M"),
        new Case("|L6| = 1000M, L4 and L5 empty: step 3 moves the base down to L5",
            "L6: 60[a-z 1000M]",
            "base=L5 target=0,10M,10M,10M,10M,100M,1000M file=64M,2M,2M,2M,2M,4M,8M"),
        new Case("|L6| = 1024M, L3 to L5 non-empty: L4's 10.24M target > 10M, base moves up to L3",
            """
            L3: 30[a]
            L4: 40[a 11M]
            L5: 50[a]
            L6: 60[a-z 1024M]
            """,
            "base=L3 target=0,10M,10M,10M,10737418,107374182,1024M file=64M,2M,2M,2M,4M,8M,16M"),
        new Case("|L6| = 1024M, L3 and L4 empty: step 3 to L4, step 4 to L5 (L5 under target);"
                + " table sizes keep the tentative base L3",
            """
            L5: 50[a]
            L6: 60[a-z 1024M]
            """,
            "base=L5 target=0,10M,10M,10M,10737418,107374182,1024M file=64M,2M,2M,2M,4M,8M,16M"),
        new Case("|L6| = 1024M, L3 empty, L4 under its target: step 4 moves the base to L4",
            """
            L4: 40[a 5M]
            L5: 50[a 50M]
            L6: 60[a-z 1024M]
            """,
            "base=L4 target=0,10M,10M,10M,10737418,107374182,1024M file=64M,2M,2M,2M,4M,8M,16M"),
        new Case("|L6| = 1024M, L3 empty, L4 over its target: the base stays L3",
            """
            L4: 40[a 11M]
            L5: 50[a 50M]
            L6: 60[a-z 1024M]
            """,
            "base=L3 target=0,10M,10M,10M,10737418,107374182,1024M file=64M,2M,2M,2M,4M,8M,16M"),
        new Case("a small L6 (5M) is the base itself: every target clamps to 10M",
            "L6: 60[a-z 5M]",
            "base=L6 target=0,10M,10M,10M,10M,10M,10M file=64M,2M,2M,2M,2M,2M,2M"),
        new Case("no target fits the base size: base L1, never L0 (Badger would say 0)",
            """
            with: maxLevels=3
            L2: 20[a-z 10G]
            """,
            "base=L1 target=0,1024M,10240M file=64M,2M,4M"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void levelTargets(Case example) {
    CompactionFixtures.Snapshot snapshot = CompactionFixtures.parse(example.snapshot());
    LevelTargets targets = CompactionPolicy.levelTargets(snapshot.levels(), snapshot.settings());
    assertEquals(example.expected(), describe(targets));
  }

  private static String describe(LevelTargets targets) {
    return "base=L" + targets.baseLevel() + " target=" + sizes(targets.targetSize()) + " file="
        + sizes(targets.fileSize());
  }

  private static String sizes(long[] sizes) {
    return Arrays.stream(sizes).mapToObj(bytes -> bytes == 0 ? "0" : size(bytes))
        .collect(Collectors.joining(","));
  }
}
