package dev.sett;

import java.util.Arrays;
import java.util.Objects;

/**
 * One version of one key, as streams ({@code Stream.send}), subscriptions ({@link DB#subscribe})
 * and the stream writer ({@code StreamWriter.write}) carry it; the record of Badger's
 * {@code pb.KV}.
 *
 * <p>The arrays are not copied: KVs travel in large batches, and copying every key and value
 * would double the cost of a backup or a stream. Whoever makes a KV hands its arrays over, and
 * whoever receives one must not modify them.
 *
 * @param key the user key, not null
 * @param value the value; empty for a deletion (null is taken as empty)
 * @param userMeta the byte of application data written with the value
 * @param version the commit timestamp of this version
 * @param expiresAt when this version expires, in seconds since the Unix epoch; 0 for never
 * @param deleted whether this version is a deletion (a tombstone)
 */
public record KV(
    byte[] key, byte[] value, byte userMeta, long version, long expiresAt, boolean deleted) {
  private static final byte[] EMPTY = new byte[0];

  /**
   * Checks the key and takes a null value as empty. The arrays are not copied.
   *
   * @param key the user key, not null
   * @param value the value; null is taken as empty
   * @param userMeta the byte of application data
   * @param version the commit timestamp
   * @param expiresAt the expiry in seconds since the Unix epoch, or 0 for never
   * @param deleted whether this version is a deletion
   * @throws NullPointerException if {@code key} is null
   */
  public KV {
    Objects.requireNonNull(key, "key must not be null");
    value = value == null ? EMPTY : value;
  }

  /** Equal when every component is, key and value compared by content. */
  @Override
  public boolean equals(Object other) {
    return other instanceof KV that
        && Arrays.equals(key, that.key)
        && Arrays.equals(value, that.value)
        && userMeta == that.userMeta
        && version == that.version
        && expiresAt == that.expiresAt
        && deleted == that.deleted;
  }

  @Override
  public int hashCode() {
    int hash = Arrays.hashCode(key);
    hash = 31 * hash + Arrays.hashCode(value);
    hash = 31 * hash + userMeta;
    hash = 31 * hash + Long.hashCode(version);
    hash = 31 * hash + Long.hashCode(expiresAt);
    return 31 * hash + Boolean.hashCode(deleted);
  }

  /** Every component, the key in printable form and the value as its length. */
  @Override
  public String toString() {
    return "KV[key=" + PrintableBytes.of(key)
        + ", value=" + value.length + " bytes"
        + ", userMeta=" + userMeta
        + ", version=" + version
        + ", expiresAt=" + expiresAt
        + ", deleted=" + deleted
        + "]";
  }
}
