package dev.sett.internal.sstable;

import dev.sett.internal.codec.CompressionType;
import java.util.Objects;

/**
 * How tables are written and read; derived from the DB options.
 *
 * @param blockSize target uncompressed size of a data block in bytes; a block holding a single
 *     large entry may exceed it
 * @param bloomFalsePositive the bloom filter's false-positive rate, in [0, 1); 0 writes no filter
 * @param compression how blocks are compressed when writing (a table's own setting is used when
 *     reading)
 * @param zstdLevel the ZSTD level when {@code compression} is ZSTD
 * @param verifyBlocksOnOpen verify every block's checksum when a table is opened
 * @param verifyBlocksOnRead verify a block's checksum the first time it is read from an open table
 *     (compressed blocks are always verified before they are decompressed)
 */
public record TableOptions(int blockSize, double bloomFalsePositive, CompressionType compression,
    int zstdLevel, boolean verifyBlocksOnOpen, boolean verifyBlocksOnRead) {

  public static final int DEFAULT_BLOCK_SIZE = 4096;
  public static final double DEFAULT_BLOOM_FALSE_POSITIVE = 0.01;
  public static final int DEFAULT_ZSTD_LEVEL = 1;

  /** ZSTD's supported range: negative "fast" levels down to -131072, up to 22. */
  private static final int MIN_ZSTD_LEVEL = -(1 << 17);
  private static final int MAX_ZSTD_LEVEL = 22;

  public TableOptions {
    if (blockSize <= 0) {
      throw new IllegalArgumentException("blockSize must be positive: " + blockSize);
    }
    if (!(bloomFalsePositive >= 0 && bloomFalsePositive < 1)) {
      throw new IllegalArgumentException("bloomFalsePositive must be in [0, 1): "
          + bloomFalsePositive);
    }
    Objects.requireNonNull(compression, "compression");
    if (zstdLevel < MIN_ZSTD_LEVEL || zstdLevel > MAX_ZSTD_LEVEL) {
      throw new IllegalArgumentException("zstdLevel must be in [" + MIN_ZSTD_LEVEL + ", "
          + MAX_ZSTD_LEVEL + "]: " + zstdLevel);
    }
  }

  /** 4 KiB blocks, a 1% bloom filter, no compression, blocks verified on first read. */
  public static TableOptions defaults() {
    return new TableOptions(DEFAULT_BLOCK_SIZE, DEFAULT_BLOOM_FALSE_POSITIVE, CompressionType.NONE,
        DEFAULT_ZSTD_LEVEL, false, true);
  }
}
