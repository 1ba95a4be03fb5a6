/**
 * Layer 3: the SSTable format: building tables, reading them from mappings, blocks, the index,
 * bloom filters, the footer and properties, and the block cache for decompressed blocks.
 */
package dev.sett.internal.sstable;
