package dev.sett.internal.sstable;

import dev.sett.internal.codec.Crc32c;
import dev.sett.internal.codec.LittleEndian;
import dev.sett.internal.fs.CorruptFileException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import net.jpountz.xxhash.XXHash64;
import net.jpountz.xxhash.XXHashFactory;

/**
 * The table's bloom filter over user keys (versions excluded), read in place from the mapping.
 *
 * <pre>
 * bloom region = nBits u32 | k u8 | bits[ceil(nBits / 8)] | crc32c u32
 * </pre>
 *
 * Sizing is the textbook optimum for a false-positive rate p: {@code bitsPerKey = -ln p / (ln 2)^2}
 * and {@code k = round(bitsPerKey * ln 2)} probes, clamped to [1, 30]. (Badger uses the optimal
 * <em>probe count</em> as bits per key and gets about 3.6% when asked for 1%; reference §13.20.)
 *
 * <p>Probes use double hashing on xxHash64 (seed 0) of the user key: with {@code h1} its low and
 * {@code h2} its high 32 bits (both unsigned), probe i sets bit {@code (h1 + i * h2) mod nBits},
 * stored in byte {@code bit / 8} at mask {@code 1 << (bit % 8)}.
 *
 * <p>Thread-safety: immutable; absolute reads only.
 */
final class BloomFilter {
  /** The filter of a table written with false-positive rate 0: it cannot rule anything out. */
  static final BloomFilter ABSENT = new BloomFilter(null, 0, 1, 0);

  static final int MIN_BITS = 64;
  static final int MAX_PROBES = 30;
  private static final int HEADER_SIZE = Integer.BYTES + 1;
  private static final double LN2 = Math.log(2);

  /** Stateless and thread-safe; the pure-Java variant hashes short keys without a JNI call. */
  private static final XXHash64 XXHASH = XXHashFactory.safeInstance().hash64();

  private final ByteBuffer buffer;
  private final int bitsStart;
  private final long bitCount;
  private final int probes;

  private BloomFilter(ByteBuffer buffer, int bitsStart, long bitCount, int probes) {
    this.buffer = buffer;
    this.bitsStart = bitsStart;
    this.bitCount = bitCount;
    this.probes = probes;
  }

  /** Verifies the region's checksum and shape; a zero-length region means no filter. */
  static BloomFilter read(ByteBuffer buffer, int offset, int length, Path file)
      throws CorruptFileException {
    return read(buffer, offset, length, offset, file);
  }

  /**
   * As {@link #read(ByteBuffer, int, int, Path)}, for a region at {@code offset} of {@code buffer}
   * that sits at {@code fileOffset} in the table file (a copy of the region on the heap).
   */
  static BloomFilter read(ByteBuffer buffer, int offset, int length, long fileOffset, Path file)
      throws CorruptFileException {
    if (length == 0) {
      return ABSENT;
    }
    int body = length - TableFormat.REGION_CHECKSUM_SIZE;
    if (body < HEADER_SIZE || Crc32c.of(buffer, offset, body) != buffer.getInt(offset + body)) {
      throw new CorruptFileException(file, fileOffset, "bloom filter checksum mismatch");
    }
    long bitCount = Integer.toUnsignedLong(buffer.getInt(offset));
    int probes = buffer.get(offset + Integer.BYTES) & 0xFF;
    if (bitCount < MIN_BITS || probes < 1 || probes > MAX_PROBES
        || HEADER_SIZE + byteCount(bitCount) != body) {
      throw new CorruptFileException(file, fileOffset, "bloom filter of " + bitCount + " bits and "
          + probes + " probes does not fit its " + length + " bytes");
    }
    return new BloomFilter(buffer, offset + HEADER_SIZE, bitCount, probes);
  }

  /** False when {@code userKey} is certainly not in the table. */
  boolean mayContain(byte[] userKey) {
    return buffer == null || mayContain(hash(userKey, 0, userKey.length));
  }

  /**
   * As {@link #mayContain(byte[])}, given the key's {@link #hash}. Probe i is bit
   * {@code (h1 + i * h2) mod nBits}; since {@code h1 + i * h2} cannot overflow (both are below
   * 2^32 and i below 31) it equals {@code (h1 mod n + i * (h2 mod n)) mod n}, so the probes step
   * by {@code h2 mod n} with one conditional subtraction instead of a 64-bit division each.
   */
  boolean mayContain(long hash) {
    if (buffer == null) {
      return true;
    }
    long bit = (hash & 0xFFFFFFFFL) % bitCount;
    long step = (hash >>> 32) % bitCount;
    for (int i = 0; i < probes; i++) {
      if ((buffer.get(bitsStart + (int) (bit >>> 3)) & (1 << (bit & 7))) == 0) {
        return false;
      }
      bit += step;
      if (bit >= bitCount) {
        bit -= bitCount;
      }
    }
    return true;
  }

  /** Bytes of the region (0 without a filter). */
  static long regionSize(long distinctKeys, double falsePositive) {
    if (falsePositive == 0) {
      return 0;
    }
    return HEADER_SIZE + byteCount(bitCount(distinctKeys, falsePositive))
        + TableFormat.REGION_CHECKSUM_SIZE;
  }

  static double bitsPerKey(double falsePositive) {
    return -Math.log(falsePositive) / (LN2 * LN2);
  }

  static int probes(double falsePositive) {
    long probes = Math.round(bitsPerKey(falsePositive) * LN2);
    return (int) Math.max(1, Math.min(MAX_PROBES, probes));
  }

  static long bitCount(long distinctKeys, double falsePositive) {
    return Math.max(MIN_BITS, (long) Math.ceil(distinctKeys * bitsPerKey(falsePositive)));
  }

  /** The filter's hash; it is part of the format: never change the function or the seed. */
  static long hash(byte[] key, int offset, int length) {
    return XXHASH.hash(key, offset, length, 0L);
  }

  /**
   * Encodes the region for the given user-key hashes (one per distinct user key), checksum
   * included; an empty array when {@code falsePositive} is 0.
   */
  static byte[] encode(long[] hashes, int count, double falsePositive) {
    if (falsePositive == 0) {
      return new byte[0];
    }
    long bitCount = bitCount(count, falsePositive);
    if (bitCount > 0xFFFFFFFFL) {
      throw new IllegalStateException("bloom filter of " + bitCount + " bits exceeds the u32 limit");
    }
    int probes = probes(falsePositive);
    byte[] region = new byte[(int) regionSize(count, falsePositive)];
    LittleEndian.putInt(region, 0, (int) bitCount);
    region[Integer.BYTES] = (byte) probes;
    for (int k = 0; k < count; k++) {
      long h1 = hashes[k] & 0xFFFFFFFFL;
      long h2 = hashes[k] >>> 32;
      for (int i = 0; i < probes; i++) {
        long bit = (h1 + i * h2) % bitCount;
        region[HEADER_SIZE + (int) (bit >>> 3)] |= (byte) (1 << (bit & 7));
      }
    }
    int body = region.length - TableFormat.REGION_CHECKSUM_SIZE;
    LittleEndian.putInt(region, body, Crc32c.of(region, 0, body));
    return region;
  }

  private static long byteCount(long bitCount) {
    return (bitCount + 7) >>> 3;
  }
}
