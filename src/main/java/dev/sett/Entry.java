package dev.sett;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * A key and value to write, with the optional details of the write: a time to live or an expiry
 * time, a user-meta byte, and whether earlier versions of the key may be discarded. Written with
 * {@code Txn.setEntry} or {@code WriteBatch.setEntry}.
 *
 * <pre>{@code
 * txn.setEntry(Entry.of(key, value).withTtl(Duration.ofMinutes(5)).withUserMeta((byte) 1));
 * }</pre>
 *
 * <p>Immutable: each {@code with} method returns a new entry. {@link #of} copies the key and the
 * value, so the caller may reuse its arrays at once (Badger instead keeps the caller's slices until
 * the transaction ends). The sizes of key and value are checked when the entry is written, not
 * here.
 */
public final class Entry {
  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private final byte[] key;
  private final byte[] value;
  private final byte userMeta;
  private final long expiresAt;
  private final Duration ttl;
  private final boolean discardEarlierVersions;

  private Entry(
      byte[] key,
      byte[] value,
      byte userMeta,
      long expiresAt,
      Duration ttl,
      boolean discardEarlierVersions) {
    this.key = key;
    this.value = value;
    this.userMeta = userMeta;
    this.expiresAt = expiresAt;
    this.ttl = ttl;
    this.discardEarlierVersions = discardEarlierVersions;
  }

  /**
   * An entry that writes {@code value} under {@code key}, never expires, has user meta 0, and
   * keeps earlier versions. Both arrays are copied.
   *
   * @param key the key, not null
   * @param value the value, not null; may be empty
   * @return the entry
   * @throws NullPointerException if {@code key} or {@code value} is null
   */
  public static Entry of(byte[] key, byte[] value) {
    Objects.requireNonNull(key, "key must not be null");
    Objects.requireNonNull(value, "value must not be null");
    return new Entry(key.clone(), value.clone(), (byte) 0, 0, null, false);
  }

  /**
   * This entry, expiring {@code ttl} after it is written: at commit its expiry time becomes the
   * DB's {@link Options#clock()} time plus {@code ttl}, rounded up to a whole second, so the entry
   * lives at least {@code ttl}. Replaces an expiry time set by {@link #withExpiresAt}.
   *
   * @param ttl the time to live, positive
   * @return a new entry with this time to live
   * @throws IllegalArgumentException if {@code ttl} is zero or negative
   * @throws NullPointerException if {@code ttl} is null
   */
  public Entry withTtl(Duration ttl) {
    Objects.requireNonNull(ttl, "ttl must not be null");
    if (ttl.isZero() || ttl.isNegative()) {
      throw new IllegalArgumentException("ttl must be positive, was " + ttl);
    }
    return new Entry(key, value, userMeta, 0, ttl, discardEarlierVersions);
  }

  /**
   * This entry, expiring at a fixed time: once the DB's {@link Options#clock()} reaches
   * {@code unixSeconds}, reads treat the key as absent. 0 means never. Replaces a time to live set
   * by {@link #withTtl}.
   *
   * @param unixSeconds seconds since the Unix epoch, or 0 for never
   * @return a new entry with this expiry time
   * @throws IllegalArgumentException if {@code unixSeconds} is negative
   */
  public Entry withExpiresAt(long unixSeconds) {
    if (unixSeconds < 0) {
      throw new IllegalArgumentException("expiresAt must be at least 0, was " + unixSeconds);
    }
    return new Entry(key, value, userMeta, unixSeconds, null, discardEarlierVersions);
  }

  /**
   * This entry with a byte of application data stored beside the value and returned by
   * {@code Item.userMeta()} (Badger's {@code WithMeta}).
   *
   * @param userMeta any byte; 0 by default
   * @return a new entry with this user meta
   */
  public Entry withUserMeta(byte userMeta) {
    return new Entry(key, value, userMeta, expiresAt, ttl, discardEarlierVersions);
  }

  /**
   * This entry, marked so that compaction may drop every earlier version of its key once no
   * transaction can read them any more (below the discard timestamp), whatever
   * {@link Options#numVersionsToKeep()} says. Badger's {@code WithDiscard}.
   *
   * @return a new entry with the mark
   */
  public Entry withDiscardEarlierVersions() {
    return new Entry(key, value, userMeta, expiresAt, ttl, true);
  }

  /**
   * The key. The array is the entry's own (a copy of the one given to {@link #of}); do not modify
   * it.
   *
   * @return the key
   */
  public byte[] key() {
    return key;
  }

  /**
   * The value. The array is the entry's own (a copy of the one given to {@link #of}); do not
   * modify it.
   *
   * @return the value, possibly empty
   */
  public byte[] value() {
    return value;
  }

  /**
   * The byte of application data stored with the value. Default 0.
   *
   * @return the user meta
   */
  public byte userMeta() {
    return userMeta;
  }

  /**
   * The fixed expiry time set by {@link #withExpiresAt}. 0 (the default) means either that the
   * entry never expires or that it has a {@link #ttl()} instead.
   *
   * @return seconds since the Unix epoch, or 0
   */
  public long expiresAt() {
    return expiresAt;
  }

  /**
   * The time to live set by {@link #withTtl}. Default null: none.
   *
   * @return the time to live, or null
   */
  public Duration ttl() {
    return ttl;
  }

  /**
   * The expiry time this entry gets when written at {@code writeTime}: with a {@link #ttl()},
   * {@code writeTime + ttl} rounded up to a whole second (at least 1, since 0 means never), or
   * {@link Long#MAX_VALUE} past the range of {@code long}; otherwise {@link #expiresAt()}.
   *
   * @param writeTime the time of the write, from {@link Options#clock()}
   * @return seconds since the Unix epoch, or 0 for never
   */
  public long expiresAt(Instant writeTime) {
    if (ttl == null) {
      return expiresAt;
    }
    long nanos = (long) writeTime.getNano() + ttl.getNano();
    long base = writeTime.getEpochSecond() + nanos / NANOS_PER_SECOND
        + (nanos % NANOS_PER_SECOND == 0 ? 0 : 1);
    if (base > 0 && ttl.getSeconds() > Long.MAX_VALUE - base) {
      return Long.MAX_VALUE;
    }
    return Math.max(1, base + ttl.getSeconds());
  }

  /**
   * Whether compaction may drop the earlier versions of this entry's key. Default false.
   *
   * @return true once {@link #withDiscardEarlierVersions()} was called
   */
  public boolean discardEarlierVersions() {
    return discardEarlierVersions;
  }

  /** Entries are equal when their keys, values and every detail are equal. */
  @Override
  public boolean equals(Object other) {
    return other instanceof Entry that
        && Arrays.equals(key, that.key)
        && Arrays.equals(value, that.value)
        && userMeta == that.userMeta
        && expiresAt == that.expiresAt
        && Objects.equals(ttl, that.ttl)
        && discardEarlierVersions == that.discardEarlierVersions;
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(key) + Arrays.hashCode(value);
  }

  /** The key in printable form, the value's length and the details that are set. */
  @Override
  public String toString() {
    StringBuilder text = new StringBuilder("Entry[key=").append(PrintableBytes.of(key))
        .append(", value=").append(value.length).append(" bytes");
    if (userMeta != 0) {
      text.append(", userMeta=").append(userMeta);
    }
    if (ttl != null) {
      text.append(", ttl=").append(ttl);
    }
    if (expiresAt != 0) {
      text.append(", expiresAt=").append(expiresAt);
    }
    if (discardEarlierVersions) {
      text.append(", discardEarlierVersions");
    }
    return text.append(']').toString();
  }
}
