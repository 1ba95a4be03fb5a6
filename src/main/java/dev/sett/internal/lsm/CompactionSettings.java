package dev.sett.internal.lsm;

/**
 * The options that drive the compaction policy, derived from the store's Options (reference §1.2.1:
 * Badger's defaults are 7, 10 MiB, 10, 2 MiB, 2, 64 MiB, 5, false).
 *
 * @param maxLevels number of levels, L0 to Lmax = maxLevels − 1
 * @param baseLevelSize size target of the base level; drives the dynamic level targets
 * @param levelSizeMultiplier size ratio between consecutive levels
 * @param baseTableSize target table size at and above the base level
 * @param tableSizeMultiplier table size ratio for each level below the base level
 * @param memTableSize memtable capacity, also the target size of L0 tables
 * @param numLevelZeroTables L0 table count at which the L0 score reaches 1
 * @param lmaxCompaction whether a max-level tick rewrites stale data of Lmax in place
 */
public record CompactionSettings(int maxLevels, long baseLevelSize, int levelSizeMultiplier,
    long baseTableSize, int tableSizeMultiplier, long memTableSize, int numLevelZeroTables,
    boolean lmaxCompaction) {

  /** Rejects values the policy cannot work with, naming the setting. */
  public CompactionSettings {
    requireAtLeast("maxLevels", maxLevels, 2);
    requireAtLeast("baseLevelSize", baseLevelSize, 1);
    requireAtLeast("levelSizeMultiplier", levelSizeMultiplier, 1);
    requireAtLeast("baseTableSize", baseTableSize, 1);
    requireAtLeast("tableSizeMultiplier", tableSizeMultiplier, 1);
    requireAtLeast("memTableSize", memTableSize, 1);
    requireAtLeast("numLevelZeroTables", numLevelZeroTables, 1);
  }

  /** The index of the last level. */
  public int maxLevel() {
    return maxLevels - 1;
  }

  private static void requireAtLeast(String name, long value, long minimum) {
    if (value < minimum) {
      throw new IllegalArgumentException(name + " must be at least " + minimum + ", got " + value);
    }
  }
}
