package dev.sett.bench;

import java.util.SplittableRandom;

/**
 * The keys and values of DESIGN.md §5's standard workload, the same for every engine: key
 * {@code i} is 16 bytes of two 64-bit mixes of {@code i} (so writing i = 0, 1, 2, … is a fill in
 * random key order), absent keys come from a different mix, and value {@code i} is a slice of a
 * pool of random bytes (incompressible; different for each key).
 */
final class Workload {
  static final int KEY_SIZE = 16;
  private static final int POOL_SIZE = 8 << 20;
  private static final long PRESENT = 0x5e77_0000_0000_0001L;
  private static final long ABSENT = 0x0ab5_e47f_0000_0002L;

  final long keys;
  final int valueSize;
  private final byte[] pool;

  Workload(long keys, int valueSize) {
    this.keys = keys;
    this.valueSize = valueSize;
    this.pool = new byte[POOL_SIZE + valueSize];
    new SplittableRandom(42).nextBytes(pool);
  }

  long logicalBytes() {
    return keys * (KEY_SIZE + valueSize);
  }

  static byte[] key(long i) {
    return key(i, PRESENT);
  }

  static byte[] absentKey(long i) {
    return key(i, ABSENT);
  }

  private static byte[] key(long i, long salt) {
    byte[] key = new byte[KEY_SIZE];
    putLong(key, 0, mix(i ^ salt));
    putLong(key, 8, mix(i + salt));
    return key;
  }

  byte[] value(long i) {
    int offset = (int) Long.remainderUnsigned(mix(i * 31 + 7), POOL_SIZE);
    byte[] value = new byte[valueSize];
    System.arraycopy(pool, offset, value, 0, valueSize);
    return value;
  }

  /** The {@code size}-byte value of the {@code i}-th single-key write: another slice of the pool. */
  byte[] smallValue(long i, int size) {
    int offset = (int) Long.remainderUnsigned(mix(i * 17 + 3), POOL_SIZE);
    byte[] value = new byte[size];
    System.arraycopy(pool, offset, value, 0, Math.min(size, pool.length - offset));
    return value;
  }

  /** True when {@code value} is the value of key {@code i}. */
  boolean isValue(long i, byte[] value) {
    if (value == null || value.length != valueSize) {
      return false;
    }
    int offset = (int) Long.remainderUnsigned(mix(i * 31 + 7), POOL_SIZE);
    return java.util.Arrays.equals(value, 0, valueSize, pool, offset, offset + valueSize);
  }

  /** SplitMix64's finalizer. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  private static void putLong(byte[] dst, int offset, long value) {
    for (int i = 7; i >= 0; i--) {
      dst[offset + i] = (byte) value;
      value >>>= 8;
    }
  }
}
