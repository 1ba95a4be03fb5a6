/**
 * Layer 3: iterator combinators over sorted sources, the merge of memtables and tables first.
 */
package dev.sett.internal.iter;
