package dev.sett.internal.key;

import dev.sett.internal.codec.Varint;

/**
 * The bytes the write-ahead log and the value log both write for an entry before its value:
 * {@code meta u8 | userMeta u8 | expiresAt uvarint | keyLength uvarint | key}
 * ({@code docs/format/wal.md}, {@code docs/format/value-log.md}).
 */
public final class EntryHead {
  private EntryHead() {}

  /** How many bytes {@link #write} writes for {@code entry}. */
  public static long length(KeyValue entry) {
    int keyLength = entry.key().length;
    return 2L + Varint.length(entry.value().expiresAt()) + Varint.length(keyLength) + keyLength;
  }

  /** Writes the head of {@code entry} at {@code destination[at]}; returns the offset after it. */
  public static int write(KeyValue entry, byte[] destination, int at) {
    byte[] key = entry.key();
    ValueStruct value = entry.value();
    int position = at;
    destination[position++] = value.meta();
    destination[position++] = value.userMeta();
    position = Varint.write(destination, position, value.expiresAt());
    position = Varint.write(destination, position, key.length);
    System.arraycopy(key, 0, destination, position, key.length);
    return position + key.length;
  }
}
