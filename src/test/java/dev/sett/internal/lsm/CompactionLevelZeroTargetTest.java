package dev.sett.internal.lsm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * L0 never compacts past a level that still holds data: if the base level moved down below a
 * non-empty level (after the last level shrank), L0 goes into that level, so newer versions never
 * land below older ones.
 */
class CompactionLevelZeroTargetTest {

  private static int targetOf(String snapshotText) {
    CompactionFixtures.Snapshot snapshot = CompactionFixtures.parse(snapshotText);
    Optional<CompactionPlan> plan = CompactionPolicy.pickAndRegister(0, snapshot.levels(),
        snapshot.status(), snapshot.settings(), snapshot.discardTs(), CompactionFixtures.NOW, false);
    return plan.orElseThrow().targetLevel();
  }

  @Test
  void level0GoesToTheBaseLevelWhenNothingLiesAboveIt() {
    assertEquals(6, targetOf("""
        L0: 1[a-c] 2[b-d] 3[c-e] 4[d-f] 5[e-g]
        L6: 10[a-z 5M]
        """));
  }

  @Test
  void level0StopsAtANonEmptyLevelAboveTheBase() {
    // The base is L6 (everything is small), but L2 still holds data from before the last level shrank.
    assertEquals(2, targetOf("""
        L0: 1[a-c] 2[b-d] 3[c-e] 4[d-f] 5[e-g]
        L2: 20[k 512K]
        L6: 10[a-z 5M]
        """));
  }
}
