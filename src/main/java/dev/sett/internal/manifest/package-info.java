/**
 * Layer 3: the MANIFEST, the log of changes to the set of tables and value log files, in protobuf
 * records framed with length and CRC32C; replaying it gives the store's file state at open.
 */
package dev.sett.internal.manifest;
