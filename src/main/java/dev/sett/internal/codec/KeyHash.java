package dev.sett.internal.codec;

import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;

/**
 * 64-bit xxHash of a byte string with seed 0: key fingerprints for conflict detection, and the hash
 * every bloom filter probes (the SSTable filters, whose format fixes this function, and the
 * memtable filters), so a point lookup hashes its key once.
 */
public final class KeyHash {
  private static final XXHash64 HASH = XXHashFactory.safeInstance().hash64();

  private KeyHash() {
  }

  public static long of(byte[] bytes) {
    return HASH.hash(bytes, 0, bytes.length, 0L);
  }

  /** The hash of {@code bytes[offset, offset+length)}: equal to {@code of} of a copy of the range. */
  public static long of(byte[] bytes, int offset, int length) {
    return HASH.hash(bytes, offset, length, 0L);
  }
}
