package dev.sett.internal.vlog;

import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.ValueStruct;

/**
 * Whether a value log record is still needed, decided from what the LSM tree holds for its key: a
 * pure classification behind a small lookup, so every case can be tested with a table.
 *
 * <p>A record of key {@code k} at version {@code v} is
 * <ul>
 *   <li>{@link #DEAD} when the tree no longer holds {@code (k, v)} pointing at this very record,
 *       or when a newer version of {@code k} at or below the discard timestamp supersedes it (no
 *       reader can see it: every open transaction reads at or above that timestamp);
 *   <li>{@link #LIVE} when {@code (k, v)} is the newest version of {@code k} and points here;
 *   <li>{@link #PINNED} otherwise: an older version that a reader at an old snapshot may still
 *       read (above the discard timestamp, or kept by {@code numVersionsToKeep > 1}).
 * </ul>
 */
public enum GcLiveness {
  DEAD, LIVE, PINNED;

  /** The LSM tree's answer for a user key: its newest version at or below {@code readTs}. */
  public interface VersionLookup {
    ValueStruct lookup(byte[] userKey, long readTs);
  }

  /** Classifies the record of {@code internalKey} stored at {@code pointer}. */
  public static GcLiveness classify(VersionLookup tree, byte[] internalKey, ValuePointer pointer,
      long discardTs, int numVersionsToKeep) {
    byte[] userKey = InternalKey.userKey(internalKey);
    long version = InternalKey.version(internalKey);
    ValueStruct newest = tree.lookup(userKey, InternalKey.MAX_VERSION);
    if (newest == null) {
      return DEAD;
    }
    int order = Long.compareUnsigned(newest.version(), version);
    if (order == 0) {
      return pointsAt(newest, pointer) ? LIVE : DEAD;
    }
    if (order < 0) {
      return DEAD; // (k, v) and everything above it were dropped
    }
    ValueStruct exact = tree.lookup(userKey, version);
    if (exact == null || exact.version() != version || !pointsAt(exact, pointer)) {
      return DEAD;
    }
    if (numVersionsToKeep > 1) {
      return PINNED;
    }
    if (Long.compareUnsigned(version, discardTs) > 0) {
      return PINNED; // a reader between v and the next version may need it
    }
    ValueStruct atDiscard = tree.lookup(userKey, discardTs);
    return atDiscard != null && Long.compareUnsigned(atDiscard.version(), version) > 0
        ? DEAD : PINNED;
  }

  private static boolean pointsAt(ValueStruct entry, ValuePointer pointer) {
    return pointer.equals(ValuePointer.of(entry));
  }
}
