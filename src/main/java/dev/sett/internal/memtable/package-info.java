/**
 * Layer 3: the in-memory write buffer: an arena-backed skiplist (one writer, lock-free readers, no
 * Java object per entry) and the write-ahead log that makes it durable, with its record format.
 */
package dev.sett.internal.memtable;
