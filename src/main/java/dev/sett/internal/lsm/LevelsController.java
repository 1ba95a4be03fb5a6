package dev.sett.internal.lsm;

import dev.sett.internal.fs.CorruptFileException;
import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.manifest.Manifest;
import dev.sett.internal.manifest.TableManifest;
import dev.sett.internal.sstable.BlockCache;
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
 * snapshot listing it is released. Readers never lock: they retain the current snapshot (one
 * atomic increment) and read through it.
 *
 * <p>Level 0 keeps its tables in age order (a flush appends the newest); levels 1 and up are sorted
 * and non-overlapping. Compaction (issue 3) edits the levels through the same path.
 *
 * <p>Thread-safety: safe for concurrent use. Edits serialize on {@link #editLock}.
 */
public final class LevelsController implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LevelsController.class);

  private final FileSystem fileSystem;
  private final Path dir;
  private final Manifest manifest;
  private final TableOptions tableOptions;
  private final BlockCache blockCache;
  private final AtomicLong nextTableId;
  private final Object editLock = new Object();
  /** Written under {@link #editLock}; read lock-free. Holds one reference of its own. */
  private volatile LevelsSnapshot current;
  private volatile boolean closed;

  private LevelsController(FileSystem fileSystem, Path dir, Manifest manifest,
      TableOptions tableOptions, BlockCache blockCache, LevelsSnapshot initial) {
    this.fileSystem = fileSystem;
    this.dir = dir;
    this.manifest = manifest;
    this.tableOptions = tableOptions;
    this.blockCache = blockCache;
    this.nextTableId = new AtomicLong(manifest.nextTableId());
    this.current = initial;
  }

  /**
   * Opens every table the MANIFEST lists and places it on its level. A listed table whose file is
   * missing is corruption; a table file the MANIFEST does not list is a leftover of an interrupted
   * flush or compaction and is deleted (unless read-only).
   */
  public static LevelsController open(FileSystem fileSystem, Path dir, Manifest manifest,
      TableOptions tableOptions, BlockCache blockCache, int maxLevels, boolean readOnly)
      throws IOException {
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
            tableOptions, blockCache);
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
      return new LevelsController(fileSystem, dir, manifest, tableOptions, blockCache, snapshot);
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

  /** Where the table with {@code id} lives. */
  public Path tablePath(long id) {
    return dir.resolve(Table.fileName(id));
  }

  public TableOptions tableOptions() {
    return tableOptions;
  }

  public BlockCache blockCache() {
    return blockCache;
  }

  public FileSystem fileSystem() {
    return fileSystem;
  }

  /**
   * Records {@code table} (a freshly flushed memtable) in the MANIFEST as the newest L0 table, then
   * makes it visible. Takes over the caller's reference to {@code table}.
   */
  public void addLevel0Table(Table table) throws IOException {
    synchronized (editLock) {
      if (closed) {
        table.release();
        throw new IOException("levels are closed");
      }
      try {
        manifest.apply(Manifest.changeSet(Manifest.createTable(table.id(), 0,
            table.compression().id(), 0)));
      } catch (IOException | RuntimeException e) {
        // Not deleted: the record may have reached the disk even though the sync failed. If it
        // did not, the next open removes the file as an orphan.
        table.release();
        throw e;
      }
      LevelsSnapshot previous = current;
      current = previous.withLevel0Table(table);
      previous.release();
      table.release();
    }
  }

  /** Retains the current levels for reading; close the view when done. */
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
   * Releases the controller's snapshot. Tables still retained by open views stay mapped until
   * those close. Idempotent.
   */
  @Override
  public void close() {
    synchronized (editLock) {
      if (closed) {
        return;
      }
      closed = true;
      current.release();
    }
  }
}
