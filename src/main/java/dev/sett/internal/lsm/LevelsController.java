package dev.sett.internal.lsm;

import dev.sett.internal.codec.DataKeys;
import dev.sett.internal.fs.CorruptFileException;
import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.fs.ReadPins;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.ValueStruct;
import dev.sett.internal.manifest.Manifest;
import dev.sett.internal.manifest.ManifestEdit;
import dev.sett.internal.manifest.TableManifest;
import dev.sett.internal.sstable.BlockCache;
import dev.sett.internal.sstable.IndexCache;
import dev.sett.internal.sstable.Table;
import dev.sett.internal.sstable.TableOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the levels of SSTables: which table lives where, the MANIFEST edits that record it, and
 * the snapshots readers hold.
 *
 * <p><b>Design.</b> The set of tables is an immutable {@link LevelsSnapshot}, replaced atomically
 * (copy on write) by each edit under {@link #editLock}. An edit is written to the MANIFEST and
 * forced to disk <em>before</em> the new snapshot is published, so what a reader can see is always
 * recoverable, and a replaced table is deleted only after the MANIFEST forgets it and the last
 * snapshot listing it is released. Readers never lock: an iterator retains the current snapshot
 * (one atomic increment on a count every reader shares); a point lookup pins it instead ({@link
 * #get}: a store to a slot of its own, see {@link ReadPins}), so concurrent gets write no shared
 * cache line. A replaced snapshot is retired to the pins and released when no lookup is pinned
 * in it.
 *
 * <p>Level 0 keeps its tables in age order (a flush appends the newest, an L0→L0 compaction puts
 * its output where the run it merged was); levels 1 and up are sorted and non-overlapping, and all
 * versions of a user key on such a level are in one table. Together with compaction moving data
 * only downward, that gives the guarantee point lookups rely on: a newer source never holds an
 * older version of a key than an older source.
 *
 * <p>Compaction itself (choosing, running, threads) lives in {@link Compactions}; this class
 * applies its results. A flush waits while L0 holds {@code numLevelZeroTablesStall} tables (when
 * compaction is on), and the time it waited is counted.
 *
 * <p>Thread-safety: safe for concurrent use. Edits serialize on {@link #editLock}.
 */
public final class LevelsController implements CompactionTarget, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LevelsController.class);

  private final Manifest manifest;
  private final LevelsOptions options;
  private final AtomicLong nextTableId;
  /** When each live table was created or (for tables found at open) first opened. */
  private final Map<Long, Long> createdAtMillis = new ConcurrentHashMap<>();
  private final Object editLock = new Object();
  /** Written under {@link #editLock}; read lock-free. Holds one reference of its own. */
  private volatile LevelsSnapshot current;
  /**
   * Point lookups pin {@link #current} here instead of retaining it; a replaced snapshot is
   * retired to it, and released once no lookup is pinned in it.
   */
  private final ReadPins<LevelsSnapshot> pins = new ReadPins<>();
  private volatile boolean closed;
  /** Set when the store starts closing: a flush no longer waits for L0 to drain. */
  private volatile boolean closing;
  private final AtomicLong stallNanos = new AtomicLong();
  private final CompactionTelemetry telemetry;
  private final TableFiles tableFiles;
  private final Compactions compactions;

  private LevelsController(FileSystem fileSystem, Path dir, Manifest manifest,
      TableOptions tableOptions, BlockCache blockCache, IndexCache indexCache,
      LevelsOptions options, LevelsSnapshot initial, boolean readOnly, DataKeys keys) {
    this.manifest = manifest;
    this.options = options;
    this.nextTableId = new AtomicLong(manifest.nextTableId());
    this.current = initial;
    long now = options.nowMillis().getAsLong();
    for (List<Table> level : initial.levels()) {
      for (Table table : level) {
        createdAtMillis.put(table.id(), now);
      }
    }
    this.telemetry = new CompactionTelemetry(options.openTelemetry());
    this.tableFiles = new TableFiles(fileSystem, dir, tableOptions, blockCache, indexCache,
        this::newTableId, keys);
    this.compactions = new Compactions(this, tableFiles, options, readOnly ? 0 : options.numCompactors(),
        telemetry);
  }

  /**
   * Opens every table the MANIFEST lists and places it on its level. A listed table whose file is
   * missing is corruption; a table file the MANIFEST does not list is a leftover of an interrupted
   * flush or compaction and is deleted (unless read-only).
   */
  public static LevelsController open(FileSystem fileSystem, Path dir, Manifest manifest,
      TableOptions tableOptions, BlockCache blockCache, LevelsOptions options, boolean readOnly)
      throws IOException {
    return open(fileSystem, dir, manifest, tableOptions, blockCache, IndexCache.disabled(), options,
        readOnly, DataKeys.NONE);
  }

  /**
   * As {@link #open(FileSystem, Path, Manifest, TableOptions, BlockCache, LevelsOptions, boolean)};
   * every table keeps its index and bloom filter in {@code indexCache} when that is on, and the
   * tables are encrypted under {@code keys} (or plain: {@link DataKeys#NONE}).
   */
  public static LevelsController open(FileSystem fileSystem, Path dir, Manifest manifest,
      TableOptions tableOptions, BlockCache blockCache, IndexCache indexCache,
      LevelsOptions options, boolean readOnly, DataKeys keys) throws IOException {
    int maxLevels = options.maxLevels();
    Map<Long, TableManifest> listed = manifest.tables();
    Set<Long> onDisk = new HashSet<>();
    for (Path file : fileSystem.list(dir)) {
      long id = Table.parseFileName(file.getFileName().toString());
      if (id < 0) {
        continue;
      }
      if (listed.containsKey(id)) {
        onDisk.add(id);
      } else if (!readOnly) {
        LOG.info("deleting {}: the MANIFEST does not list it", file);
        fileSystem.delete(file);
      }
    }
    for (TableManifest table : listed.values()) {
      if (!onDisk.contains(table.id())) {
        throw new CorruptFileException(dir.resolve(Table.fileName(table.id())), 0,
            "table " + table.id() + " is listed in the MANIFEST but its file is missing");
      }
      if (table.level() >= maxLevels) {
        throw new IOException("table " + table.id() + " is on level " + table.level()
            + " but the store is opened with maxLevels " + maxLevels);
      }
    }
    List<List<Table>> levels = new ArrayList<>();
    for (int i = 0; i < maxLevels; i++) {
      levels.add(new ArrayList<>());
    }
    List<Table> opened = new ArrayList<>();
    try {
      for (TableManifest entry : listed.values()) {
        Table table = Table.open(fileSystem, dir.resolve(Table.fileName(entry.id())), entry.id(),
            tableOptions, blockCache, indexCache, keys);
        opened.add(table);
        levels.get(entry.level()).add(table);
      }
      // L0 in age order: table ids grow with every flush.
      levels.get(0).sort(Comparator.comparingLong(Table::id));
      for (int level = 1; level < maxLevels; level++) {
        levels.get(level).sort((a, b) -> InternalKey.compare(a.smallestKey(), b.smallestKey()));
        validateSortedLevel(level, levels.get(level));
      }
      LevelsSnapshot snapshot = new LevelsSnapshot(levels);
      // The snapshot holds its own references now; drop the ones from opening.
      for (Table table : opened) {
        table.release();
      }
      return new LevelsController(fileSystem, dir, manifest, tableOptions, blockCache, indexCache,
          options, snapshot, readOnly, keys);
    } catch (IOException | RuntimeException e) {
      for (Table table : opened) {
        table.release();
      }
      throw e;
    }
  }

  private static void validateSortedLevel(int level, List<Table> tables) throws IOException {
    for (int i = 0; i < tables.size(); i++) {
      Table table = tables.get(i);
      if (InternalKey.compare(table.smallestKey(), table.biggestKey()) > 0) {
        throw new CorruptFileException(table.path(), 0, "table " + table.id()
            + " has its smallest key after its biggest key");
      }
      if (i > 0 && InternalKey.compareUserKeys(tables.get(i - 1).biggestKey(), table.smallestKey()) >= 0) {
        throw new IOException("level " + level + " is not sorted: table " + tables.get(i - 1).id()
            + " overlaps table " + table.id());
      }
    }
  }

  /** Reserves a fresh table id. */
  public long newTableId() {
    return nextTableId.getAndIncrement();
  }

  /** The newest table id handed out so far. */
  @Override
  public long lastTableId() {
    return nextTableId.get() - 1;
  }

  /** Where this store's tables are written and how they are opened. */
  public TableFiles tableFiles() {
    return tableFiles;
  }

  /**
   * Records {@code table} (a freshly flushed memtable) in the MANIFEST as the newest L0 table, then
   * makes it visible. Takes over the caller's reference to {@code table}.
   */
  public void addLevel0Table(Table table) throws IOException {
    awaitLevel0Room();
    synchronized (editLock) {
      if (closed) {
        table.release();
        throw new IOException("levels are closed");
      }
      try {
        manifest.apply(new ManifestEdit().createTable(table.id(), 0, table.compression().id(),
            table.dataKeyId()));
      } catch (IOException | RuntimeException e) {
        // Not deleted: the record may have reached the disk even though the sync failed. If it
        // did not, the next open removes the file as an orphan.
        table.release();
        throw e;
      }
      createdAtMillis.put(table.id(), options.nowMillis().getAsLong());
      LevelsSnapshot previous = current;
      current = previous.withLevel0Table(table);
      pins.retire(previous); // released once no pinned read is in it
      table.release();
    }
    compactions.wakeUp();
  }

  /**
   * Records {@code tables} (built by a bulk load, sorted by key and not overlapping) on the last
   * level in one MANIFEST change set, then makes them visible. The last level must not overlap
   * them (a bulk load starts from an empty store). Takes over the caller's references; on failure
   * the tables are released, not deleted (the record may have reached the disk).
   */
  public void addLastLevelTables(List<Table> tables) throws IOException {
    if (tables.isEmpty()) {
      return;
    }
    int last = options.maxLevels() - 1;
    synchronized (editLock) {
      try {
        if (closed) {
          throw new IOException("levels are closed");
        }
        List<Table> merged = new ArrayList<>(current.level(last));
        merged.addAll(tables);
        merged.sort((a, b) -> InternalKey.compare(a.smallestKey(), b.smallestKey()));
        validateSortedLevel(last, merged);
        ManifestEdit edit = new ManifestEdit();
        for (Table table : tables) {
          edit.createTable(table.id(), last, table.compression().id(), table.dataKeyId());
        }
        manifest.apply(edit);
        long now = options.nowMillis().getAsLong();
        for (Table table : tables) {
          createdAtMillis.put(table.id(), now);
        }
        LevelsSnapshot previous = current;
        current = previous.withCompaction(Set.of(), last, tables);
        pins.retire(previous); // released once no pinned read is in it
        editLock.notifyAll();
      } finally {
        for (Table table : tables) {
          table.release(); // the new snapshot holds its own references
        }
      }
    }
    compactions.wakeUp();
  }

  /**
   * The L0 write stall: while L0 holds {@code numLevelZeroTablesStall} tables, a flush waits for
   * compaction to drain it (only when compaction is on: with no compactor nothing would). If
   * compaction keeps failing meanwhile, the flush fails with its error rather than wait forever.
   */
  /**
   * Compactions that must fail in a row, while a flush waits for L0 room, before the flush fails
   * instead of waiting for room that a broken disk will never give (the error is then sticky).
   */
  static final int STALL_FAILURES_BEFORE_GIVING_UP = 10;

  private void awaitLevel0Room() throws IOException {
    if (!compactions.enabled()) {
      return;
    }
    long start = System.nanoTime();
    boolean stalled = false;
    synchronized (editLock) {
      while (!closed && !closing && current.level(0).size() >= options.numLevelZeroTablesStall()
          && compactions.enabled()) {
        if (!stalled) {
          stalled = true;
          LOG.debug("flush stalled: L0 holds {} tables", current.level(0).size());
        }
        IOException failing = compactions.persistentFailure(STALL_FAILURES_BEFORE_GIVING_UP);
        if (failing != null) {
          // Waiting on would hang the flush, and behind it every commit, for good.
          throw new IOException("flush stopped: L0 holds " + current.level(0).size()
              + " tables and the last " + STALL_FAILURES_BEFORE_GIVING_UP + " or more compactions"
              + " failed, the latest with: " + failing.getMessage(), failing);
        }
        try {
          editLock.wait(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted while waiting for L0 to drain");
        }
      }
    }
    if (stalled) {
      long waited = System.nanoTime() - start;
      stallNanos.addAndGet(waited);
      telemetry.stalled(waited);
    }
  }

  /**
   * The store is closing: flushes stop waiting for L0 to drain (compaction may be unable to, after
   * a persistent I/O error), so close always completes.
   */
  public void beginClose() {
    closing = true;
    synchronized (editLock) {
      editLock.notifyAll();
    }
  }

  /** Total time flushes waited for L0 to drain. */
  public long stallNanos() {
    return stallNanos.get();
  }

  /**
   * Records a finished compaction: one MANIFEST change set (new tables on {@code targetLevel},
   * every input deleted, the value log garbage it found), forced to disk before the new snapshot is published; the inputs are
   * deleted once the last reader lets go. Takes over the references of {@code added}.
   */
  @Override
  public void applyCompaction(CompactionPlan plan, List<Table> inputs, List<Table> added,
      Map<Long, Long> valueLogDiscards) throws IOException {
    synchronized (editLock) {
      try {
        if (closed) {
          throw new IOException("levels are closed");
        }
        requireLive(plan, inputs);
        ManifestEdit edit = new ManifestEdit();
        for (Table table : added) {
          edit.createTable(table.id(), plan.targetLevel(), table.compression().id(),
              table.dataKeyId());
        }
        Set<Long> removed = new HashSet<>();
        for (Table table : inputs) {
          edit.deleteTable(table.id());
          removed.add(table.id());
        }
        valueLogDiscards.forEach(edit::valueLogDiscard);
        manifest.apply(edit);
        long now = options.nowMillis().getAsLong();
        for (Table table : added) {
          createdAtMillis.put(table.id(), now);
        }
        LevelsSnapshot previous = current;
        current = previous.withCompaction(removed, plan.targetLevel(), added);
        for (Table table : inputs) {
          table.markForDeletion();
          createdAtMillis.remove(table.id());
        }
        pins.retire(previous); // released once no pinned read is in it
        editLock.notifyAll();
      } catch (StaleCompactionException e) {
        for (Table table : added) {
          table.markForDeletion(); // recorded nowhere: safe to delete
        }
        throw e;
      } finally {
        // The new snapshot holds its own references (or, on failure, the outputs are simply let go:
        // not deleted, since the MANIFEST record may have reached the disk; the next open sweeps
        // unlisted files).
        for (Table table : added) {
          table.release();
        }
      }
    }
  }

  /**
   * Checks that every input of a finished compaction is still on its level: if another edit
   * replaced one meanwhile (which the compaction exclusivity should prevent), applying the result
   * would resurrect or duplicate data. The outputs, recorded nowhere yet, are then deleted.
   */
  private void requireLive(CompactionPlan plan, List<Table> inputs) throws IOException {
    Set<Long> live = new HashSet<>();
    for (int level : new int[] {plan.level(), plan.targetLevel()}) {
      for (Table table : current.level(level)) {
        live.add(table.id());
      }
    }
    for (Table table : inputs) {
      if (!live.contains(table.id())) {
        throw new StaleCompactionException("compaction " + plan.describe() + " is stale: table " + table.id()
            + " is no longer on level " + plan.level() + " or " + plan.targetLevel());
      }
    }
  }

  /**
   * Drops every table: one MANIFEST change set deleting them all, then an empty snapshot. Readers
   * holding the old snapshot keep reading it; the files go when the last of them closes.
   */
  void dropAllTables() throws IOException {
    synchronized (editLock) {
      if (closed) {
        throw new IOException("levels are closed");
      }
      ManifestEdit edit = new ManifestEdit();
      for (List<Table> level : current.levels()) {
        for (Table table : level) {
          edit.deleteTable(table.id());
        }
      }
      if (edit.isEmpty()) {
        return;
      }
      manifest.apply(edit);
      LevelsSnapshot previous = current;
      current = previous.emptied();
      for (List<Table> level : previous.levels()) {
        for (Table table : level) {
          table.markForDeletion();
          createdAtMillis.remove(table.id());
        }
      }
      pins.retire(previous); // released once no pinned read is in it
      editLock.notifyAll();
    }
  }

  /** The policy's view of the current levels. */
  @Override
  public List<List<TableSummary>> summaries(LevelsView view) {
    List<List<TableSummary>> levels = new ArrayList<>();
    long now = options.nowMillis().getAsLong();
    for (List<Table> level : view.levels()) {
      List<TableSummary> summaries = new ArrayList<>(level.size());
      for (Table table : level) {
        summaries.add(new TableSummary(table.id(), table.smallestKey(), table.biggestKey(),
            table.onDiskSize(), table.staleDataSize(), table.maxVersion(),
            createdAtMillis.getOrDefault(table.id(), now)));
      }
      levels.add(summaries);
    }
    return levels;
  }

  Compactions compactions() {
    return compactions;
  }

  /** Starts the compactor threads (not for a read-only store). */
  /**
   * Lets compaction move the values of cooled Lmax tables into key order ({@link
   * ValueRelocation}); before {@link #startCompactions}.
   */
  public void relocateValues(ValueRelocation relocation) {
    compactions.relocateValues(relocation);
  }

  /** Whether compaction moves cooled values into key order ({@link #relocateValues}). */
  public boolean relocatesValues() {
    return compactions.relocation() != null;
  }

  public void startCompactions() {
    compactions.start();
  }

  /** Runs compactions until the data sits on one level; see {@code DB.flatten}. */
  public void flatten(int workers) throws IOException {
    compactions.flatten(workers);
  }

  /** Removes every key with one of {@code prefixes} from the tables (memtables are flushed first). */
  public void dropPrefixes(List<byte[]> prefixes) throws IOException {
    compactions.dropPrefixes(prefixes);
  }

  /** Deletes every table, with compactions paused. */
  public void dropAll() throws IOException {
    compactions.pause();
    try {
      dropAllTables();
    } finally {
      compactions.resume();
    }
  }

  /** Each level's size, targets and scores (for {@code DB.levels()}). */
  public List<LevelStatus> levelStatus() {
    try (LevelsView view = acquire()) {
      List<List<TableSummary>> summaries = summaries(view);
      LevelTargets targets = CompactionPolicy.levelTargets(summaries, options.compaction());
      List<LevelScore> scores = CompactionPolicy.scores(summaries, compactions.status(), options.compaction());
      List<LevelStatus> status = new ArrayList<>();
      for (int level = 0; level < summaries.size(); level++) {
        long size = 0;
        long stale = 0;
        for (TableSummary table : summaries.get(level)) {
          size += table.size();
          stale += table.staleDataSize();
        }
        LevelScore score = scores.get(level);
        status.add(new LevelStatus(level, summaries.get(level).size(), size,
            level == 0 ? 0 : targets.targetSize()[level], targets.fileSize()[level],
            level == targets.baseLevel(), score.score(), score.adjustedScore(), stale));
      }
      return status;
    }
  }

  /** Retains the current levels for reading; close the view when done. */
  @Override
  public LevelsView acquire() {
    while (true) {
      if (closed) {
        throw new IllegalStateException("levels are closed");
      }
      LevelsSnapshot snapshot = current;
      if (snapshot.tryRetain()) {
        return new LevelsView(snapshot);
      }
      // An edit released this snapshot between the read and the retain; the next one is current.
    }
  }

  /**
   * The newest version at or below {@code readTs} of {@code userKey} in the current levels, or
   * null: {@link LevelsView#get(byte[], long, long, boolean)} with the snapshot pinned rather than
   * retained for the lookup, so that no counter shared by the readers is written, and nothing
   * allocated. A snapshot replaced meanwhile, and the tables only it lists, stay mapped until the
   * lookup returns. Takes a reference instead when every pin slot is taken.
   */
  public ValueStruct get(byte[] userKey, long userKeyHash, long readTs, boolean firstHit)
      throws IOException {
    LevelsSnapshot snapshot = current;
    int slot = pins.pin(snapshot);
    if (slot < 0) {
      try (LevelsView view = acquire()) {
        return view.get(userKey, userKeyHash, readTs, firstHit);
      }
    }
    try {
      while (true) {
        // After the pin is published: close() sets closed before it retires the last snapshot.
        if (closed) {
          throw new IllegalStateException("levels are closed");
        }
        LevelsSnapshot now = current;
        if (now == snapshot) {
          return LevelsView.get(snapshot, userKey, userKeyHash, readTs, firstHit);
        }
        snapshot = now; // replaced before our pin was seen: pin the current one
        pins.repin(slot, snapshot);
      }
    } finally {
      pins.unpin(slot);
    }
  }

  /** Whether {@link #close} ran. */
  public boolean isClosed() {
    return closed;
  }

  /** Number of tables on level 0. */
  public int level0TableCount() {
    return current.level(0).size();
  }

  /** The highest version in any table. */
  public long maxVersion() {
    try (LevelsView view = acquire()) {
      long max = 0;
      for (List<Table> level : view.levels()) {
        for (Table table : level) {
          max = Math.max(max, table.maxVersion());
        }
      }
      return max;
    }
  }

  /** Bytes of every live table file. */
  public long totalSize() {
    try (LevelsView view = acquire()) {
      long total = 0;
      for (List<Table> level : view.levels()) {
        for (Table table : level) {
          total += table.onDiskSize();
        }
      }
      return total;
    }
  }

  /** Verifies every block of every table. */
  public void verifyChecksums() throws IOException {
    try (LevelsView view = acquire()) {
      for (List<Table> level : view.levels()) {
        for (Table table : level) {
          table.verifyChecksums();
        }
      }
    }
  }

  /**
   * Stops compactions (running one last L0 compaction with {@code compactL0OnClose}), then releases
   * the controller's snapshot. Tables still retained by open views stay mapped until those close.
   * Idempotent.
   */
  @Override
  public void close() {
    compactions.stop();
    synchronized (editLock) {
      if (closed) {
        return;
      }
      closed = true;
      pins.retire(current); // a get still pinned in it finishes first
      editLock.notifyAll();
    }
  }

  /** A compaction whose inputs changed under it; nothing of it was recorded. */
  static final class StaleCompactionException extends IOException {
    private static final long serialVersionUID = 1L;

    StaleCompactionException(String message) {
      super(message);
    }
  }
}
