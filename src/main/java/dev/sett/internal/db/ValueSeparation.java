package dev.sett.internal.db;

import dev.sett.internal.key.KeyValue;
import dev.sett.internal.key.Meta;
import dev.sett.internal.key.ValueStruct;
import dev.sett.internal.vlog.ValueLog;
import dev.sett.internal.vlog.ValuePointer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Key-value separation on the write path: the values of a transaction that reach the {@link
 * ValueThreshold} are appended to the value log (one record each, the transaction's records
 * together in one file), and the entries that go on to the WAL and memtable carry 12-byte value
 * pointers instead, marked {@link Meta#VALUE_POINTER}. Tombstones never go to the value log.
 *
 * <p>Thread-safety: writer thread only.
 */
final class ValueSeparation {
  private final ValueLog valueLog;
  private final ValueThreshold threshold;

  /** {@code valueLog} null: every value stays in the LSM tree (an in-memory store). */
  ValueSeparation(ValueLog valueLog, ValueThreshold threshold) {
    this.valueLog = valueLog;
    this.threshold = threshold;
  }

  /** The value log, or null. */
  ValueLog valueLog() {
    return valueLog;
  }

  ValueThreshold threshold() {
    return threshold;
  }

  /**
   * Moves the large values of one transaction to the value log; returns the entries to write to
   * the WAL and memtable (the same list when nothing moved).
   */
  List<KeyValue> separate(List<KeyValue> entries) throws IOException {
    if (valueLog == null) {
      return entries;
    }
    int limit = threshold.current();
    List<KeyValue> toLog = null;
    boolean[] moved = null;
    for (int i = 0; i < entries.size(); i++) {
      ValueStruct value = entries.get(i).value();
      threshold.observe(value.value().length);
      if (belongsInValueLog(value, limit)) {
        if (toLog == null) {
          toLog = new ArrayList<>();
          moved = new boolean[entries.size()];
        }
        toLog.add(entries.get(i));
        moved[i] = true;
      }
    }
    if (toLog == null) {
      return entries;
    }
    List<ValuePointer> pointers = valueLog.append(toLog);
    List<KeyValue> result = new ArrayList<>(entries.size());
    int next = 0;
    for (int i = 0; i < entries.size(); i++) {
      KeyValue entry = entries.get(i);
      result.add(moved[i] ? withPointer(entry, pointers.get(next++)) : entry);
    }
    return result;
  }

  private static boolean belongsInValueLog(ValueStruct value, int limit) {
    return (value.meta() & (Meta.DELETE | Meta.VALUE_POINTER)) == 0
        && value.value().length >= limit;
  }

  /** {@code entry} with its value replaced by {@code pointer}. */
  static KeyValue withPointer(KeyValue entry, ValuePointer pointer) {
    ValueStruct value = entry.value();
    return new KeyValue(entry.key(), new ValueStruct((byte) (value.meta() | Meta.VALUE_POINTER),
        value.userMeta(), value.expiresAt(), value.version(), pointer.encode()));
  }
}
