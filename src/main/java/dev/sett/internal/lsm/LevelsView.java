package dev.sett.internal.lsm;

import dev.sett.internal.codec.KeyHash;
import dev.sett.internal.key.KeyValueIterator;
import dev.sett.internal.key.ValueStruct;
import dev.sett.internal.sstable.Table;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A reader's retained view of the levels: the tables stay mapped until {@link #close()}, whatever
 * flushes and compactions do meanwhile.
 *
 * <p>Thread-safety: lookups may run concurrently; close once, after the last use.
 */
public final class LevelsView implements AutoCloseable {
  private final LevelsSnapshot snapshot;
  private boolean closed;

  LevelsView(LevelsSnapshot snapshot) {
    this.snapshot = snapshot;
  }

  /**
   * The newest version at or below {@code readTs} of {@code userKey}, or null.
   *
   * <p>Tables are searched newest first (L0 newest to oldest, then L1, L2, ...) and the first hit
   * wins. That is correct because Sett guarantees that a newer source never holds an older version
   * of a key than an older source does: flushes append to L0 in commit order, and compaction only
   * moves data downward (see docs/architecture.md, "Point lookups stop at the first hit").
   */
  public ValueStruct get(byte[] userKey, long readTs) throws IOException {
    return get(userKey, readTs, true);
  }

  /**
   * As {@link #get(byte[], long)}; with {@code firstHit} false every table that may hold the key
   * is read and the newest version wins. Managed mode needs that: its callers may commit an older
   * version after a newer one, so a newer source can hold an older version.
   */
  public ValueStruct get(byte[] userKey, long readTs, boolean firstHit) throws IOException {
    return get(userKey, KeyHash.of(userKey), readTs, firstHit);
  }

  /** As {@link #get(byte[], long, boolean)}, given {@code userKeyHash = KeyHash.of(userKey)}. */
  public ValueStruct get(byte[] userKey, long userKeyHash, long readTs, boolean firstHit)
      throws IOException {
    return get(snapshot, userKey, userKeyHash, readTs, firstHit);
  }

  /** As {@link #get(byte[], long, long, boolean)}, in {@code snapshot}. */
  static ValueStruct get(LevelsSnapshot snapshot, byte[] userKey, long userKeyHash, long readTs,
      boolean firstHit) throws IOException {
    if (!firstHit) {
      return newestOfAll(snapshot, userKey, userKeyHash, readTs);
    }
    List<Table> level0 = snapshot.level(0);
    for (int i = level0.size() - 1; i >= 0; i--) {
      ValueStruct found = level0.get(i).get(userKey, userKeyHash, readTs);
      if (found != null) {
        return found;
      }
    }
    for (int level = 1; level < snapshot.levelCount(); level++) {
      Table table = LevelsSnapshot.findTable(snapshot.level(level), userKey);
      if (table != null) {
        ValueStruct found = table.get(userKey, userKeyHash, readTs);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }

  private static ValueStruct newestOfAll(LevelsSnapshot snapshot, byte[] userKey,
      long userKeyHash, long readTs) throws IOException {
    ValueStruct newest = null;
    List<Table> level0 = snapshot.level(0);
    for (int i = level0.size() - 1; i >= 0; i--) {
      newest = newer(newest, level0.get(i).get(userKey, userKeyHash, readTs));
    }
    for (int level = 1; level < snapshot.levelCount(); level++) {
      Table table = LevelsSnapshot.findTable(snapshot.level(level), userKey);
      if (table != null) {
        newest = newer(newest, table.get(userKey, userKeyHash, readTs));
      }
    }
    return newest;
  }

  /** The newer of two versions; on a tie the first, which comes from the newer source. */
  public static ValueStruct newer(ValueStruct first, ValueStruct second) {
    if (first == null) {
      return second;
    }
    if (second == null) {
      return first;
    }
    return Long.compareUnsigned(second.version(), first.version()) > 0 ? second : first;
  }

  /**
   * Iterators over every table, newest source first (for a merge): one per L0 table, newest
   * first, then one per non-empty level. {@code include} may skip tables (prefix or version
   * pruning); it is asked about every table.
   */
  public List<KeyValueIterator> iterators(boolean reverse, java.util.function.Predicate<Table> include) {
    List<KeyValueIterator> iterators = new ArrayList<>();
    List<Table> level0 = snapshot.level(0);
    for (int i = level0.size() - 1; i >= 0; i--) {
      if (include.test(level0.get(i))) {
        iterators.add(level0.get(i).iterator(reverse));
      }
    }
    for (int level = 1; level < snapshot.levelCount(); level++) {
      List<Table> tables = new ArrayList<>();
      for (Table table : snapshot.level(level)) {
        if (include.test(table)) {
          tables.add(table);
        }
      }
      if (!tables.isEmpty()) {
        iterators.add(new LevelIterator(tables, reverse));
      }
    }
    return iterators;
  }

  /** The tables of each level (L0 in age order, oldest first). */
  public List<List<Table>> levels() {
    return snapshot.levels();
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      snapshot.release();
    }
  }
}
