package dev.sett.internal.lsm;

import dev.sett.internal.fs.CorruptFileException;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValue;
import dev.sett.internal.key.KeyValueIterator;
import dev.sett.internal.key.ValueStruct;
import dev.sett.internal.sstable.Table;
import dev.sett.internal.vlog.ValueLog;
import dev.sett.internal.vlog.ValueLogRecord;
import dev.sett.internal.vlog.ValueLogWriter;
import dev.sett.internal.vlog.ValuePointer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the values of cooled data into key order: a last-level compaction of a table whose values
 * lie scattered over the value log (arrival order) reads each such value and writes it again, in
 * the order of the keys, into a new value log file, and the output table points there. A full scan
 * then reads the value log front to back instead of at random (measured: 85–101 ns against
 * 540–650 ns per 1 KiB record from a mapped file); see docs/architecture.md, "Values in key order".
 *
 * <p><b>When.</b> Only once writes have cooled: the value log has taken no append for {@link
 * #QUIET_MILLIS} and no other compaction has work. A workload that keeps overwriting never pays
 * for ordering values that are about to die. Only values out of order are moved: a pointer that
 * continues, forward and within {@link #MAX_GAP} bytes, the previous pointer into the same file
 * stays where it is, so a value is moved once, not at every later compaction of its table, and a
 * store filled in key order moves nothing.
 *
 * <p><b>Crash safety.</b> The new file's id is reserved from the value log ({@link
 * ValueLog#reserveFileId}, on the writer thread), the file is written and synced in {@value
 * ValueLog#RELOCATING_DIR}, added to the value log, and its id recorded (with a discard count of
 * 0) in the very MANIFEST change that installs the output tables, which also counts every moved
 * value's old record as garbage. A crash before that change leaves a file the MANIFEST does not
 * know, which open deletes, and the old pointers, whose records are still there; after it, open
 * moves the file among the others.
 *
 * <p>Thread-safety: safe for concurrent use; a {@link Run} is shared by the splits of one
 * compaction, a {@link Split} belongs to one.
 */
public final class ValueRelocation {
  private static final Logger LOG = LoggerFactory.getLogger(ValueRelocation.class);
  /** How long the value log must have taken no append before values are moved. */
  static final long QUIET_MILLIS = 1000;
  /** How long after its last move a spell still holds value log GC back. */
  static final long SPELL_GAP_MILLIS = 10 * QUIET_MILLIS;
  /** A pointer this close after the previous one into its file (forward) counts as in order. */
  static final long MAX_GAP = 64 << 10;
  /** A table is relocated when at least this share of its value bytes is out of order. */
  static final double MIN_SCATTERED_SHARE = 0.25;
  /** Records written to the value log in one go. */
  private static final int BATCH_ENTRIES = 256;
  private static final long BATCH_BYTES = 1L << 20;

  /** Reserves the id of a new value log file; see {@link ValueLog#reserveFileId}. */
  @FunctionalInterface
  public interface FileIds {
    long reserve() throws IOException;
  }

  /** Seals the mutable memtable, if it holds anything, and waits until every memtable is flushed. */
  @FunctionalInterface
  public interface Flush {
    void flushMemtables() throws IOException;
  }

  private final ValueLog valueLog;
  private final FileIds ids;
  private final LongSupplier nowMillis;
  private final Flush flush;
  /** Whether this quiet spell's flush was done (reset by any append or compaction). */
  private boolean surfaced;
  /**
   * {@link ValueLog#appendedBytes()} (counted from open) at the last surfacing flush. Pointers
   * that memtables replayed at open hold wait for an ordinary flush.
   */
  private long appendedAtSurface;
  /** Verdicts by table id (tables never change): whether it points into the value log, and where. */
  private final Map<Long, Verdict> verdicts = new ConcurrentHashMap<>();

  /** What a table's value pointers are like. */
  private record Verdict(boolean pointers, boolean scattered) {
  }
  private final AtomicLong recordsMoved = new AtomicLong();
  private final AtomicLong bytesMoved = new AtomicLong();
  private final AtomicLong filesWritten = new AtomicLong();
  /**
   * Whether a quiet spell is moving values: set when a moving compaction ran, cleared when one
   * finds nothing left to move; writes that resume end it too ({@link #moving()}). GC waits
   * meanwhile: a file the moves are emptying would otherwise be collected half-way, its remaining
   * live values rewritten in arrival order, and then moved again. An ordinary compaction the moves
   * cause (a level they filled past its target) does not end the spell.
   */
  private volatile boolean moving;
  /** {@link ValueLog#appendedBytes()} and the time when {@link #moving} was last set. */
  private volatile long appendedWhenMoving;
  private volatile long movingSetMillis;
  private long lastAppended = -1;
  private long unchangedSince;

  public ValueRelocation(ValueLog valueLog, FileIds ids, Flush flush, LongSupplier nowMillis) {
    this.flush = Objects.requireNonNull(flush, "flush");
    this.valueLog = Objects.requireNonNull(valueLog, "valueLog");
    this.ids = Objects.requireNonNull(ids, "ids");
    this.nowMillis = Objects.requireNonNull(nowMillis, "nowMillis");
  }

  /**
   * Whether the value log has taken no append, and {@code otherCompactions} (the count of other
   * compactions run) has not changed, for {@link #QUIET_MILLIS}; asked by one compactor on each
   * idle tick (the first call only starts the clock).
   */
  synchronized boolean quiet(long otherCompactions) {
    long appended = valueLog.appendedBytes() + otherCompactions;
    long now = nowMillis.getAsLong();
    if (appended != lastAppended) {
      lastAppended = appended;
      unchangedSince = now;
      surfaced = false;
      return false;
    }
    return now - unchangedSince >= QUIET_MILLIS;
  }

  /**
   * Flushes the memtables, once per quiet spell, so that the values their pointers name can be
   * moved too (a memtable of pointers holds many of them: 64 MiB, about a million).
   */
  void surfaceOnce() throws IOException {
    synchronized (this) {
      if (surfaced) {
        return;
      }
      surfaced = true;
      // Without an append since the last flush the memtables hold no pointer that one would
      // surface (a store of values kept inline has nothing to move: flushing it is only writes).
      long appended = valueLog.appendedBytes();
      if (appended == appendedAtSurface) {
        return;
      }
      appendedAtSurface = appended;
    }
    flush.flushMemtables();
  }

  /** Whether at least {@link #MIN_SCATTERED_SHARE} of {@code table}'s value bytes are out of order. */
  boolean scattered(Table table) {
    return verdict(table).scattered();
  }

  /** Whether {@code table} holds any value pointer (in order or not). */
  boolean pointsIntoValueLog(Table table) {
    return verdict(table).pointers();
  }

  private Verdict verdict(Table table) {
    Verdict known = verdicts.get(table.id());
    if (known != null) {
      return known;
    }
    Order order = new Order();
    long outOfOrder = 0;
    long total = 0;
    try (KeyValueIterator entries = table.iterator(false)) {
      for (entries.rewind(); entries.valid(); entries.next()) {
        ValuePointer pointer = ValuePointer.of(entries.value());
        if (pointer == null || pointer.isNone()) {
          continue;
        }
        total += pointer.length();
        if (!order.inOrder(pointer)) {
          outOfOrder += pointer.length();
        }
      }
    }
    Verdict verdict = new Verdict(total > 0, total > 0 && outOfOrder >= MIN_SCATTERED_SHARE * total);
    verdicts.put(table.id(), verdict);
    return verdict;
  }

  /**
   * Whether a spell is moving values: the last relocation attempt moved some, the value log has
   * taken no append since, and that was less than {@link #SPELL_GAP_MILLIS} ago (value log GC
   * waits; the limit keeps it from waiting for ever on a spell that ordinary compactions keep
   * interrupting).
   */
  public boolean moving() {
    return moving && valueLog.appendedBytes() == appendedWhenMoving
        && nowMillis.getAsLong() - movingSetMillis < SPELL_GAP_MILLIS;
  }

  void moving(boolean moving) {
    appendedWhenMoving = valueLog.appendedBytes();
    movingSetMillis = nowMillis.getAsLong();
    this.moving = moving;
  }

  /** Forgets the verdicts of tables that are gone. */
  void retainVerdicts(java.util.Set<Long> liveTables) {
    verdicts.keySet().retainAll(liveTables);
  }

  /** Values moved so far (records, bytes of records) and files written. */
  public long recordsMoved() {
    return recordsMoved.get();
  }

  public long bytesMoved() {
    return bytesMoved.get();
  }

  public long filesWritten() {
    return filesWritten.get();
  }

  /** Starts the relocation of one compaction. */
  Run newRun() {
    return new Run();
  }

  /**
   * Whether pointers continue forward runs in their files: remembers, per file, where the last
   * pointer into it ended.
   */
  static final class Order {
    private final Map<Long, Long> lastEnd = new HashMap<>();

    boolean inOrder(ValuePointer pointer) {
      Long previous = lastEnd.put(pointer.fileId(), pointer.end());
      return previous == null
          || (pointer.offset() >= previous && pointer.offset() - previous <= MAX_GAP);
    }
  }

  /**
   * The files one compaction writes, from all of its splits: added to the value log and named in
   * the MANIFEST change together, or all abandoned.
   */
  final class Run {
    private final Queue<ValueLogWriter> files = new ConcurrentLinkedQueue<>();
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    Split newSplit() {
      return new Split(this);
    }

    /** Whether any value was moved. */
    boolean isEmpty() {
      return files.isEmpty();
    }

    /**
     * Adds the sealed files to the value log and returns the MANIFEST discard entries that name
     * them (0 bytes each), to go into the change that installs the tables.
     */
    Map<Long, Long> install() throws IOException {
      Map<Long, Long> known = new HashMap<>();
      for (ValueLogWriter file : files) {
        valueLog.addRelocated(file);
        known.put(file.fileId(), 0L);
      }
      return known;
    }

    /** Counts the moved values once the MANIFEST change is made. */
    void committed() {
      recordsMoved.addAndGet(records.get());
      bytesMoved.addAndGet(bytes.get());
      filesWritten.addAndGet(files.size());
    }

    /** Deletes every file of the run (the compaction failed); problems join {@code failure}. */
    void abandon(Throwable failure) {
      for (ValueLogWriter file : files) {
        try {
          valueLog.abandonRelocated(file);
        } catch (IOException | RuntimeException e) {
          failure.addSuppressed(e);
        }
      }
    }
  }

  /**
   * One split's relocation: reads the values to move and appends them, in the order given, to
   * files of its own. Not thread-safe.
   */
  final class Split {
    private final Run run;
    private final Order order = new Order();
    private ValueLogWriter current;

    private Split(Run run) {
      this.run = run;
    }

    /**
     * Whether the value {@code value} of {@code key} should move: a pointer out of order in its
     * file. Asked once per kept entry, in key order.
     */
    boolean shouldMove(ValueStruct value) {
      ValuePointer pointer = ValuePointer.of(value);
      return pointer != null && !pointer.isNone() && !order.inOrder(pointer);
    }

    /**
     * Reads the record {@code value} points at, or null if it cannot be moved (its file is gone:
     * GC moved it, and the newer copy shadows this one; or the record is damaged, which the read
     * path reports as it would have).
     */
    ValueLogRecord read(byte[] key, ValueStruct value) throws IOException {
      ValuePointer pointer = ValuePointer.of(value);
      ValueLogRecord record;
      try {
        record = valueLog.read(pointer);
      } catch (CorruptFileException e) {
        LOG.warn("not moving the value of {}: its record is damaged", InternalKey.toString(key), e);
        return null;
      }
      if (record == null || !Arrays.equals(record.key(), key)) {
        return null;
      }
      return record;
    }

    /** Appends the records and returns their new pointers, in order. */
    List<ValuePointer> append(List<KeyValue> records) throws IOException {
      if (records.isEmpty()) {
        return List.of();
      }
      if (current == null || current.wouldExceed(records, valueLog.fileSizeLimit(),
          valueLog.maxEntriesPerFile())) {
        startFile();
      }
      List<ValuePointer> pointers = current.append(records);
      long length = 0;
      for (ValuePointer pointer : pointers) {
        length += pointer.length();
      }
      run.records.addAndGet(pointers.size());
      run.bytes.addAndGet(length);
      return pointers;
    }

    /** Seals the file being written; the split is done. */
    void finish() throws IOException {
      if (current != null) {
        current.seal();
      }
    }

    private void startFile() throws IOException {
      if (current != null) {
        current.seal();
      }
      ValueLogWriter created = valueLog.createRelocated(ids.reserve());
      run.files.add(created);
      current = created;
    }
  }

  /** The most records a split buffers before it appends them. */
  static boolean batchFull(int entries, long bytes) {
    return entries >= BATCH_ENTRIES || bytes >= BATCH_BYTES;
  }

  @Override
  public String toString() {
    return "ValueRelocation[" + valueLog + ", " + recordsMoved.get() + " values moved]";
  }
}
