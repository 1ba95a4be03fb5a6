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
 * <p><b>Cost.</b> Positioning ({@link #next}, {@link #seek}, {@link #rewind}) allocates nothing
 * and reads only node words; {@link #key()} copies the key once per position and
 * {@link #value()} copies the value, as the {@link KeyValueIterator} contract requires. A
 * reverse step copies the current key to search for its predecessor.
 *
 * <p>Thread-safety: not thread-safe, like every {@link KeyValueIterator}. It holds a reference to
 * the memtable's arena (see {@link Memtable}) until {@link #close()}, which gives it back once.
 */
final class MemtableIterator implements KeyValueIterator {
  /** Null for an iterator over a memtable already released: it is empty. */
  private final SkipList skipList;
  private final boolean reverse;
  /** Gives the arena reference back; null if none is held. */
  private Runnable release;
  /** Current node address; 0 when not valid. */
  private long node;
  /** The current node's key, once copied; null until {@link #key()} asks. One copy a position. */
  private byte[] key;
  private boolean closed;

  MemtableIterator(SkipList skipList, boolean reverse, Runnable release) {
    this.skipList = skipList;
    this.reverse = reverse;
    this.release = release;
  }

  @Override
  public void rewind() {
    checkOpen();
    key = null;
    if (skipList != null) {
      node = reverse ? skipList.last() : skipList.first();
    }
  }

  @Override
  public void seek(byte[] internalKey) {
    checkOpen();
    key = null;
    if (skipList != null) {
      node = reverse ? skipList.seekLessOrEqual(internalKey)
          : skipList.seekGreaterOrEqual(internalKey);
    }
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
    Runnable releasing = release;
    if (releasing != null) {
      release = null;
      releasing.run();
    }
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
