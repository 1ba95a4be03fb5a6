package dev.sett.internal.codec;

import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;

/** 64-bit xxHash of a byte string with seed 0: key fingerprints for conflict detection. */
public final class KeyHash {
  private static final XXHash64 HASH = XXHashFactory.safeInstance().hash64();

  private KeyHash() {
  }

  public static long of(byte[] bytes) {
    return HASH.hash(bytes, 0, bytes.length, 0L);
  }
}
