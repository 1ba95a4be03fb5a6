package dev.sett.internal.lsm;

import dev.sett.internal.key.KeyValueIterator;
import dev.sett.internal.key.ValueStruct;
import dev.sett.internal.sstable.Table;
import java.util.List;

/**
 * Iterates one sorted, non-overlapping level as if it were one table, opening each table's
 * iterator only when it is reached.
 *
 * <p>Thread-safety: not thread-safe. The caller keeps the tables alive (through a retained
 * {@link LevelsSnapshot}) for as long as the iterator is open.
 */
final class LevelIterator implements KeyValueIterator {
  private final List<Table> tables;
  private final boolean reverse;
  private int index = -1;
  private KeyValueIterator current;

  LevelIterator(List<Table> tables, boolean reverse) {
    this.tables = tables;
    this.reverse = reverse;
  }

  @Override
  public void rewind() {
    open(reverse ? tables.size() - 1 : 0);
    if (current != null) {
      current.rewind();
    }
    skipExhausted();
  }

  @Override
  public void seek(byte[] internalKey) {
    int position = reverse ? lastTableStartingAtOrBefore(internalKey) : firstTableEndingAtOrAfter(internalKey);
    open(position);
    if (current != null) {
      current.seek(internalKey);
    }
    skipExhausted();
  }

  @Override
  public void next() {
    current.next();
    skipExhausted();
  }

  @Override
  public boolean valid() {
    return current != null && current.valid();
  }

  @Override
  public byte[] key() {
    return current.key();
  }

  @Override
  public ValueStruct value() {
    return current.value();
  }

  @Override
  public void close() {
    if (current != null) {
      current.close();
      current = null;
    }
    index = -1;
  }

  private void open(int position) {
    if (position == index && current != null) {
      return;
    }
    if (current != null) {
      current.close();
      current = null;
    }
    index = position;
    if (position >= 0 && position < tables.size()) {
      current = tables.get(position).iterator(reverse);
    }
  }

  /** Moves to the neighbouring table while the current one is used up. */
  private void skipExhausted() {
    while (current != null && !current.valid()) {
      int nextIndex = reverse ? index - 1 : index + 1;
      if (nextIndex < 0 || nextIndex >= tables.size()) {
        return;
      }
      open(nextIndex);
      current.rewind();
    }
  }

  private int firstTableEndingAtOrAfter(byte[] internalKey) {
    int low = 0;
    int high = tables.size();
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (tables.get(mid).compareBiggestKey(internalKey) < 0) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }

  private int lastTableStartingAtOrBefore(byte[] internalKey) {
    int low = 0;
    int high = tables.size();
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (tables.get(mid).compareSmallestKey(internalKey) <= 0) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low - 1;
  }
}
