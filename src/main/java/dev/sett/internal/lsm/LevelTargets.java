package dev.sett.internal.lsm;

import java.util.Arrays;

/**
 * The dynamic targets of every level (reference §7.2): the base level L0 compacts into, the size
 * each level should hold and the size of the tables written to it. Indexed by level, 0 to
 * maxLevels − 1; {@code targetSize[0]} is 0 because L0 is scored by table count, and
 * {@code fileSize[0]} is the memtable size.
 *
 * <p>Immutable: the arrays are copied in and out.
 */
public record LevelTargets(int baseLevel, long[] targetSize, long[] fileSize) {

  /** Copies the arrays and checks they cover the same levels and that the base level is one. */
  public LevelTargets {
    targetSize = targetSize.clone();
    fileSize = fileSize.clone();
    if (targetSize.length != fileSize.length || targetSize.length < 2) {
      throw new IllegalArgumentException("need one target and one file size per level, got "
          + targetSize.length + " and " + fileSize.length);
    }
    if (baseLevel < 1 || baseLevel >= targetSize.length) {
      throw new IllegalArgumentException("base level " + baseLevel + " is not in 1.."
          + (targetSize.length - 1));
    }
  }

  /** Size targets per level, copied. */
  @Override
  public long[] targetSize() {
    return targetSize.clone();
  }

  /** Table size targets per level, copied. */
  @Override
  public long[] fileSize() {
    return fileSize.clone();
  }

  /** The size target of {@code level}. */
  public long targetSize(int level) {
    return targetSize[level];
  }

  /** The table size target of {@code level}. */
  public long fileSize(int level) {
    return fileSize[level];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LevelTargets other && baseLevel == other.baseLevel
        && Arrays.equals(targetSize, other.targetSize) && Arrays.equals(fileSize, other.fileSize);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * baseLevel + Arrays.hashCode(targetSize)) + Arrays.hashCode(fileSize);
  }

  @Override
  public String toString() {
    return "base=L" + baseLevel + " targetSize=" + Arrays.toString(targetSize) + " fileSize="
        + Arrays.toString(fileSize);
  }
}
