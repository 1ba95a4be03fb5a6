/**
 * Layer 5: the store itself. Wires the layers below into the API: opening and recovery, the write
 * pipeline and write gate, memtable flushing, transactions, write batches, iterators, value
 * resolution and separation, value log garbage collection, and sticky background errors.
 */
package dev.sett.internal.db;
