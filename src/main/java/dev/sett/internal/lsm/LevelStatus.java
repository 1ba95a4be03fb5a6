package dev.sett.internal.lsm;

/** One level as introspection shows it: its size, its targets and its compaction scores. */
public record LevelStatus(int level, int numTables, long size, long targetSize, long targetFileSize,
    boolean isBaseLevel, double score, double adjustedScore, long staleDataSize) {
}
