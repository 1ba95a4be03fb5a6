package dev.sett;

/**
 * When the CRC32C checksums of SSTable blocks are verified, chosen with
 * {@link Options.Builder#checksumVerification}. These are Badger's modes.
 *
 * <p>Sett's default is {@link #ON_BLOCK_READ}, where Badger's is {@link #NONE}: Sett never
 * returns corrupt data, so a block is verified the first time it is read (a block taken from the
 * block cache was verified when it was loaded). A damaged block then surfaces as
 * {@link CorruptionException} naming the table file and the block's offset.
 */
public enum ChecksumVerification {
  /**
   * Blocks are never verified on read; damage may be returned as data. Only
   * {@link DB#verifyChecksum()} checks them. Choose it only when the storage below verifies data
   * itself.
   */
  NONE,
  /**
   * Every block of a table is verified when the table is opened: reads are then free of checks,
   * but opening a large store reads all of it.
   */
  ON_TABLE_READ,
  /** Each block is verified when it is read. The default. */
  ON_BLOCK_READ,
  /** Both: every block at table open, and each block again when it is read. */
  ON_TABLE_AND_BLOCK_READ
}
