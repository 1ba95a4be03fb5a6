package dev.sett.internal.db;

import dev.sett.CorruptionException;
import dev.sett.SettException;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.Meta;
import dev.sett.internal.key.ValueStruct;
import dev.sett.internal.vlog.ValueLog;
import dev.sett.internal.vlog.ValueLogFormat;
import dev.sett.internal.vlog.ValuePointer;
import java.io.IOException;
import java.util.Arrays;

/**
 * Turns an LSM entry whose value lives in the value log into the value itself.
 *
 * <p>Reads take no lock and register nowhere: value log GC may delete a file between a lookup
 * that found a pointer into it and the read. GC deletes a file only after the values still needed
 * from it were rewritten (same key and version, new pointer) and that rewrite is visible, so a
 * read that finds the file gone looks the exact version up again and follows the new pointer. A
 * file that is gone with no new pointer to follow is reported, never turned into an empty value
 * (Badger's §13.1): as corruption if the store never deleted it, otherwise as a value that was
 * collected because no reader could still need it (an old version that an all-versions iterator
 * met after a newer version below the discard timestamp replaced it).
 *
 * <p>Thread-safety: safe for concurrent use.
 */
final class ValueResolver {
  /** Follows at most this many moves of one value during one read. */
  private static final int MAX_MOVES = 8;

  /** Looks up the exact version again; see {@link TxnContext#lookup}. */
  @FunctionalInterface
  interface Lookup {
    ValueStruct lookup(byte[] userKey, long readTs);
  }

  private final ValueLog valueLog;
  private final Lookup lookup;

  /** {@code valueLog} may be null: a store without a value log has no pointers to resolve. */
  ValueResolver(ValueLog valueLog, Lookup lookup) {
    this.valueLog = valueLog;
    this.lookup = lookup;
  }

  /** Whether {@code value} is a value pointer rather than the value. */
  static boolean isPointer(ValueStruct value) {
    return (value.meta() & Meta.VALUE_POINTER) != 0;
  }

  /**
   * The length of the value that {@code value} stands for, without reading it: a pointer's record
   * length determines it exactly.
   */
  int valueLength(byte[] userKey, ValueStruct value) {
    if (!isPointer(value)) {
      return value.value().length;
    }
    ValuePointer pointer = pointer(userKey, value);
    // An encrypted store's records carry an IV the value does not count.
    int overhead = valueLog == null ? 0 : valueLog.recordOverhead();
    long length = ValueLogFormat.valueLength(pointer.length() - overhead,
        userKey.length + InternalKey.SUFFIX_LENGTH, value.expiresAt());
    if (length < 0 || length > Integer.MAX_VALUE) {
      throw new CorruptionException("the value pointer of key " + printable(userKey)
          + " at version " + value.version() + " has a length (" + pointer.length()
          + ") no record of it can have", null, 0, null);
    }
    return (int) length;
  }

  /** The value {@code value} stands for: itself, or the value read through its pointer. */
  ValueStruct resolve(byte[] userKey, ValueStruct value) {
    if (!isPointer(value)) {
      return value;
    }
    ValueStruct current = value;
    for (int move = 0; ; move++) {
      ValuePointer pointer = pointer(userKey, current);
      byte[] read;
      try {
        // One copy, from the file into the value array; the key and the CRC checked on the way.
        read = valueLog == null ? null : valueLog.readValue(pointer, userKey, current.version());
      } catch (IOException e) {
        throw Errors.convert(e);
      }
      if (read != null) {
        return new ValueStruct((byte) (current.meta() & ~Meta.VALUE_POINTER), current.userMeta(),
            current.expiresAt(), current.version(), read);
      }
      ValueStruct moved = lookup.lookup(userKey, current.version());
      if (moved == null || moved.version() != current.version()
          || (isPointer(moved) && Arrays.equals(moved.value(), current.value()))
          || move == MAX_MOVES) {
        throw missing(userKey, current, pointer);
      }
      if (!isPointer(moved)) {
        return moved;
      }
      current = moved;
    }
  }

  private SettException missing(byte[] userKey, ValueStruct entry, ValuePointer pointer) {
    if (valueLog != null && valueLog.wasDeleted(pointer.fileId())) {
      return new SettException("the value of key " + printable(userKey) + " at version "
          + entry.version() + " is no longer available: value log file " + pointer.fileId()
          + " was garbage-collected after a newer version below the discard timestamp replaced"
          + " this one");
    }
    return new CorruptionException("the value of key " + printable(userKey) + " at version "
        + entry.version() + " points into value log file " + pointer.fileId()
        + ", which is missing", valueLog == null ? null : valueLog.path(pointer.fileId()),
        pointer.offset(), null);
  }

  private static ValuePointer pointer(byte[] userKey, ValueStruct value) {
    ValuePointer pointer = ValuePointer.of(value);
    if (pointer == null) {
      throw new CorruptionException("the value pointer of key " + printable(userKey)
          + " at version " + value.version() + " has " + value.value().length + " bytes, not "
          + ValuePointer.ENCODED_LENGTH, null, 0, null);
    }
    return pointer;
  }

  private static String printable(byte[] userKey) {
    return InternalKey.toString(InternalKey.of(userKey, 0)).replaceAll("@0$", "");
  }
}
