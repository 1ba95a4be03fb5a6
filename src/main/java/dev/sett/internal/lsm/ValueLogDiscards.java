package dev.sett.internal.lsm;

import dev.sett.internal.key.ValueStruct;
import dev.sett.internal.vlog.ValuePointer;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The value log garbage one compaction finds: for every entry it drops whose value lives in the
 * value log, the whole record's length is added to that file's count. The counts go into the
 * compaction's MANIFEST change set, so they are exact and survive restarts (Badger's are kept in a
 * separate file that can disagree with the tables after a crash).
 *
 * <p>Thread-safety: safe for the concurrent sub-compactions of one run.
 */
final class ValueLogDiscards {
  private final Map<Long, LongAdder> bytesByFile = new ConcurrentHashMap<>();

  /** Counts {@code value} as garbage if it is a value pointer. */
  void dropped(ValueStruct value) {
    ValuePointer pointer = ValuePointer.of(value); // null for a malformed one: reads report it
    if (pointer != null && !pointer.isNone()) {
      bytesByFile.computeIfAbsent(pointer.fileId(), id -> new LongAdder()).add(pointer.length());
    }
  }

  /** Adds every count of {@code other}. */
  void addAll(ValueLogDiscards other) {
    other.bytesByFile.forEach((fileId, bytes) ->
        bytesByFile.computeIfAbsent(fileId, id -> new LongAdder()).add(bytes.sum()));
  }

  /** Garbage bytes by value log file id, in id order. */
  Map<Long, Long> snapshot() {
    Map<Long, Long> result = new TreeMap<>();
    bytesByFile.forEach((fileId, bytes) -> result.put(fileId, bytes.sum()));
    return result;
  }
}
