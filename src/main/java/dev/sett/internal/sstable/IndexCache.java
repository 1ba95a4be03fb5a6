package dev.sett.internal.sstable;

import dev.sett.internal.fs.CorruptFileException;

/**
 * A cache of table indexes and bloom filters ({@link TableIndexes}), shared by the tables of a DB
 * and bounded by bytes: option {@code indexCacheSize}. A table whose indexes are not cached loads
 * them again from its file on its next lookup ({@link Table#loadIndexes}). With capacity 0 the
 * cache is off and every table keeps its own indexes, read in place from its mapping.
 *
 * <p>An entry is keyed by table id. A table evicts its entry when it is closed, since DropAll
 * restarts table ids and a later table may reuse the id.
 *
 * <p>Thread-safety: safe for concurrent use. Two threads that miss on the same table at once both
 * load it; one of the copies is kept. Maintenance runs on the calling threads.
 */
public final class IndexCache extends ByteBoundedCache<TableIndexes> {
  /** Bytes an entry costs beyond its regions: the objects that hold them. */
  static final int ENTRY_OVERHEAD = 128;

  /** A cache of up to {@code maxBytes} bytes of indexes and filters; 0 turns it off. */
  public IndexCache(long maxBytes) {
    super("index cache", maxBytes, IndexCache::weight);
  }

  /** The cache that is off: tables keep their indexes resident. */
  public static IndexCache disabled() {
    return new IndexCache(0);
  }

  /** The indexes of table {@code tableId}, loaded by {@code loader} when they are not cached. */
  TableIndexes get(long tableId, Loader loader) throws CorruptFileException {
    TableIndexes cached = lookup(tableId);
    if (cached != null) {
      return cached;
    }
    TableIndexes loaded = loader.load();
    store(tableId, loaded);
    return loaded;
  }

  /** Adds indexes a table loaded at open, without counting a lookup. */
  void put(long tableId, TableIndexes indexes) {
    store(tableId, indexes);
  }

  /** Drops table {@code tableId}'s entry (the table is closed). */
  void invalidate(long tableId) {
    drop(tableId);
  }

  private static int weight(TableIndexes indexes) {
    return (int) Math.min(Integer.MAX_VALUE, indexes.sizeBytes() + ENTRY_OVERHEAD);
  }

  /** Loads a table's indexes from its file. */
  @FunctionalInterface
  interface Loader {
    TableIndexes load() throws CorruptFileException;
  }
}
