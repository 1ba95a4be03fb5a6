package dev.sett;

/**
 * The bytes a store occupies on disk, as {@link DB#size()} returns them: exact and current, not
 * an estimate refreshed now and then.
 *
 * @param lsmBytes bytes of the LSM tree: SSTables (and the write-ahead logs of memtables)
 * @param vlogBytes bytes of the value log files
 */
public record DbSize(long lsmBytes, long vlogBytes) {

  /**
   * Checks the sizes.
   *
   * @param lsmBytes bytes of the LSM tree, at least 0
   * @param vlogBytes bytes of the value log files, at least 0
   * @throws IllegalArgumentException if a size is negative
   */
  public DbSize {
    if (lsmBytes < 0 || vlogBytes < 0) {
      throw new IllegalArgumentException(
          "sizes must be at least 0, were lsmBytes=" + lsmBytes + ", vlogBytes=" + vlogBytes);
    }
  }

  /** {@return the whole size in bytes: {@code lsmBytes + vlogBytes}} */
  public long totalBytes() {
    return lsmBytes + vlogBytes;
  }
}
