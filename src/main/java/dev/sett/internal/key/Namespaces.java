package dev.sett.internal.key;

import java.util.Arrays;
import java.util.Collection;

/**
 * The namespaces of a store and which of them are banned. With offset {@code n} (option
 * {@code namespaceOffset}), the 8 bytes of a user key from offset {@code n}, read big-endian, are
 * its namespace; a key shorter than {@code n + 8} bytes belongs to no namespace and is never
 * banned. (Badger requires the key to be strictly longer than {@code n + 8}; here a key of exactly
 * {@code n + 8} bytes has a namespace too.) With offset -1 no key has a namespace.
 *
 * <p>Reads (gets, iterators, streams, backups) skip banned keys, writes into a banned namespace
 * are refused, and compactions leave banned keys out of their output. The set only grows; the
 * MANIFEST records every ban, and {@link #ban} is called after the record is durable.
 *
 * <p>Thread-safety: safe for concurrent use. The banned set is copy-on-write: a lookup reads one
 * volatile array and allocates nothing.
 */
public final class Namespaces {
  private static final Namespaces NONE = new Namespaces(-1, java.util.List.of());

  private final int offset;
  /** Sorted (signed order: only membership matters); replaced whole on every ban. */
  private volatile long[] banned;

  /** Namespaces at {@code offset} (-1: none) with {@code banned} already banned. */
  public Namespaces(int offset, Collection<Long> banned) {
    if (offset < -1) {
      throw new IllegalArgumentException("namespace offset must be -1 or more: " + offset);
    }
    this.offset = offset;
    this.banned = banned.stream().mapToLong(Long::longValue).sorted().distinct().toArray();
  }

  /** A store without namespaces: nothing is ever banned. */
  public static Namespaces none() {
    return NONE;
  }

  /** Whether keys have namespaces at all ({@code namespaceOffset} is not -1). */
  public boolean enabled() {
    return offset >= 0;
  }

  /** The offset of the namespace in a user key; -1 when namespaces are off. */
  public int offset() {
    return offset;
  }

  /** Adds {@code namespace} to the banned set; from the return on, every lookup sees it. */
  public synchronized void ban(long namespace) {
    if (!enabled()) {
      throw new IllegalStateException("namespaces are off (namespaceOffset is -1)");
    }
    long[] current = banned;
    if (Arrays.binarySearch(current, namespace) >= 0) {
      return;
    }
    long[] next = Arrays.copyOf(current, current.length + 1);
    next[current.length] = namespace;
    Arrays.sort(next);
    banned = next;
  }

  /** Whether {@code namespace} is banned. */
  public boolean isBanned(long namespace) {
    return Arrays.binarySearch(banned, namespace) >= 0;
  }

  /** The banned namespaces, in unsigned order. */
  public long[] banned() {
    long[] copy = banned.clone();
    for (int i = 0; i < copy.length; i++) {
      copy[i] ^= Long.MIN_VALUE;
    }
    Arrays.sort(copy);
    for (int i = 0; i < copy.length; i++) {
      copy[i] ^= Long.MIN_VALUE;
    }
    return copy;
  }

  /** Whether a user key of {@code userKeyLength} bytes has a namespace. */
  public boolean hasNamespace(int userKeyLength) {
    return offset >= 0 && userKeyLength >= offset + Long.BYTES;
  }

  /** The namespace of {@code key}, a user or internal key for which {@link #hasNamespace} holds. */
  public long namespaceOf(byte[] key) {
    long namespace = 0;
    for (int i = offset; i < offset + Long.BYTES; i++) {
      namespace = namespace << 8 | (key[i] & 0xFF);
    }
    return namespace;
  }

  /** The banned namespace {@code userKey} lies in, or null when it lies in none. */
  public Long bannedNamespaceOf(byte[] userKey) {
    if (!hasNamespace(userKey.length) || banned.length == 0) {
      return null;
    }
    long namespace = namespaceOf(userKey);
    return isBanned(namespace) ? namespace : null;
  }

  /** Whether {@code userKey} lies in a banned namespace. */
  public boolean isBannedUserKey(byte[] userKey) {
    return banned.length != 0 && hasNamespace(userKey.length) && isBanned(namespaceOf(userKey));
  }

  /** Whether the user key of {@code internalKey} (user key + version suffix) is banned. */
  public boolean isBannedInternalKey(byte[] internalKey) {
    if (banned.length == 0
        || !hasNamespace(internalKey.length - InternalKey.SUFFIX_LENGTH)) {
      return false;
    }
    return isBanned(namespaceOf(internalKey));
  }

  /**
   * Whether every internal key from {@code smallest} to {@code biggest} is banned: both user keys
   * have a namespace and agree on their first {@code offset + 8} bytes, so every key between them
   * shares those bytes, and the namespace there is banned.
   */
  public boolean coversRange(byte[] smallest, byte[] biggest) {
    if (banned.length == 0
        || !hasNamespace(smallest.length - InternalKey.SUFFIX_LENGTH)
        || !hasNamespace(biggest.length - InternalKey.SUFFIX_LENGTH)) {
      return false;
    }
    int end = offset + Long.BYTES;
    return Arrays.equals(smallest, 0, end, biggest, 0, end) && isBanned(namespaceOf(smallest));
  }

  @Override
  public String toString() {
    return offset < 0 ? "Namespaces[off]"
        : "Namespaces[offset=" + offset + ", banned=" + banned.length + "]";
  }
}
