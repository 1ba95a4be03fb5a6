package dev.sett.internal.memtable;

import dev.sett.internal.key.KeyValueIterator;
import dev.sett.internal.key.ValueStruct;

/**
 * A forward or reverse cursor over a memtable's skiplist. Forward steps follow level-0 links;
 * reverse steps search from the head for the last key before the current one, as LevelDB's
 * {@code Prev} does, which costs O(log n) a step but needs no backward links.
 *
 * <p>It reads while the writer inserts: it may or may not see entries added after it was
 * created, and never sees a half-written one (see {@link SkipList}). Callers filter by version.
 *
 * <p>Thread-safety: not thread-safe, like every {@link KeyValueIterator}. It holds no file or
 * reference count; {@link #close()} just invalidates it.
 */
final class MemtableIterator implements KeyValueIterator {
  private final SkipList skipList;
  private final boolean reverse;
  /** Current node address; 0 when not valid. */
  private long node;
  /** The current node's key, once copied; null until {@link #key()} asks. One copy a position. */
  private byte[] key;
  private boolean closed;

  MemtableIterator(SkipList skipList, boolean reverse) {
    this.skipList = skipList;
    this.reverse = reverse;
  }

  @Override
  public void rewind() {
    checkOpen();
    key = null;
    node = reverse ? skipList.last() : skipList.first();
  }

  @Override
  public void seek(byte[] internalKey) {
    checkOpen();
    key = null;
    node = reverse ? skipList.seekLessOrEqual(internalKey)
        : skipList.seekGreaterOrEqual(internalKey);
  }

  @Override
  public void next() {
    requireValid();
    key = null;
    node = reverse ? skipList.previous(node) : skipList.next(node);
  }

  @Override
  public boolean valid() {
    return node != 0;
  }

  @Override
  public byte[] key() {
    requireValid();
    byte[] current = key;
    if (current == null) {
      current = skipList.key(node);
      key = current;
    }
    return current;
  }

  @Override
  public ValueStruct value() {
    requireValid();
    return skipList.value(node);
  }

  @Override
  public void close() {
    closed = true;
    node = 0;
    key = null;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("memtable iterator is closed");
    }
  }

  private void requireValid() {
    if (node == 0) {
      throw new IllegalStateException(closed ? "memtable iterator is closed"
          : "memtable iterator is not positioned on an entry");
    }
  }
}
