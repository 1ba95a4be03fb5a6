package dev.sett.internal.backup;

/**
 * The constants of the backup stream (docs/format/backup.md): Badger's framing, a little-endian
 * u64 payload length followed by one protobuf {@code KVList}, repeated until the end of the
 * stream. There is no header and no checksum: the format is Badger's, byte for byte, so that
 * backups move between Sett and Badger in both directions.
 */
public final class BackupFormat {
  /** Bytes of a frame's length prefix. */
  public static final int LENGTH_BYTES = 8;
  /**
   * The largest payload a reader accepts: a Java array's limit. Badger's frames are a few MiB;
   * a larger length is damage (or a value no store can hold).
   */
  public static final long MAX_PAYLOAD = Integer.MAX_VALUE - 64;

  /** Meta bit: a tombstone (Badger's bitDelete). */
  public static final byte META_DELETE = 0x01;
  /** Meta bit: the value lived in Badger's value log (bitValuePointer); meaningless in a backup. */
  public static final byte META_VALUE_POINTER = 0x02;
  /** Meta bit: older versions may be discarded (bitDiscardEarlierVersions). */
  public static final byte META_DISCARD_EARLIER_VERSIONS = 0x04;
  /** Meta bit: a merge-operator operand (bitMergeEntry). */
  public static final byte META_MERGE_ENTRY = 0x08;
  /** The meta bits a backup carries between stores; the others are a store's own business. */
  public static final byte PORTABLE_META =
      META_DELETE | META_DISCARD_EARLIER_VERSIONS | META_MERGE_ENTRY;

  private BackupFormat() {
  }
}
