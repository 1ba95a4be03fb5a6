package dev.sett;

import java.util.Arrays;

/**
 * One SSTable as {@link DB#tables()} reports it. The keys are user keys (without Sett's version
 * suffix); the arrays are copied in and out, so a {@code TableInfo} is immutable.
 *
 * @param id the table's id, which names its file
 * @param level the level holding the table
 * @param smallestKey the smallest user key in the table
 * @param biggestKey the biggest user key in the table
 * @param keyCount how many versions (of all keys) the table holds
 * @param onDiskSize the table file's size in bytes
 * @param staleDataSize bytes of deleted, expired or overwritten versions in the table
 * @param maxVersion the highest version in the table
 * @param uncompressedSize bytes of the table's blocks before compression
 * @param indexSize bytes of the table's index
 * @param bloomFilterSize bytes of the table's bloom filter
 */
public record TableInfo(
    long id,
    int level,
    byte[] smallestKey,
    byte[] biggestKey,
    long keyCount,
    long onDiskSize,
    long staleDataSize,
    long maxVersion,
    long uncompressedSize,
    long indexSize,
    long bloomFilterSize) {

  /**
   * Copies the keys.
   *
   * @param id the table's id
   * @param level the level holding the table
   * @param smallestKey the smallest user key, not null; copied
   * @param biggestKey the biggest user key, not null; copied
   * @param keyCount how many versions the table holds
   * @param onDiskSize the file's size in bytes
   * @param staleDataSize bytes of stale versions
   * @param maxVersion the highest version
   * @param uncompressedSize bytes of the blocks before compression
   * @param indexSize bytes of the index
   * @param bloomFilterSize bytes of the bloom filter
   * @throws NullPointerException if a key is null
   */
  public TableInfo {
    smallestKey = smallestKey.clone();
    biggestKey = biggestKey.clone();
  }

  /** {@return a copy of the smallest user key in the table} */
  @Override
  public byte[] smallestKey() {
    return smallestKey.clone();
  }

  /** {@return a copy of the biggest user key in the table} */
  @Override
  public byte[] biggestKey() {
    return biggestKey.clone();
  }

  /** Equal when every component is, the keys compared by content. */
  @Override
  public boolean equals(Object other) {
    return other instanceof TableInfo that
        && id == that.id
        && level == that.level
        && Arrays.equals(smallestKey, that.smallestKey)
        && Arrays.equals(biggestKey, that.biggestKey)
        && keyCount == that.keyCount
        && onDiskSize == that.onDiskSize
        && staleDataSize == that.staleDataSize
        && maxVersion == that.maxVersion
        && uncompressedSize == that.uncompressedSize
        && indexSize == that.indexSize
        && bloomFilterSize == that.bloomFilterSize;
  }

  @Override
  public int hashCode() {
    int hash = Long.hashCode(id);
    hash = 31 * hash + level;
    hash = 31 * hash + Arrays.hashCode(smallestKey);
    hash = 31 * hash + Arrays.hashCode(biggestKey);
    hash = 31 * hash + Long.hashCode(keyCount);
    hash = 31 * hash + Long.hashCode(onDiskSize);
    hash = 31 * hash + Long.hashCode(staleDataSize);
    hash = 31 * hash + Long.hashCode(maxVersion);
    hash = 31 * hash + Long.hashCode(uncompressedSize);
    hash = 31 * hash + Long.hashCode(indexSize);
    return 31 * hash + Long.hashCode(bloomFilterSize);
  }

  /** Every component, the keys in printable form. */
  @Override
  public String toString() {
    return "TableInfo[id=" + id
        + ", level=" + level
        + ", smallestKey=" + PrintableBytes.of(smallestKey)
        + ", biggestKey=" + PrintableBytes.of(biggestKey)
        + ", keyCount=" + keyCount
        + ", onDiskSize=" + onDiskSize
        + ", staleDataSize=" + staleDataSize
        + ", maxVersion=" + maxVersion
        + ", uncompressedSize=" + uncompressedSize
        + ", indexSize=" + indexSize
        + ", bloomFilterSize=" + bloomFilterSize
        + "]";
  }
}
