package dev.sett.internal.memtable;

/**
 * A blocked bloom filter over the user keys of one memtable, so that a point lookup skips a
 * memtable that certainly does not hold the key with one cache-line probe instead of a skiplist
 * search (a dozen or more dependent cache misses). Every lookup used to search every memtable,
 * even when the key lived in a table.
 *
 * <p><b>Shape.</b> {@code long[]} words grouped in blocks of 512 bits (8 words, about one cache
 * line); a key sets {@value #PROBES} bits of one block. The block comes from the high 32 bits of
 * the key's 64-bit hash, the bits from a remix of the whole hash, 9 bits each. Sized for
 * {@value #BITS_PER_ENTRY} bits per entry of the smallest entry a memtable can hold
 * ({@value #MIN_ENTRY_BYTES} arena bytes), so it cannot be overfilled: about 2 % of
 * {@code memTableSize}, capped at {@value #MAX_BYTES} bytes. Real entries are larger, so the
 * false-positive rate is typically well under 1 %. It lives only in memory and is rebuilt on WAL
 * replay; it is not a file format.
 *
 * <p><b>Hash.</b> The caller's 64-bit hash of the user key ({@code KeyHash.of}, xxHash64 seed 0):
 * the same hash the SSTable bloom filters use, so a lookup hashes the key once for all memtables
 * and tables.
 *
 * <p><b>Thread-safety.</b> One writer ({@link #add}, called by the memtable's writer before the
 * entry is inserted into the skiplist) and any number of readers, without locks: bits are only
 * ever set, with plain stores. A reader sees a bit for every entry whose write happened-before its
 * read: in a normal store the read timestamp comes from a volatile read of the oracle's applied
 * timestamp, which the writer stores after inserting; a reader racing an unacknowledged write may
 * miss it, as it may miss it in the skiplist.
 */
final class MemtableFilter {
  static final int PROBES = 6;
  static final int BITS_PER_ENTRY = 10;
  static final int MIN_ENTRY_BYTES = 64;
  static final int MAX_BYTES = 64 << 20;
  private static final int WORDS_PER_BLOCK = 8;
  private static final int MIN_BLOCKS = 8;

  private final long[] words;
  private final int blockCount;

  /** A filter for a memtable of at most {@code memTableSize} arena bytes. */
  static MemtableFilter forMemtableSize(long memTableSize) {
    long entries = Math.max(1, memTableSize / MIN_ENTRY_BYTES);
    long bits = Math.min(entries * BITS_PER_ENTRY, MAX_BYTES * 8L);
    return new MemtableFilter((int) Math.max(MIN_BLOCKS, bits / (WORDS_PER_BLOCK * Long.SIZE)));
  }

  MemtableFilter(int blockCount) {
    if (blockCount < 1) {
      throw new IllegalArgumentException("a memtable filter needs at least one block, got " + blockCount);
    }
    this.blockCount = blockCount;
    this.words = new long[blockCount * WORDS_PER_BLOCK];
  }

  /** Records the key with this hash. Writer thread only. */
  void add(long hash) {
    int base = blockBase(hash);
    long bits = remix(hash);
    for (int i = 0; i < PROBES; i++) {
      int bit = (int) (bits >>> (9 * i)) & 511;
      words[base + (bit >>> 6)] |= 1L << bit;
    }
  }

  /** False when no key with this hash was added. Any thread. */
  boolean mayContain(long hash) {
    int base = blockBase(hash);
    long bits = remix(hash);
    for (int i = 0; i < PROBES; i++) {
      int bit = (int) (bits >>> (9 * i)) & 511;
      if ((words[base + (bit >>> 6)] & (1L << bit)) == 0) {
        return false;
      }
    }
    return true;
  }

  /** Heap bytes of the bit array. */
  long sizeInBytes() {
    return (long) words.length * Long.BYTES;
  }

  private int blockBase(long hash) {
    return (int) (((hash >>> 32) * blockCount) >>> 32) * WORDS_PER_BLOCK;
  }

  /** A bijective remix, so the probe bits do not repeat the bits that chose the block. */
  private static long remix(long hash) {
    long h = hash * 0x9E3779B97F4A7C15L;
    return h ^ (h >>> 29);
  }
}
