package dev.sett.internal.lsm;

import static dev.sett.internal.lsm.CompactionFixtures.MIB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Registration of compactions in flight (reference §7.1, §7.5). Plans are written
 * {@code Lx->Ly top-ids [+ bottom-ids]}, bottom defaulting to the overlapping tables of Ly.
 */
class CompactionStatusTest {
  private static final String LEVELS = """
      L0: 1[a-c] 2[b-d] 3[x-z] 4[m] 5[n]
      L4: 41[a-c] 42[d-f] 43[g-i]
      L5: 51[a-b] 52[c-e] 53[f-z]
      L6: 61[a-z]
      """;

  record Case(String inFlight, String candidate, boolean registered, String why) {
    @Override
    public String toString() {
      return inFlight + " then " + candidate + " -> " + registered + ": " + why;
    }
  }

  static List<Case> cases() {
    return List.of(
        new Case("L4->L5 41", "L4->L5 42", false, "shares table 52; L5 [c, z] overlaps [a, e]"),
        new Case("L4->L5 41", "L4->L5 43", true, "[g, i] on L4 and [f, z] on L5 are free"),
        new Case("L4->L5 41", "L5->L6 53", true, "L5 [f, z] is clear of [a, e]"),
        new Case("L4->L5 41", "L5->L6 52", false, "table 52 is in flight"),
        new Case("L0->L4 1 2", "L0->L4 1", false, "same tables, same L0 range"),
        new Case("L0->L4 1 2", "L0->L4 3", true, "[x, z] is free on L0 and has nothing below"),
        new Case("L0->L0 3 4 5", "L0->L4 1 2", false, "L0->L0 holds an infinite range on L0"),
        new Case("L0->L4 1 2", "L0->L0 3 4 5", true, "L0->L0 checks tables, not ranges"),
        new Case("L0->L4 1 2", "L0->L0 2 3 4 5", false, "table 2 is in flight"),
        new Case("L0->L0 3 4 5", "L4->L5 41", true, "the infinite range is on L0 only"),
        new Case("L6->L6 61", "L6->L6 61", false, "the same Lmax table"),
        new Case("L5->L6 51", "L4->L5 43", true, "L5 [f, z] is clear of [a, b]"),
        new Case("L5->L6 51", "L5->L6 53", false, "both need table 61 of L6"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void tryRegister(Case example) {
    CompactionFixtures.Snapshot snapshot = CompactionFixtures.parse(LEVELS);
    CompactionStatus status = snapshot.status();
    assertTrue(status.tryRegister(CompactionFixtures.plan(snapshot, example.inFlight())));
    CompactionPlan candidate = CompactionFixtures.plan(snapshot, example.candidate());
    assertEquals(example.registered(), status.tryRegister(candidate));
    assertEquals(example.registered() ? 2 : 1, status.inFlight());
  }

  @Test
  void deletingSizeSumsTheTopTablesPerLevelUntilReleased() {
    CompactionFixtures.Snapshot snapshot = CompactionFixtures.parse("""
        L4: 41[a-c 3M] 42[d-f 5M]
        L5: 51[a-b 7M] 52[c-z 11M]
        """);
    CompactionStatus status = snapshot.status();
    CompactionPlan first = CompactionFixtures.plan(snapshot, "L4->L5 41 + 51");
    CompactionPlan second = CompactionFixtures.plan(snapshot, "L4->L5 42 + 52");
    assertTrue(status.tryRegister(first));
    assertTrue(status.tryRegister(second));
    assertEquals(8 * MIB, status.deletingSize(4));
    assertEquals(0, status.deletingSize(5));
    assertTrue(status.isCompacting(51));
    status.release(first);
    assertEquals(5 * MIB, status.deletingSize(4));
    assertFalse(status.isCompacting(41));
    assertFalse(status.isCompacting(51));
    assertTrue(status.isCompacting(52));
    assertFalse(status.overlaps(4, KeyRange.of(new byte[] {'a'}, new byte[] {'c'})));
    assertTrue(status.overlaps(4, KeyRange.of(new byte[] {'e'}, new byte[] {'e'})));
    status.release(second);
    assertEquals(0, status.deletingSize(4));
    assertEquals(0, status.inFlight());
    assertFalse(status.overlaps(5, KeyRange.infinite()));
  }

  @Test
  void releasingOneOfTwoEqualRangesKeepsTheOther() {
    CompactionFixtures.Snapshot snapshot = CompactionFixtures.parse(
        "L0: 1[a] 2[a] 3[a] 4[a] 5[a] 6[a] 7[a] 8[a]");
    CompactionStatus status = snapshot.status();
    CompactionPlan first = CompactionFixtures.plan(snapshot, "L0->L0 1 2 3 4");
    CompactionPlan second = CompactionFixtures.plan(snapshot, "L0->L0 5 6 7 8");
    assertTrue(status.tryRegister(first));
    assertTrue(status.tryRegister(second));
    status.release(first);
    assertTrue(status.overlaps(0, KeyRange.of(new byte[] {'a'}, new byte[] {'a'})),
        "the second L0->L0 still blocks L0 (Badger would have removed both ranges)");
  }

  @Test
  void releasingAnLmaxRewriteFreesItsWholeRange() {
    CompactionFixtures.Snapshot snapshot = CompactionFixtures.parse("L6: 61[a-b] 62[c-d] 63[e-f]");
    CompactionStatus status = snapshot.status();
    CompactionPlan plan = CompactionFixtures.plan(snapshot, "L6->L6 61 + 62 63");
    assertTrue(status.tryRegister(plan));
    assertTrue(status.overlaps(6, KeyRange.of(new byte[] {'e'}, new byte[] {'e'})));
    status.release(plan);
    assertFalse(status.overlaps(6, KeyRange.infinite()),
        "Badger leaves the bottom range registered for good");
  }

  @Test
  void releaseOfAPlanNotRegisteredAndDoubleRegistrationAreErrors() {
    CompactionFixtures.Snapshot snapshot = CompactionFixtures.parse(LEVELS);
    CompactionStatus status = snapshot.status();
    CompactionPlan plan = CompactionFixtures.plan(snapshot, "L4->L5 41");
    assertThrows(IllegalStateException.class, () -> status.release(plan));
    assertTrue(status.tryRegister(plan));
    assertThrows(IllegalStateException.class, () -> status.tryRegister(plan));
    CompactionPlan equalButNotSame = CompactionFixtures.plan(snapshot, "L4->L5 41");
    assertThrows(IllegalStateException.class, () -> status.release(equalButNotSame));
    status.release(plan);
    assertEquals(0, status.inFlight());
  }
}
