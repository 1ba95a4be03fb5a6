/**
 * Layer 3: the backup stream in Badger's format: frames of a little-endian u64 length and a
 * protobuf {@code KVList} ({@code docs/format/backup.md}), written and read with damage reported
 * at the byte offset of the frame. Knows nothing of the store: {@code internal.db} feeds it.
 */
package dev.sett.internal.backup;
