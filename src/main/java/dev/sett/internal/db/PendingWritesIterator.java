package dev.sett.internal.db;

import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValueIterator;
import dev.sett.internal.key.ValueStruct;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A transaction's own pending writes as a merge source: a sorted snapshot taken when the iterator
 * is created, every write at version {@code readTs} so it shadows what the snapshot holds.
 */
final class PendingWritesIterator implements KeyValueIterator {
  private final List<byte[]> keys = new ArrayList<>();
  private final List<ValueStruct> values = new ArrayList<>();
  private final boolean reverse;
  private int position;

  /** {@code writes} must be in ascending key order. */
  PendingWritesIterator(Collection<PendingWrite> writes, long readTs, boolean reverse) {
    for (PendingWrite write : writes) {
      keys.add(InternalKey.of(write.key(), readTs));
      values.add(write.toValue(readTs));
    }
    this.reverse = reverse;
    this.position = keys.size();
  }

  @Override
  public void rewind() {
    position = reverse ? keys.size() - 1 : 0;
  }

  @Override
  public void seek(byte[] internalKey) {
    int low = 0;
    int high = keys.size();
    // First index whose key is >= internalKey (forward) or > internalKey (reverse, then step back).
    while (low < high) {
      int mid = (low + high) >>> 1;
      int order = InternalKey.compare(keys.get(mid), internalKey);
      if (order < 0 || (reverse && order == 0)) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    position = reverse ? low - 1 : low;
  }

  @Override
  public void next() {
    position += reverse ? -1 : 1;
  }

  @Override
  public boolean valid() {
    return position >= 0 && position < keys.size();
  }

  @Override
  public byte[] key() {
    return keys.get(position);
  }

  @Override
  public ValueStruct value() {
    return values.get(position);
  }

  @Override
  public void close() {
  }
}
