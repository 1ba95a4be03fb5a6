package dev.sett;

/**
 * One level of the LSM tree as {@link DB#levels()} reports it: its contents, its targets and the
 * compaction scores computed from them.
 *
 * @param level the level number, 0 for the level that memtables flush to
 * @param numTables how many tables the level holds
 * @param size the bytes of those tables on disk
 * @param targetSize the size the level should not exceed (dynamic, derived from the last level's
 *     size; see {@link Options#baseLevelSize()})
 * @param targetFileSize the size compaction aims at for the tables it writes to this level
 * @param isBaseLevel whether level 0 compacts into this level
 * @param score how far the level is over its target: for level 0 its table count divided by
 *     {@link Options#numLevelZeroTables()}, for the others {@code (size - staleDataSize) /
 *     targetSize}; at 1 or more the level is due for compaction
 * @param adjustedScore the score divided by that of the level below when that one is over its
 *     target too (PebbleDB's adjustment): the order in which due levels are compacted, so that
 *     an over-full lower level is compacted before the level above pushes more into it
 * @param staleDataSize bytes of deleted, expired or overwritten versions the level's tables hold
 */
public record LevelInfo(
    int level,
    int numTables,
    long size,
    long targetSize,
    long targetFileSize,
    boolean isBaseLevel,
    double score,
    double adjustedScore,
    long staleDataSize) {}
