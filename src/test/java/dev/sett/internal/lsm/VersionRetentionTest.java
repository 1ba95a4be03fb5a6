package dev.sett.internal.lsm;

import static dev.sett.internal.lsm.VersionRetention.Decision.DROP;
import static dev.sett.internal.lsm.VersionRetention.Decision.KEEP;
import static dev.sett.internal.lsm.VersionRetention.Decision.KEEP_STALE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.sett.internal.key.Meta;
import dev.sett.internal.key.ValueStruct;
import dev.sett.internal.lsm.VersionRetention.Decision;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The version rules of reference §7.6 step 4, one key at a time. */
class VersionRetentionTest {
  private static final long NOW = 1_000;
  private static final byte PUT = 0;
  private static final byte DELETE = Meta.DELETE;
  private static final byte DISCARD = Meta.DISCARD_EARLIER_VERSIONS;
  private static final byte MERGE = Meta.MERGE_ENTRY;

  /** One version given to the rules: its version, meta bits and expiry. */
  private record Given(long version, byte meta, long expiresAt) {
  }

  private static Given v(long version, byte meta) {
    return new Given(version, meta, 0);
  }

  private static Given expiring(long version, long expiresAt) {
    return new Given(version, PUT, expiresAt);
  }

  /** The decisions for one key's versions, newest first, after {@code startUserKey}. */
  private static List<Decision> decide(VersionRetention retention, Given... newestFirst) {
    retention.startUserKey();
    List<Decision> decisions = new ArrayList<>();
    for (Given given : newestFirst) {
      decisions.add(retention.decide(given.version(), new ValueStruct(given.meta(), (byte) 0,
          given.expiresAt(), given.version(), new byte[0])));
    }
    return decisions;
  }

  private static VersionRetention retention(long discardTs, int numVersionsToKeep,
      boolean dataMayExistBelow) {
    return new VersionRetention(discardTs, numVersionsToKeep, dataMayExistBelow, NOW);
  }

  @Test
  void keepsNumVersionsToKeepOfTheVersionsAtOrBelowDiscardTs() {
    assertEquals(List.of(KEEP, DROP, DROP),
        decide(retention(10, 1, false), v(3, PUT), v(2, PUT), v(1, PUT)));
    assertEquals(List.of(KEEP, KEEP, DROP),
        decide(retention(10, 2, false), v(3, PUT), v(2, PUT), v(1, PUT)));
    assertEquals(List.of(KEEP, KEEP, KEEP),
        decide(retention(10, Integer.MAX_VALUE, false), v(3, PUT), v(2, PUT), v(1, PUT)));
  }

  @Test
  void versionsAboveDiscardTsAreKeptAndNotCounted() {
    assertEquals(List.of(KEEP, KEEP, KEEP, DROP),
        decide(retention(3, 1, false), v(5, PUT), v(4, PUT), v(3, PUT), v(2, PUT)));
    assertEquals(List.of(KEEP, KEEP),
        decide(retention(0, 1, false), v(2, PUT), v(1, PUT)));
  }

  @Test
  void discardTsIsComparedUnsigned() {
    long aboveSignedMaximum = Long.MIN_VALUE; // 2^63
    assertEquals(List.of(KEEP, DROP),
        decide(retention(aboveSignedMaximum, 1, false), v(5, PUT), v(4, PUT)));
    assertEquals(List.of(KEEP, KEEP),
        decide(retention(5, 1, false), v(aboveSignedMaximum, PUT), v(4, PUT)),
        "version 2^63 is above discardTs 5, not below it");
  }

  @Test
  void aTombstoneEndsItsKeyAndIsKeptOnlyWhileDataMayExistBelow() {
    assertEquals(List.of(KEEP_STALE, DROP, DROP),
        decide(retention(10, 5, true), v(3, DELETE), v(2, PUT), v(1, PUT)));
    assertEquals(List.of(DROP, DROP, DROP),
        decide(retention(10, 5, false), v(3, DELETE), v(2, PUT), v(1, PUT)));
    assertEquals(List.of(KEEP_STALE, KEEP),
        decide(retention(2, 5, false), v(3, DELETE), v(2, PUT)),
        "a tombstone above discardTs is kept, as stale data, and ends nothing");
  }

  @Test
  void anExpiredVersionIsTreatedLikeATombstone() {
    assertEquals(List.of(KEEP, KEEP_STALE, DROP),
        decide(retention(10, 5, true), expiring(4, NOW + 1), expiring(3, NOW), v(2, PUT)));
    assertEquals(List.of(KEEP, DROP, DROP),
        decide(retention(10, 5, false), expiring(4, NOW + 1), expiring(3, NOW), v(2, PUT)));
  }

  @Test
  void theDiscardBitEndsItsKeyOnceAtOrBelowDiscardTs() {
    assertEquals(List.of(KEEP, KEEP, DROP),
        decide(retention(10, 5, false), v(3, PUT), v(2, DISCARD), v(1, PUT)));
    assertEquals(List.of(KEEP, KEEP, KEEP),
        decide(retention(1, 5, false), v(3, PUT), v(2, DISCARD), v(1, PUT)));
  }

  @Test
  void everyKeptVersionIsStaleWhenTheNewestHasTheDiscardBit() {
    assertEquals(List.of(KEEP_STALE, KEEP_STALE, KEEP_STALE),
        decide(retention(7, Integer.MAX_VALUE, false), v(10, DISCARD), v(9, PUT), v(4, DISCARD)));
  }

  @Test
  void mergeOperandsAreNotCountedButDroppedOnceTheKeyEnded() {
    assertEquals(List.of(KEEP, KEEP, KEEP, DROP),
        decide(retention(10, 1, false), v(6, MERGE), v(5, MERGE), v(4, PUT), v(3, PUT)));
    assertEquals(List.of(KEEP, DROP),
        decide(retention(10, 1, false), v(6, PUT), v(5, MERGE)));
    assertEquals(List.of(KEEP_STALE, DROP),
        decide(retention(10, 1, true), v(6, DELETE), v(5, MERGE)));
  }

  @Test
  void eachKeyStartsAfresh() {
    VersionRetention retention = retention(10, 1, false);
    assertEquals(List.of(KEEP_STALE, KEEP_STALE, DROP),
        decide(retention, v(12, DISCARD), v(9, PUT), v(8, PUT)));
    assertEquals(List.of(KEEP, DROP), decide(retention, v(5, PUT), v(4, PUT)),
        "neither the previous key's count, its end nor its discard bit carries over");
  }

  @Test
  void numVersionsToKeepMustBePositive() {
    assertThrows(IllegalArgumentException.class, () -> retention(10, 0, false));
  }
}
