package dev.sett.internal.lsm;

import static dev.sett.internal.lsm.CompactionFixture.KEEP_ALL;
import static dev.sett.internal.lsm.CompactionFixture.NOW_SECONDS;
import static dev.sett.internal.lsm.CompactionFixture.delete;
import static dev.sett.internal.lsm.CompactionFixture.discardEarlier;
import static dev.sett.internal.lsm.CompactionFixture.expiring;
import static dev.sett.internal.lsm.CompactionFixture.input;
import static dev.sett.internal.lsm.CompactionFixture.merge;
import static dev.sett.internal.lsm.CompactionFixture.put;
import static dev.sett.internal.lsm.CompactionFixture.read;
import static dev.sett.internal.lsm.CompactionFixture.staleBytes;
import static dev.sett.internal.lsm.CompactionFixture.versions;
import static dev.sett.testing.Bytes.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.fs.InMemoryFileSystem;
import dev.sett.internal.key.KeyValueIterator;
import dev.sett.internal.lsm.CompactionFixture.Version;
import dev.sett.internal.sstable.Table;
import dev.sett.internal.sstable.TableOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The retention rules of reference §7.6 seen through whole compactions, mostly Badger's
 * levels_test cases (B-085 to B-096, B-100), plus table cutting, drop prefixes and counters.
 */
class CompactionExecutorTest {

  @Test
  void onlyTheNewestVersionSurvivesWithOneVersionToKeep() throws IOException {
    // B-085: L0 {foo@3, fooz@1}, {foo@2}; L1 {foo@1}; keep 1, discardTs 10.
    try (CompactionFixture fixture = new CompactionFixture()) {
      Table newer = fixture.table(put("foo", 3), put("fooz", 1));
      Table older = fixture.table(put("foo", 2));
      Table bottom = fixture.table(put("foo", 1));
      CompactionOutput output = fixture.run(
          input(0, 1, List.of(newer, older), List.of(bottom), false, 10, 1));
      assertEquals(versions(put("foo", 3), put("fooz", 1)), read(output.tables()));
      assertEquals(4, output.entriesRead());
      assertEquals(2, output.entriesWritten());
      assertEquals(2, output.entriesDropped());
    }
  }

  @Test
  void theNewestSourceWinsForAnIdenticalVersion() throws IOException {
    // B-086: L0 {foo@3 "barNew", fooz@1}, {foo@4}; L1 {foo@3 "bar"}.
    try (CompactionFixture fixture = new CompactionFixture()) {
      Table newer = fixture.table(put("foo", 3, "barNew"), put("fooz", 1));
      Table newest = fixture.table(put("foo", 4));
      Table bottom = fixture.table(put("foo", 3, "bar"));
      CompactionOutput keepAll = fixture.run(
          input(0, 1, List.of(newest, newer), List.of(bottom), false, 10, KEEP_ALL));
      assertEquals(versions(put("foo", 4), put("foo", 3, "barNew"), put("fooz", 1)),
          read(keepAll.tables()));
      CompactionOutput keepOne = fixture.run(
          input(0, 1, List.of(newest, newer), List.of(bottom), false, 10, 1));
      assertEquals(versions(put("foo", 4), put("fooz", 1)), read(keepOne.tables()));
    }
  }

  @Test
  void twoVersionsSurviveWithTwoToKeep() throws IOException {
    // B-093: L1 {foo@3, fooz@1 D}, L2 {foo@2}, L3 {foo@1}; keep 2.
    try (CompactionFixture fixture = new CompactionFixture()) {
      Table level1 = fixture.table(put("foo", 3), delete("fooz", 1));
      Table level2 = fixture.table(put("foo", 2));
      Table level3 = fixture.table(put("foo", 1));
      CompactionOutput intoLevel2 = fixture.run(
          input(1, 2, List.of(level1), List.of(level2), true, 10, 2));
      assertEquals(versions(put("foo", 3), put("foo", 2), delete("fooz", 1)),
          read(intoLevel2.tables()));

      CompactionOutput intoLevel3 = fixture.run(
          input(2, 3, intoLevel2.tables(), List.of(level3), false, 10, 2));
      assertEquals(versions(put("foo", 3), put("foo", 2)), read(intoLevel3.tables()));
    }
  }

  @Test
  void versionsAboveDiscardTsAreNeverDropped() throws IOException {
    // B-095: keep 1.
    try (CompactionFixture fixture = new CompactionFixture()) {
      Table newer = fixture.table(put("foo", 4), put("fooz", 3));
      Table older = fixture.table(put("foo", 3));
      Table bottom = fixture.table(put("foo", 2));
      CompactionOutput discardTs1 = fixture.run(
          input(0, 1, List.of(newer, older), List.of(bottom), false, 1, 1));
      assertEquals(versions(put("foo", 4), put("foo", 3), put("foo", 2), put("fooz", 3)),
          read(discardTs1.tables()));
      CompactionOutput discardTs10 = fixture.run(
          input(0, 1, List.of(newer, older), List.of(bottom), false, 10, 1));
      assertEquals(versions(put("foo", 4), put("fooz", 3)), read(discardTs10.tables()));

      Table mixed = fixture.table(put("foo", 4), put("foo", 3), put("foo", 2), put("fooz", 2));
      Table mixedBottom = fixture.table(put("foo", 1));
      CompactionOutput discardTs3 = fixture.run(
          input(0, 1, List.of(mixed), List.of(mixedBottom), false, 3, 1));
      assertEquals(versions(put("foo", 4), put("foo", 3), put("fooz", 2)),
          read(discardTs3.tables()));
    }
  }

  @Test
  void versionsAreComparedWithDiscardTsUnsigned() throws IOException {
    try (CompactionFixture fixture = new CompactionFixture()) {
      Table top = fixture.table(put("foo", 5), put("foo", 4));
      // discardTs 2^63 is negative as a long: signed, every version would be above it.
      CompactionOutput output = fixture.run(
          input(0, 1, List.of(top), List.of(), false, Long.MIN_VALUE, 1));
      assertEquals(versions(put("foo", 5)), read(output.tables()));
    }
  }

  @Test
  void aTombstoneIsKeptWhileDataMayExistBelow() throws IOException {
    // B-089: L1 {foo@3 D, fooz@1 D}, L2 {foo@2}, L3 {foo@1}.
    try (CompactionFixture fixture = new CompactionFixture()) {
      Table level1 = fixture.table(delete("foo", 3), delete("fooz", 1));
      Table level2 = fixture.table(put("foo", 2));
      CompactionOutput output = fixture.run(
          input(1, 2, List.of(level1), List.of(level2), true, 10, 1));
      assertEquals(versions(delete("foo", 3), delete("fooz", 1)), read(output.tables()));
      assertEquals(read(output.tables()).stream().mapToLong(Version::staleBytes).sum(),
          staleBytes(output.tables()), "kept tombstones count as stale data");
    }
  }

  @Test
  void aTombstoneIsDroppedWithAllOlderVersionsWhenNothingLiesBelow() throws IOException {
    // B-091: L1 {foo@3 D, fooz@1 D}; L2 {fooo@2}; and B-089's second step into the last level.
    try (CompactionFixture fixture = new CompactionFixture()) {
      Table level1 = fixture.table(delete("foo", 3), delete("fooz", 1));
      Table level2 = fixture.table(put("fooo", 2));
      CompactionOutput output = fixture.run(
          input(1, 2, List.of(level1), List.of(level2), false, 10, 1));
      assertEquals(versions(put("fooo", 2)), read(output.tables()));

      Table tombstones = fixture.table(delete("foo", 3), put("foo", 2), delete("fooz", 1));
      Table level3 = fixture.table(put("foo", 1));
      CompactionOutput intoLast = fixture.run(
          input(2, 3, List.of(tombstones), List.of(level3), false, 10, 1));
      assertEquals(List.of(), read(intoLast.tables()));
      assertEquals(List.of(), intoLast.tables(), "an empty builder writes no table");
    }
  }

  @Test
  void aTombstoneAboveDiscardTsHidesOlderVersionsWithoutDroppingThem() throws IOException {
    try (CompactionFixture fixture = new CompactionFixture()) {
      Table top = fixture.table(delete("foo", 8), put("foo", 6), put("foo", 4));
      CompactionOutput output = fixture.run(input(0, 1, List.of(top), List.of(), false, 5, 1));
      assertEquals(versions(delete("foo", 8), put("foo", 6), put("foo", 4)),
          read(output.tables()));
    }
  }

  @Test
  void anExpiredVersionIsKeptWhileDataMayExistBelowAndDroppedOtherwise() throws IOException {
    try (CompactionFixture fixture = new CompactionFixture()) {
      Table top = fixture.table(expiring("foo", 3, NOW_SECONDS), put("foo", 2),
          expiring("live", 3, NOW_SECONDS + 1));
      CompactionOutput kept = fixture.run(input(0, 1, List.of(top), List.of(), true, 10, KEEP_ALL));
      assertEquals(versions(expiring("foo", 3, NOW_SECONDS), expiring("live", 3, NOW_SECONDS + 1)),
          read(kept.tables()));
      assertEquals(expiring("foo", 3, NOW_SECONDS).staleBytes(), staleBytes(kept.tables()));

      CompactionOutput dropped = fixture.run(
          input(0, 1, List.of(top), List.of(), false, 10, KEEP_ALL));
      assertEquals(versions(expiring("live", 3, NOW_SECONDS + 1)), read(dropped.tables()));
      assertEquals(0, staleBytes(dropped.tables()));
    }
  }

  @Test
  void discardEarlierVersionsPrunesOnlyOnceItIsAtOrBelowDiscardTs() throws IOException {
    // B-096: keep all, discardTs 7; versions 1, 2X, 3, 4, 9, 10X of foo in six L0 tables.
    try (CompactionFixture fixture = new CompactionFixture()) {
      List<Table> level0 = new ArrayList<>();
      for (Version version : List.of(discardEarlier("foo", 10), put("foo", 9), put("foo", 4),
          put("foo", 3), discardEarlier("foo", 2), put("foo", 1))) {
        level0.add(fixture.table(version));
      }
      CompactionOutput output = fixture.run(input(0, 1, level0, List.of(), false, 7, KEEP_ALL));
      List<Version> expected = versions(discardEarlier("foo", 10), put("foo", 9), put("foo", 4),
          put("foo", 3), discardEarlier("foo", 2));
      assertEquals(expected, read(output.tables()));
      assertEquals(expected.stream().mapToLong(Version::staleBytes).sum(),
          staleBytes(output.tables()), "the newest version has the bit: every kept one is stale");

      CompactionOutput belowTheBit = fixture.run(
          input(0, 1, level0, List.of(), false, 1, KEEP_ALL));
      assertEquals(6, read(belowTheBit.tables()).size(), "2X is above discardTs 1: prunes nothing");

      Table withoutNewestBit = fixture.table(put("bar", 3), discardEarlier("bar", 2),
          put("bar", 1));
      CompactionOutput notStale = fixture.run(
          input(0, 1, List.of(withoutNewestBit), List.of(), false, 7, KEEP_ALL));
      assertEquals(versions(put("bar", 3), discardEarlier("bar", 2)), read(notStale.tables()));
      assertEquals(0, staleBytes(notStale.tables()));
    }
  }

  @Test
  void aSameLevelCompactionDropsVersionsBelowTheDiscardBit() throws IOException {
    // B-100: L6 tables {A@4X, A@3, A@2, Afoo@2}, the same for B and C; keep all.
    try (CompactionFixture fixture = new CompactionFixture()) {
      List<Table> level6 = new ArrayList<>();
      List<Version> all = new ArrayList<>();
      List<Version> pruned = new ArrayList<>();
      for (String key : List.of("A", "B", "C")) {
        List<Version> table = versions(discardEarlier(key, 4), put(key, 3), put(key, 2),
            put(key + "foo", 2));
        level6.add(fixture.table(table));
        all.addAll(table);
        pruned.addAll(versions(discardEarlier(key, 4), put(key + "foo", 2)));
      }
      assertEquals(all, read(fixture.run(input(6, 6, level6, List.of(), false, 3, KEEP_ALL))
          .tables()));
      assertEquals(pruned, read(fixture.run(input(6, 6, level6, List.of(), false, 7, KEEP_ALL))
          .tables()));
    }
  }

  @Test
  void mergeEntriesAreExemptFromTheVersionCount() throws IOException {
    try (CompactionFixture fixture = new CompactionFixture()) {
      Table operands = fixture.table(merge("foo", 6), merge("foo", 5), put("foo", 4),
          put("foo", 3));
      assertEquals(versions(merge("foo", 6), merge("foo", 5), put("foo", 4)),
          read(fixture.run(input(0, 1, List.of(operands), List.of(), false, 10, 1)).tables()));

      Table endedKey = fixture.table(put("bar", 6), merge("bar", 5), delete("baz", 6),
          merge("baz", 5));
      assertEquals(versions(put("bar", 6), delete("baz", 6)),
          read(fixture.run(input(0, 1, List.of(endedKey), List.of(), true, 10, 1)).tables()),
          "a merge operand older than the version that ended its key is dropped");
    }
  }

  @Test
  void dropPrefixesRemoveExactlyThePrefixedKeys() throws IOException {
    try (CompactionFixture fixture = new CompactionFixture()) {
      Table top = fixture.table(put("a", 2), put("ab", 2), put("abc", 2), put("b", 2),
          put("ba", 2), put("c", 2));
      Table bottom = fixture.table(put("a", 1), put("abd", 1), put("bb", 1), put("d", 1));
      CompactionInput input = new CompactionInput(1, 2, List.of(top), List.of(bottom), List.of(),
          false, 10, KEEP_ALL, 64 << 20,
          List.of(bytes("ab"), bytes("ba")), NOW_SECONDS);
      CompactionOutput output = fixture.run(input);
      assertEquals(versions(put("a", 2), put("a", 1), put("b", 2), put("bb", 1), put("c", 2),
          put("d", 1)), read(output.tables()));
      assertEquals(10, output.entriesRead());
      assertEquals(4, output.entriesDropped());
    }
  }

  @Test
  void bottomTablesCoveredByADropPrefixAreNotRead() throws IOException {
    try (CompactionFixture fixture = new CompactionFixture()) {
      Table top = fixture.table(put("a", 2), put("ba", 2), put("c", 2));
      Table kept = fixture.table(put("a", 1));
      Table covered = fixture.tableWithDamagedBlock("poisoned", put("ba", 1, "poisoned"),
          put("bz", 1, "poisoned"));
      Table alsoKept = fixture.table(put("c", 1), put("d", 1));
      try (KeyValueIterator iterator = covered.iterator(false)) {
        assertThrows(UncheckedIOException.class, iterator::rewind, "reading it would fail");
      }
      CompactionInput input = new CompactionInput(1, 2, List.of(top),
          List.of(kept, covered, alsoKept), List.of(), false, 10, KEEP_ALL, 64 << 20,
          List.of(bytes("b")), NOW_SECONDS);
      CompactionOutput output = fixture.run(input);
      assertEquals(versions(put("a", 2), put("a", 1), put("c", 2), put("c", 1), put("d", 1)),
          read(output.tables()));
      assertEquals(top.onDiskSize() + kept.onDiskSize() + alsoKept.onDiskSize(),
          output.bytesRead());
    }
  }

  @Test
  void aDropPrefixCompactionFiltersTheBottomOfOneLevel() throws IOException {
    // Badger's dropPrefixes: top empty, bottom a run of tables of one level, same level.
    try (CompactionFixture fixture = new CompactionFixture()) {
      Table mixed = fixture.table(put("a", 1), put("pa", 2), put("pa", 1));
      Table covered = fixture.tableWithDamagedBlock("poisoned", put("pb", 1, "poisoned"),
          put("pz", 1));
      Table partly = fixture.table(put("pz", 3), put("q", 1));
      CompactionOutput output = fixture.run(new CompactionInput(3, 3, List.of(),
          List.of(mixed, covered, partly), List.of(), true, 10, KEEP_ALL, 64 << 20,
          List.of(bytes("p")), NOW_SECONDS));
      assertEquals(versions(put("a", 1), put("q", 1)), read(output.tables()));
      assertEquals(mixed.onDiskSize() + partly.onDiskSize(), output.bytesRead());
    }
  }

  @Test
  void aKeyWithManyVersionsLargerThanTheTargetStaysInOneTable() throws IOException {
    TableOptions smallBlocks = new TableOptions(256, 0.01, TableOptions.defaults().compression(),
        TableOptions.DEFAULT_ZSTD_LEVEL, false, true);
    try (CompactionFixture fixture = new CompactionFixture(new InMemoryFileSystem(),
        smallBlocks)) {
      List<Version> versions = new ArrayList<>();
      for (int key = 0; key < 30; key++) {
        versions.add(put(String.format("key%02d", key), 1, "x".repeat(100)));
      }
      for (int version = 1; version <= 200; version++) {
        versions.add(put("key15", version + 1L, "y".repeat(100)));
      }
      Table top = fixture.table(versions);
      long target = 1024;
      CompactionOutput output = fixture.run(new CompactionInput(0, 1, List.of(top), List.of(),
          List.of(), false, 0, KEEP_ALL, target, List.of(), NOW_SECONDS));
      assertEquals(versions.size(), read(output.tables()).size());
      assertTrue(output.tables().size() > 3, "tables: " + output.tables().size());
      for (Table table : output.tables()) {
        List<Version> content = read(List.of(table));
        long distinctKeys = content.stream().map(Version::key).distinct().count();
        if (content.stream().anyMatch(version -> version.key().equals("key15"))) {
          assertTrue(table.onDiskSize() > 10 * target, "key15's table: " + table.onDiskSize());
        } else if (distinctKeys > 1) {
          // Cut at the first key boundary after reaching the target: at most one entry more.
          assertTrue(table.onDiskSize() < target + 300, "table of " + table.onDiskSize());
        }
      }
      assertEquals(output.bytesWritten(),
          output.tables().stream().mapToLong(Table::onDiskSize).sum());
    }
  }

  @Test
  void theOverlapGuardCutsATableSpanningTenTablesOfTheLevelBelow() throws IOException {
    try (CompactionFixture fixture = new CompactionFixture()) {
      List<Version> keys = new ArrayList<>();
      for (int key = 0; key < 10_000; key++) {
        keys.add(put(String.format("k%05d", key), 2));
      }
      Table top = fixture.table(keys);
      List<Table> levelBelow = new ArrayList<>();
      for (int key = 0; key < 10_000; key += 400) {
        levelBelow.add(fixture.table(put(String.format("k%05d", key), 1)));
      }
      CompactionOutput guarded = fixture.run(new CompactionInput(1, 2, List.of(top), List.of(),
          levelBelow, true, 10, 1, 64 << 20, List.of(), NOW_SECONDS));
      // Checked at the 5000th key of each table: [0, 4999] overlaps 13 tables below.
      assertEquals(List.of(4999, 4999, 2), tableSizes(guarded));

      CompactionOutput fewBelow = fixture.run(new CompactionInput(1, 2, List.of(top), List.of(),
          levelBelow.subList(0, 9), true, 10, 1, 64 << 20, List.of(), NOW_SECONDS));
      assertEquals(List.of(10_000), tableSizes(fewBelow), "9 overlapping tables are fine");

      CompactionOutput levelZero = fixture.run(new CompactionInput(0, 0, List.of(top), List.of(),
          levelBelow, true, 10, 1, 64 << 20, List.of(), NOW_SECONDS));
      assertEquals(List.of(10_000), tableSizes(levelZero), "no guard for L0 -> L0");
    }
  }

  @Test
  void theOverlapGuardCountsTablesThatTouchTheRange() throws IOException {
    try (CompactionFixture fixture = new CompactionFixture()) {
      List<Table> levelBelow = new ArrayList<>();
      for (String range : List.of("b-c", "d-f", "g-g", "h-j", "k-m")) {
        levelBelow.add(fixture.table(put(range.substring(0, 1), 2), put(range.substring(2), 1)));
      }
      OverlapGuard guard = new OverlapGuard(1, levelBelow);
      assertEquals(5, guard.overlappingTables(put("a", 9).internalKey(),
          put("z", 9).internalKey()));
      assertEquals(3, guard.overlappingTables(put("c", 1).internalKey(),
          put("g", 1).internalKey()), "touching b-c and g-g at their ends");
      assertEquals(0, guard.overlappingTables(put("ca", 1).internalKey(),
          put("cz", 1).internalKey()), "between two tables");
      assertEquals(1, guard.overlappingTables(put("e", 1).internalKey(),
          put("e", 1).internalKey()));
      assertFalse(guard.enabled(), "five tables can never reach ten");
      assertFalse(new OverlapGuard(0, levelBelow).enabled());
    }
  }

  @Test
  void inputsAreNeitherReleasedNorRetainedAndCountersAddUp() throws IOException {
    try (CompactionFixture fixture = new CompactionFixture()) {
      Table top = fixture.table(put("a", 3), put("a", 2), delete("b", 3));
      Table bottom = fixture.table(put("a", 1), put("b", 1));
      CompactionOutput output = fixture.run(
          input(1, 2, List.of(top), List.of(bottom), false, 10, 1));
      assertEquals(1, top.referenceCount());
      assertEquals(1, bottom.referenceCount());
      assertEquals(5, output.entriesRead());
      assertEquals(1, output.entriesWritten());
      assertEquals(4, output.entriesDropped());
      assertEquals(top.onDiskSize() + bottom.onDiskSize(), output.bytesRead());
      assertEquals(output.tables().get(0).onDiskSize(), output.bytesWritten());
    }
  }

  @Test
  void inputsAreValidated() {
    assertThrows(IllegalArgumentException.class,
        () -> input(2, 1, List.of(), List.of(), false, 0, 1));
    assertThrows(IllegalArgumentException.class,
        () -> input(1, 2, List.of(), List.of(), false, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new CompactionInput(1, 2, List.of(),
        List.of(), List.of(), false, 0, 1, 0, List.of(), 0));
  }

  private static List<Integer> tableSizes(CompactionOutput output) {
    List<Integer> sizes = new ArrayList<>();
    for (Table table : output.tables()) {
      sizes.add(read(List.of(table)).size());
    }
    return sizes;
  }

}
