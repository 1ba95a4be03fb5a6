package dev.sett.internal.iter;

import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValueIterator;
import dev.sett.internal.key.ValueStruct;
import java.util.ArrayList;
import java.util.List;

/**
 * Merges several sorted sources into one sorted stream. Sources are given newest first; when two
 * sources hold the identical internal key (same user key and version), the earlier (newer) source
 * wins and the other copy is skipped. That rule is what lets a memtable shadow a table and a newer
 * table shadow an older one.
 *
 * <p>Built as a binary tree of two-way merges (as Badger and Pebble do): each step costs one key
 * comparison per tree level, and the tree needs no heap of objects per step.
 *
 * <p>Thread-safety: not thread-safe, like every {@link KeyValueIterator}. Closing it closes every
 * source.
 */
public final class MergeIterator implements KeyValueIterator {
  private final KeyValueIterator left;
  private final KeyValueIterator right;
  private final boolean reverse;
  /** The side holding the current entry; the other side is either exhausted or past it. */
  private KeyValueIterator current;
  private byte[] leftKey;
  private byte[] rightKey;
  private boolean closed;

  private MergeIterator(KeyValueIterator left, KeyValueIterator right, boolean reverse) {
    this.left = left;
    this.right = right;
    this.reverse = reverse;
  }

  /**
   * Merges {@code sources}, newest first. Returns an iterator over nothing for an empty list and the
   * source itself for a single one.
   */
  public static KeyValueIterator of(List<? extends KeyValueIterator> sources, boolean reverse) {
    if (sources.isEmpty()) {
      return new EmptyIterator();
    }
    List<KeyValueIterator> level = new ArrayList<>(sources);
    while (level.size() > 1) {
      List<KeyValueIterator> next = new ArrayList<>((level.size() + 1) / 2);
      for (int i = 0; i + 1 < level.size(); i += 2) {
        next.add(new MergeIterator(level.get(i), level.get(i + 1), reverse));
      }
      if (level.size() % 2 == 1) {
        next.add(level.get(level.size() - 1));
      }
      level = next;
    }
    return level.get(0);
  }

  @Override
  public void rewind() {
    left.rewind();
    right.rewind();
    leftKey = keyOf(left);
    rightKey = keyOf(right);
    choose();
  }

  @Override
  public void seek(byte[] internalKey) {
    left.seek(internalKey);
    right.seek(internalKey);
    leftKey = keyOf(left);
    rightKey = keyOf(right);
    choose();
  }

  @Override
  public void next() {
    if (current == null) {
      throw new IllegalStateException("iterator is not valid");
    }
    if (current == left) {
      left.next();
      leftKey = keyOf(left);
    } else {
      right.next();
      rightKey = keyOf(right);
    }
    choose();
  }

  @Override
  public boolean valid() {
    return current != null;
  }

  @Override
  public byte[] key() {
    return current == left ? leftKey : rightKey;
  }

  @Override
  public ValueStruct value() {
    return current.value();
  }

  private static byte[] keyOf(KeyValueIterator source) {
    return source.valid() ? source.key() : null;
  }

  /** Picks the side with the smaller key (larger in reverse); on a tie skips the right copy. */
  private void choose() {
    if (leftKey != null && rightKey != null) {
      int order = InternalKey.compare(leftKey, rightKey);
      if (order == 0) {
        // Keys are unique within one source, so one step past the duplicate is enough.
        right.next();
        rightKey = keyOf(right);
        current = left;
        return;
      }
      current = (reverse ? order > 0 : order < 0) ? left : right;
    } else if (leftKey != null) {
      current = left;
    } else if (rightKey != null) {
      current = right;
    } else {
      current = null;
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      left.close();
    } finally {
      right.close();
    }
  }

  /** An iterator over nothing. */
  static final class EmptyIterator implements KeyValueIterator {
    @Override
    public void rewind() {
    }

    @Override
    public void seek(byte[] internalKey) {
    }

    @Override
    public void next() {
      throw new IllegalStateException("iterator is not valid");
    }

    @Override
    public boolean valid() {
      return false;
    }

    @Override
    public byte[] key() {
      throw new IllegalStateException("iterator is not valid");
    }

    @Override
    public ValueStruct value() {
      throw new IllegalStateException("iterator is not valid");
    }

    @Override
    public void close() {
    }
  }
}
