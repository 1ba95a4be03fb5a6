package dev.sett.internal.sstable;

/**
 * A table's block index and bloom filter: what a lookup needs before it reads a block, and the unit
 * that the {@link IndexCache} holds.
 *
 * @param index the block index
 * @param bloom the bloom filter ({@link BloomFilter#ABSENT} when the table has none)
 * @param sizeBytes bytes of the two regions
 */
record TableIndexes(TableIndex index, BloomFilter bloom, long sizeBytes) {
}
