package dev.sett.internal.lsm;

import dev.sett.internal.key.InternalKey;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A range of user keys covering all their versions (reference §7.1): {@code [left, right]}, both
 * inclusive, or <em>infinite</em> (every key, registered by L0→L0), or <em>empty</em> (no key).
 * User keys compare as unsigned bytes, with the version suffix already stripped, so {@code "a"}
 * sorts before {@code "aa"} whatever the versions of the internal keys they came from.
 *
 * <p>{@link #overlaps} keeps Badger's asymmetry: an empty range overlaps everything, and nothing
 * non-empty overlaps an empty range. The compaction status asks
 * {@code inFlight.overlaps(candidate)}, so a candidate without keys never collides, and the first
 * table of an L0 run always joins the (initially empty) accumulated range.
 *
 * <p>Immutable; the key arrays are copied in and out.
 */
public final class KeyRange {
  private static final KeyRange EMPTY = new KeyRange(null, null, false);
  private static final KeyRange INFINITE = new KeyRange(null, null, true);

  /** Null when empty or infinite. */
  private final byte[] left;
  private final byte[] right;
  private final boolean infinite;

  private KeyRange(byte[] left, byte[] right, boolean infinite) {
    this.left = left;
    this.right = right;
    this.infinite = infinite;
  }

  /** The keys from {@code leftUserKey} to {@code rightUserKey}, both inclusive, all versions. */
  public static KeyRange of(byte[] leftUserKey, byte[] rightUserKey) {
    if (Arrays.compareUnsigned(leftUserKey, rightUserKey) > 0) {
      throw new IllegalArgumentException("left key " + printable(leftUserKey)
          + " is after right key " + printable(rightUserKey));
    }
    return new KeyRange(leftUserKey.clone(), rightUserKey.clone(), false);
  }

  /** Every key; overlaps everything but the empty range. */
  public static KeyRange infinite() {
    return INFINITE;
  }

  /** No key. */
  public static KeyRange empty() {
    return EMPTY;
  }

  /** The user keys of one table, from its smallest to its biggest internal key. */
  public static KeyRange of(TableSummary table) {
    return new KeyRange(InternalKey.userKey(table.smallestKey()),
        InternalKey.userKey(table.biggestKey()), false);
  }

  /** The smallest range holding every key of {@code tables}; empty for no tables. */
  public static KeyRange covering(List<TableSummary> tables) {
    byte[] smallest = null;
    byte[] biggest = null;
    for (TableSummary table : tables) {
      if (smallest == null || InternalKey.compareUserKeys(table.smallestKey(), smallest) < 0) {
        smallest = table.smallestKey();
      }
      if (biggest == null || InternalKey.compareUserKeys(table.biggestKey(), biggest) > 0) {
        biggest = table.biggestKey();
      }
    }
    if (smallest == null) {
      return EMPTY;
    }
    return new KeyRange(InternalKey.userKey(smallest), InternalKey.userKey(biggest), false);
  }

  /**
   * Whether the two ranges share a key, as Badger's {@code overlapsWith}: true if this range is
   * empty; otherwise false if {@code other} is empty; true if either is infinite; else whether the
   * intervals intersect (touching ends count).
   */
  public boolean overlaps(KeyRange other) {
    if (isEmpty()) {
      return true;
    }
    if (other.isEmpty()) {
      return false;
    }
    if (infinite || other.infinite) {
      return true;
    }
    return Arrays.compareUnsigned(left, other.right) <= 0
        && Arrays.compareUnsigned(right, other.left) >= 0;
  }

  /** The smallest range holding both; an empty side adds nothing, an infinite side wins. */
  public KeyRange extend(KeyRange other) {
    if (other.isEmpty()) {
      return this;
    }
    if (isEmpty()) {
      return other;
    }
    if (infinite || other.infinite) {
      return INFINITE;
    }
    byte[] newLeft = Arrays.compareUnsigned(other.left, left) < 0 ? other.left : left;
    byte[] newRight = Arrays.compareUnsigned(other.right, right) > 0 ? other.right : right;
    return new KeyRange(newLeft, newRight, false);
  }

  /**
   * Whether a key starting with {@code prefix} may fall in this range, judged from the bounds
   * alone: the prefix's keys {@code [prefix, prefix+1)} intersect {@code [left, right]}.
   */
  public boolean mayContainPrefix(byte[] prefix) {
    if (isEmpty()) {
      return false;
    }
    if (infinite) {
      return true;
    }
    return Arrays.compareUnsigned(right, prefix) >= 0
        && (Arrays.compareUnsigned(left, prefix) <= 0 || startsWith(left, prefix));
  }

  /** Whether this is the range of every key. */
  public boolean isInfinite() {
    return infinite;
  }

  /** Whether this range holds no key. */
  public boolean isEmpty() {
    return !infinite && left == null;
  }

  /** The first user key, copied; only for a bounded range. */
  public byte[] left() {
    requireBounded();
    return left.clone();
  }

  /** The last user key (all its versions included), copied; only for a bounded range. */
  public byte[] right() {
    requireBounded();
    return right.clone();
  }

  private void requireBounded() {
    if (left == null) {
      throw new IllegalStateException("the " + this + " range has no bounds");
    }
  }

  private static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0,
        prefix.length);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyRange other && infinite == other.infinite
        && Arrays.equals(left, other.left) && Arrays.equals(right, other.right);
  }

  @Override
  public int hashCode() {
    return Objects.hash(infinite, Arrays.hashCode(left), Arrays.hashCode(right));
  }

  /** {@code [left, right]}, {@code infinite} or {@code empty}. */
  @Override
  public String toString() {
    if (infinite) {
      return "infinite";
    }
    if (left == null) {
      return "empty";
    }
    return "[" + printable(left) + ", " + printable(right) + "]";
  }

  /** A user key as text: printable ASCII as is, other bytes as {@code \xNN}. */
  static String printable(byte[] key) {
    StringBuilder out = new StringBuilder();
    for (byte b : key) {
      int unsigned = b & 0xFF;
      if (unsigned >= 0x20 && unsigned < 0x7F && unsigned != '\\') {
        out.append((char) unsigned);
      } else {
        out.append(String.format("\\x%02x", unsigned));
      }
    }
    return out.toString();
  }
}
