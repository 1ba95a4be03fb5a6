/**
 * Layer 2: internal keys (user key + 8-byte version suffix) and their ordering, entry meta bits,
 * and the key-value pair and iterator shapes the storage structures exchange.
 */
package dev.sett.internal.key;
