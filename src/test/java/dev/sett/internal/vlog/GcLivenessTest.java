package dev.sett.internal.vlog;

import static dev.sett.internal.vlog.GcLiveness.DEAD;
import static dev.sett.internal.vlog.GcLiveness.LIVE;
import static dev.sett.internal.vlog.GcLiveness.PINNED;
import static dev.sett.testing.Bytes.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.Meta;
import dev.sett.internal.key.ValueStruct;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** GC's verdict on the record of key k at version 10 in file 7, for each state of the tree. */
class GcLivenessTest {
  private static final byte[] KEY = bytes("k");
  private static final ValuePointer HERE = new ValuePointer(7, 100, 20);
  private static final ValuePointer ELSEWHERE = new ValuePointer(9, 100, 20);

  /** The versions of k the tree holds: version to what the entry points at (null: inline). */
  private record Tree(NavigableMap<Long, ValuePointer> versions) implements GcLiveness.VersionLookup {
    static Tree of(Object... versionsAndPointers) {
      NavigableMap<Long, ValuePointer> versions = new TreeMap<>();
      for (int i = 0; i < versionsAndPointers.length; i += 2) {
        versions.put((Long) versionsAndPointers[i], (ValuePointer) versionsAndPointers[i + 1]);
      }
      return new Tree(versions);
    }

    @Override
    public ValueStruct lookup(byte[] userKey, long readTs) {
      Map.Entry<Long, ValuePointer> entry = readTs == InternalKey.MAX_VERSION
          ? versions.lastEntry() : versions.floorEntry(readTs);
      if (entry == null) {
        return null;
      }
      ValuePointer pointer = entry.getValue();
      return pointer == null
          ? new ValueStruct((byte) 0, (byte) 0, 0, entry.getKey(), bytes("inline"))
          : new ValueStruct(Meta.VALUE_POINTER, (byte) 0, 0, entry.getKey(), pointer.encode());
    }
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        // tree, discardTs, numVersionsToKeep, verdict
        Arguments.of("key gone from the tree", Tree.of(), 100L, 1, DEAD),
        Arguments.of("newest version, points here", Tree.of(10L, HERE), 100L, 1, LIVE),
        Arguments.of("newest version, points elsewhere (rewritten)", Tree.of(10L, ELSEWHERE), 100L, 1, DEAD),
        Arguments.of("newest version, value now inline", Tree.of(10L, null), 100L, 1, DEAD),
        Arguments.of("only older versions left (dropped above)", Tree.of(5L, HERE), 100L, 1, DEAD),
        Arguments.of("older version, exact version gone", Tree.of(5L, HERE, 12L, HERE), 100L, 1, DEAD),
        Arguments.of("older version superseded at or below discardTs", Tree.of(10L, HERE, 12L, HERE), 12L, 1, DEAD),
        Arguments.of("older version, newer one above discardTs", Tree.of(10L, HERE, 12L, HERE), 11L, 1, PINNED),
        Arguments.of("older version above discardTs", Tree.of(10L, HERE, 12L, HERE), 9L, 1, PINNED),
        Arguments.of("older version kept by numVersionsToKeep", Tree.of(10L, HERE, 12L, HERE), 100L, 2, PINNED),
        Arguments.of("older version points elsewhere", Tree.of(10L, ELSEWHERE, 12L, HERE), 100L, 2, DEAD));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void classifiesTheRecord(String name, Tree tree, long discardTs, int keep, GcLiveness verdict) {
    assertEquals(verdict, GcLiveness.classify(tree, InternalKey.of(KEY, 10), HERE, discardTs, keep));
  }
}
