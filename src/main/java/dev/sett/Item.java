package dev.sett;

/**
 * One version of one key, as returned by {@link Txn#get} and {@link DbIterator#item()}. The arrays
 * it returns are copies the caller owns.
 */
public interface Item {

  byte[] key();

  /** The value (empty for a tombstone). */
  byte[] value();

  /** The version: the commit timestamp that wrote it. */
  long version();

  /** Expiry in unix seconds; 0 = never. */
  long expiresAt();

  byte userMeta();

  /** A tombstone, or expired. Only {@link IteratorOptions#allVersions()} iterators return those. */
  boolean isDeletedOrExpired();

  /** Whether this version was written with {@link Entry#withDiscardEarlierVersions()}. */
  boolean discardEarlierVersions();

  /** Approximate bytes the version takes in the store: key plus value. */
  long estimatedSize();

  /** The value's length in bytes. */
  int valueSize();
}
