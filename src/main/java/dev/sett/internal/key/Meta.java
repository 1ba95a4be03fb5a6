package dev.sett.internal.key;

/**
 * Bits of the per-version meta byte. Never renumber: they are stored in WALs and SSTables.
 */
public final class Meta {
  /** A tombstone. */
  public static final byte DELETE = 0x01;
  /** The value is a pointer into the value log (issue 4). */
  public static final byte VALUE_POINTER = 0x02;
  /** Older versions of the key may be dropped once this one is at or below the discard timestamp. */
  public static final byte DISCARD_EARLIER_VERSIONS = 0x04;
  /** A merge-operator operand. */
  public static final byte MERGE_ENTRY = 0x08;

  private Meta() {
  }
}
