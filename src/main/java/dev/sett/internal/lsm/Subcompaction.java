package dev.sett.internal.lsm;

import dev.sett.internal.iter.MergeIterator;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValue;
import dev.sett.internal.key.KeyValueIterator;
import dev.sett.internal.key.ValueStruct;
import dev.sett.internal.sstable.Table;
import dev.sett.internal.sstable.TableBuilder;
import dev.sett.internal.vlog.ValueLogRecord;
import dev.sett.internal.vlog.ValuePointer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Merges the inputs of one {@link SplitRange} into output tables (reference §7.6 step 4): walks
 * the merged inputs in key order, lets {@link VersionRetention} decide each version's fate, and
 * hands every finished table to a {@link TableSink}. A table is finished only where a new user
 * key starts, so all versions of a key land in one table: when the table has reached the target
 * size, or when the {@link OverlapGuard} says it spans too much of the level below the target.
 *
 * <p>Thread-safety: not thread-safe; each split runs its own instance on one thread. The input
 * tables may be read by other sub-compactions at the same time.
 */
final class Subcompaction {

  /** Receives each finished, non-empty table builder: writes and syncs it. */
  @FunctionalInterface
  interface TableSink {
    void write(TableBuilder finished) throws IOException;
  }

  /** What one sub-compaction did. */
  record Counts(long entriesRead, long entriesWritten) {
  }

  private final SplitRange range;
  private final List<Table> top;
  private final List<Table> bottom;
  private final BuilderFactory newBuilder;
  private final long targetFileSize;
  private final VersionRetention retention;
  private final DropPrefixes dropPrefixes;
  private final OverlapGuard overlapGuard;
  private final TableSink sink;
  private final ValueLogDiscards discards;
  /** Moves scattered values into key order ({@link ValueRelocation}); null when not asked to. */
  private final ValueRelocation.Split relocating;
  /**
   * Kept entries not yet in {@link #builder}, in order, while {@link #relocating}: those whose
   * values move get their new pointers when the batch is appended.
   */
  private final List<Pending> pending = new ArrayList<>();
  private final List<KeyValue> toMove = new ArrayList<>();
  private long pendingBytes;

  /** A kept entry on its way to the builder; {@code moved} is the record to write again, or null. */
  private record Pending(byte[] key, ValueStruct value, boolean stale, ValueLogRecord moved) {
  }

  private TableBuilder builder;
  /** The first key that started in the current output table, or null. */
  private byte[] tableFirstKey;
  private int tableDistinctKeys;
  private long entriesRead;
  private long entriesWritten;

  /**
   * @param top the newer inputs, newest source first, each read on its own
   * @param bottom sorted, non-overlapping tables of the target level, read as one source after
   *     {@code top}; tables a drop prefix covers entirely must already be left out
   */
  /** Makes the builder of each output table (sealed under the current data key, if any). */
  interface BuilderFactory {
    TableBuilder get() throws IOException;
  }

  Subcompaction(SplitRange range, List<Table> top, List<Table> bottom, BuilderFactory newBuilder,
      long targetFileSize, VersionRetention retention, DropPrefixes dropPrefixes,
      OverlapGuard overlapGuard, TableSink sink, ValueLogDiscards discards) {
    this(range, top, bottom, newBuilder, targetFileSize, retention, dropPrefixes, overlapGuard,
        sink, discards, null);
  }

  /** As above; with {@code relocating}, scattered values are moved into key order. */
  Subcompaction(SplitRange range, List<Table> top, List<Table> bottom, BuilderFactory newBuilder,
      long targetFileSize, VersionRetention retention, DropPrefixes dropPrefixes,
      OverlapGuard overlapGuard, TableSink sink, ValueLogDiscards discards,
      ValueRelocation.Split relocating) {
    this.relocating = relocating;
    this.range = range;
    this.top = top;
    this.bottom = bottom;
    this.newBuilder = newBuilder;
    this.targetFileSize = targetFileSize;
    this.retention = retention;
    this.dropPrefixes = dropPrefixes;
    this.overlapGuard = overlapGuard;
    this.sink = sink;
    this.discards = discards;
  }

  /** Runs the walk once; iterator failures come out as the {@link IOException} they wrap. */
  Counts run() throws IOException {
    builder = newBuilder.get();
    try {
      try (KeyValueIterator inputs = openInputs()) {
        byte[] seekKey = range.seekKey();
        if (seekKey == null) {
          inputs.rewind();
        } else {
          inputs.seek(seekKey);
        }
        walk(inputs);
      } catch (UncheckedIOException e) {
        throw e.getCause();
      }
      finishTable();
      if (relocating != null) {
        relocating.finish();
      }
    } catch (IOException | RuntimeException | Error failure) {
      // The output table being built streams to a file no MANIFEST will name.
      try {
        builder.abandon();
      } catch (IOException | RuntimeException abandonFailure) {
        failure.addSuppressed(abandonFailure);
      }
      throw failure;
    }
    builder.abandon(); // the empty builder after the last table: it has no file
    return new Counts(entriesRead, entriesWritten);
  }

  private void walk(KeyValueIterator inputs) throws IOException {
    byte[] currentKey = null;
    boolean droppingKey = false;
    for (; inputs.valid(); inputs.next()) {
      byte[] key = inputs.key();
      if (currentKey == null || !InternalKey.sameUserKey(key, currentKey)) {
        if (range.endsBefore(key)) {
          return;
        }
        currentKey = key;
        droppingKey = dropPrefixes.matches(key);
        if (!droppingKey) {
          startUserKey(key);
        }
      }
      entriesRead++;
      ValueStruct value = inputs.value();
      if (droppingKey) {
        discards.dropped(value);
        continue;
      }
      switch (retention.decide(InternalKey.version(key), value)) {
        case KEEP -> {
          keep(key, value, false);
          entriesWritten++;
        }
        case KEEP_STALE -> {
          keep(key, value, true);
          entriesWritten++;
        }
        case DROP -> discards.dropped(value); // left out of the output
      }
    }
  }

  private void keep(byte[] key, ValueStruct value, boolean stale) throws IOException {
    if (relocating == null) {
      add(key, value, stale);
      return;
    }
    ValueLogRecord moved = relocating.shouldMove(value) ? relocating.read(key, value) : null;
    pending.add(new Pending(key, value, stale, moved));
    if (moved != null) {
      toMove.add(moved.keyValue());
      pendingBytes += moved.pointer().length();
    }
    if (ValueRelocation.batchFull(toMove.size(), pendingBytes)) {
      flushPending();
    }
  }

  private void add(byte[] key, ValueStruct value, boolean stale) throws IOException {
    if (stale) {
      builder.addStale(key, value);
    } else {
      builder.add(key, value);
    }
  }

  /**
   * Appends the values to move and hands the pending entries to the builder, the moved ones
   * pointing at their new records; their old records become garbage.
   */
  private void flushPending() throws IOException {
    if (pending.isEmpty()) {
      return;
    }
    List<ValuePointer> pointers = relocating.append(toMove);
    int next = 0;
    for (Pending entry : pending) {
      ValueStruct value = entry.value();
      if (entry.moved() != null) {
        ValuePointer pointer = pointers.get(next++);
        discards.dropped(value);
        value = new ValueStruct(value.meta(), value.userMeta(), value.expiresAt(),
            value.version(), pointer.encode());
      }
      add(entry.key(), value, entry.stale());
    }
    pending.clear();
    toMove.clear();
    pendingBytes = 0;
  }

  /** The one place an output table may end: before {@code key}, the newest version of its key. */
  private void startUserKey(byte[] key) throws IOException {
    if (!builder.isEmpty() && builder.estimatedSize() >= targetFileSize) {
      finishTable();
    }
    if (tableFirstKey == null) {
      tableFirstKey = key;
    }
    tableDistinctKeys++;
    if (tableDistinctKeys % OverlapGuard.CHECK_INTERVAL_KEYS == 0
        && overlapGuard.exceeded(tableFirstKey, key)) {
      finishTable();
      tableFirstKey = key;
      tableDistinctKeys = 1;
    }
    retention.startUserKey();
  }

  private void finishTable() throws IOException {
    if (relocating != null) {
      flushPending();
    }
    if (!builder.isEmpty()) {
      TableBuilder finished = builder;
      builder = newBuilder.get();
      sink.write(finished);
    }
    tableFirstKey = null;
    tableDistinctKeys = 0;
  }

  /** A merge of the top tables, newest first, and the bottom level as one source after them. */
  private KeyValueIterator openInputs() {
    List<KeyValueIterator> sources = new ArrayList<>(top.size() + 1);
    try {
      for (Table table : top) {
        sources.add(table.iterator(false));
      }
      if (!bottom.isEmpty()) {
        sources.add(new LevelIterator(bottom, false));
      }
      return MergeIterator.of(sources, false);
    } catch (RuntimeException | Error failure) {
      for (KeyValueIterator source : sources) {
        try {
          source.close();
        } catch (RuntimeException closeFailure) {
          failure.addSuppressed(closeFailure);
        }
      }
      throw failure;
    }
  }
}
