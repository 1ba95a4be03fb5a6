package dev.sett.internal.key;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Internal keys: the user key followed by an 8-byte version suffix, big-endian
 * {@code 2^64 - 1 - version}. Internal keys order by user key (unsigned bytes) and then by version
 * <em>descending</em>, so the newest version of a key comes first and a seek to
 * {@code of(key, readTs)} lands on the newest version visible at {@code readTs}.
 *
 * <p>The user-key parts are compared on their own before the suffixes: {@code "a"+ts} sorts before
 * {@code "aa"+ts} whatever the versions. See docs/format/sstable.md.
 */
public final class InternalKey {
  /** Length of the version suffix. */
  public static final int SUFFIX_LENGTH = 8;

  /** The largest version: {@code of(key, MAX_VERSION)} is the smallest internal key for a user key. */
  public static final long MAX_VERSION = -1L;

  private InternalKey() {
  }

  /** {@code userKey || BE64(~version)}. */
  public static byte[] of(byte[] userKey, long version) {
    byte[] key = Arrays.copyOf(userKey, userKey.length + SUFFIX_LENGTH);
    writeSuffix(key, userKey.length, version);
    return key;
  }

  public static void writeSuffix(byte[] dst, int offset, long version) {
    long inverted = ~version;
    for (int i = 7; i >= 0; i--) {
      dst[offset + i] = (byte) inverted;
      inverted >>>= 8;
    }
  }

  /** The version of an internal key. */
  public static long version(byte[] key) {
    return version(key, 0, key.length);
  }

  public static long version(byte[] key, int offset, int length) {
    long inverted = 0;
    int start = offset + length - SUFFIX_LENGTH;
    for (int i = 0; i < SUFFIX_LENGTH; i++) {
      inverted = (inverted << 8) | (key[start + i] & 0xFF);
    }
    return ~inverted;
  }

  /** The version of the internal key at {@code key[offset, offset+length)}, buffer order ignored. */
  public static long version(ByteBuffer key, int offset, int length) {
    long inverted = 0;
    int start = offset + length - SUFFIX_LENGTH;
    for (int i = 0; i < SUFFIX_LENGTH; i++) {
      inverted = (inverted << 8) | (key.get(start + i) & 0xFF);
    }
    return ~inverted;
  }

  /** The user-key part of an internal key, copied. */
  public static byte[] userKey(byte[] key) {
    return Arrays.copyOf(key, key.length - SUFFIX_LENGTH);
  }

  public static int userKeyLength(byte[] key) {
    return key.length - SUFFIX_LENGTH;
  }

  /** Compares two internal keys: user keys ascending, then versions descending. */
  public static int compare(byte[] a, byte[] b) {
    return compare(a, 0, a.length, b, 0, b.length);
  }

  public static int compare(byte[] a, int aOffset, int aLength, byte[] b, int bOffset, int bLength) {
    int aUser = aLength - SUFFIX_LENGTH;
    int bUser = bLength - SUFFIX_LENGTH;
    int c = Arrays.compareUnsigned(a, aOffset, aOffset + aUser, b, bOffset, bOffset + bUser);
    if (c != 0) {
      return c;
    }
    return Arrays.compareUnsigned(a, aOffset + aUser, aOffset + aLength,
        b, bOffset + bUser, bOffset + bLength);
  }

  /** Whether two internal keys have the same user key. */
  public static boolean sameUserKey(byte[] a, byte[] b) {
    return Arrays.equals(a, 0, a.length - SUFFIX_LENGTH, b, 0, b.length - SUFFIX_LENGTH);
  }

  /** Whether internal key {@code internalKey} belongs to user key {@code userKey}. */
  public static boolean hasUserKey(byte[] internalKey, byte[] userKey) {
    return internalKey.length - SUFFIX_LENGTH == userKey.length
        && Arrays.equals(internalKey, 0, userKey.length, userKey, 0, userKey.length);
  }

  /** Compares the user-key parts only. */
  public static int compareUserKeys(byte[] a, byte[] b) {
    return Arrays.compareUnsigned(a, 0, a.length - SUFFIX_LENGTH, b, 0, b.length - SUFFIX_LENGTH);
  }

  /** Compares the user-key part of {@code internalKey} with the plain user key {@code userKey}. */
  public static int compareUserKey(byte[] internalKey, byte[] userKey) {
    return Arrays.compareUnsigned(internalKey, 0, internalKey.length - SUFFIX_LENGTH,
        userKey, 0, userKey.length);
  }

  /** Whether the user key of internal key {@code key} starts with {@code prefix}. */
  public static boolean userKeyHasPrefix(byte[] key, byte[] prefix) {
    return key.length - SUFFIX_LENGTH >= prefix.length
        && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }

  /** Debug text: printable user key and version. */
  public static String toString(byte[] key) {
    if (key == null) {
      return "null";
    }
    if (key.length < SUFFIX_LENGTH) {
      return "<short key " + Arrays.toString(key) + ">";
    }
    return printable(key, key.length - SUFFIX_LENGTH) + "@" + Long.toUnsignedString(version(key));
  }

  static String printable(byte[] bytes, int length) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < length; i++) {
      int b = bytes[i] & 0xFF;
      if (b >= 0x20 && b < 0x7F && b != '\\') {
        out.append((char) b);
      } else {
        out.append(String.format("\\x%02x", b));
      }
    }
    return out.toString();
  }
}
