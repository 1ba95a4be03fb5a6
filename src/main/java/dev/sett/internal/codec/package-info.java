/**
 * Layer 1: byte-level codecs every format shares: varints, CRC32C, block compression (LZ4, ZSTD)
 * and key hashing for bloom filters.
 */
package dev.sett.internal.codec;
