package dev.sett.internal.db;

import dev.sett.internal.key.Meta;
import dev.sett.internal.key.ValueStruct;

/** A write a transaction buffers until commit: the user key and what to store under it. */
record PendingWrite(byte[] key, byte[] value, byte meta, byte userMeta, long expiresAt) {

  boolean isDelete() {
    return (meta & Meta.DELETE) != 0;
  }

  ValueStruct toValue(long version) {
    return new ValueStruct(meta, userMeta, expiresAt, version, value);
  }

  /**
   * The bytes the write adds to the memtable: key, version suffix, value and record overhead. A
   * value of {@code valueThreshold} bytes or more goes to the value log, so only its 12-byte
   * pointer counts (as in Badger).
   */
  long estimatedSize(int valueThreshold) {
    boolean separated = !isDelete() && value.length >= valueThreshold;
    return key.length + 8L + (separated ? 12 : value.length) + 12;
  }
}
