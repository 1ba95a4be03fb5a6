package dev.sett.internal.vlog;

import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValue;
import dev.sett.internal.key.ValueStruct;

/**
 * One record read back from a value log file: where it is, its internal key and its value, with
 * {@link ValueStruct#version()} taken from the key. The arrays are copies owned by the caller,
 * never views of a mapping, so they stay valid after the file is released.
 *
 * <p>Thread-safety: immutable as long as nobody modifies the arrays.
 *
 * @param pointer the record's pointer: file, offset and whole length
 * @param key the internal key
 * @param value the value and its attributes
 */
public record ValueLogRecord(ValuePointer pointer, byte[] key, ValueStruct value) {

  /** The key and value as one entry. */
  public KeyValue keyValue() {
    return new KeyValue(key, value);
  }

  @Override
  public String toString() {
    return "ValueLogRecord[" + pointer + ", " + InternalKey.toString(key) + "=" + value + "]";
  }
}
