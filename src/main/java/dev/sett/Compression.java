package dev.sett;

/**
 * Block compression for new SSTables, chosen with {@link Options.Builder#compression}. Each block
 * records the algorithm it was written with, so changing the option never affects existing
 * tables; a store may hold blocks of every kind.
 *
 * <p>Badger's default, Snappy, is not offered: LZ4 compresses as fast with a similar ratio and is
 * Sett's default.
 */
public enum Compression {
  /** Blocks are stored as they are. */
  NONE,
  /** LZ4: fast compression and very fast decompression, a moderate ratio. The default. */
  LZ4,
  /**
   * Zstandard, at {@link Options#zstdLevel()}: a better ratio than LZ4 at a higher CPU cost,
   * mostly on writes (flushes and compactions).
   */
  ZSTD
}
