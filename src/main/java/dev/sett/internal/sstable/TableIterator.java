package dev.sett.internal.sstable;

import dev.sett.internal.fs.CorruptFileException;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValueIterator;
import dev.sett.internal.key.ValueStruct;
import java.io.UncheckedIOException;
import java.util.NoSuchElementException;

/**
 * Iterates over one table's entries, forward or in reverse, block by block. Keys are compared and
 * decoded in place in the current block; {@link #key()} and {@link #value()} copy.
 *
 * <p>Holds a reference to the table from creation to {@link #close()}. A damaged block ends the
 * iteration with an {@link UncheckedIOException} wrapping the {@link CorruptFileException}; the
 * iterator is then invalid until repositioned.
 *
 * <p>Thread-safety: not thread-safe.
 */
final class TableIterator implements KeyValueIterator {
  private final Table table;
  private final TableIndex index;
  private final boolean reverse;
  private boolean closed;
  private int blockIndex = -1;
  private Block block;
  /** The current entry of {@link #block}; the iterator is valid iff it is in range. */
  private int entry = -1;
  /** The current entry's key, once copied; null until {@link #key()} asks. One copy a position. */
  private byte[] key;

  TableIterator(Table table, boolean reverse) {
    this.table = table;
    try {
      this.index = table.indexes().index(); // held for the iterator's life, evicted or not
    } catch (CorruptFileException e) {
      table.release();
      throw new UncheckedIOException(e);
    }
    this.reverse = reverse;
  }

  @Override
  public void rewind() {
    checkOpen();
    key = null;
    if (reverse) {
      enterBlock(index.blockCount() - 1);
      entry = block.entryCount() - 1;
    } else {
      enterBlock(0);
      entry = 0;
    }
  }

  @Override
  public void seek(byte[] internalKey) {
    checkOpen();
    key = null;
    if (internalKey.length < InternalKey.SUFFIX_LENGTH) {
      throw new IllegalArgumentException("seek needs an internal key, got " + internalKey.length
          + " bytes");
    }
    int candidate = index.findBlock(internalKey);
    if (reverse) {
      seekBackward(candidate, internalKey);
    } else {
      seekForward(Math.max(0, candidate), internalKey);
    }
  }

  /** Goes to the first entry {@code >= key}, which is in block {@code candidate} or opens the next. */
  private void seekForward(int candidate, byte[] key) {
    enterBlock(candidate);
    entry = search(key);
    if (entry == block.entryCount()) {
      nextBlock();
    }
  }

  /** Goes to the last entry {@code <= key}; block {@code candidate}'s first key is {@code <= key}. */
  private void seekBackward(int candidate, byte[] key) {
    if (candidate < 0) {
      invalidate();
      return;
    }
    enterBlock(candidate);
    int found = search(key);
    entry = found < block.entryCount() && compareKey(found, key) == 0 ? found : found - 1;
  }

  @Override
  public void next() {
    checkValid();
    key = null;
    if (reverse) {
      if (--entry < 0) {
        previousBlock();
      }
    } else if (++entry == block.entryCount()) {
      nextBlock();
    }
  }

  @Override
  public boolean valid() {
    return block != null && entry >= 0 && entry < block.entryCount();
  }

  @Override
  public byte[] key() {
    checkValid();
    if (key != null) {
      return key;
    }
    try {
      key = block.key(entry);
      return key;
    } catch (CorruptFileException e) {
      throw fail(e);
    }
  }

  @Override
  public ValueStruct value() {
    checkValid();
    try {
      return block.value(entry);
    } catch (CorruptFileException e) {
      throw fail(e);
    }
  }

  @Override
  public void close() {
    if (!closed) {
      closed = true;
      invalidate();
      table.release();
    }
  }

  private void nextBlock() {
    if (blockIndex + 1 < index.blockCount()) {
      enterBlock(blockIndex + 1);
      entry = 0;
    } else {
      invalidate();
    }
  }

  private void previousBlock() {
    if (blockIndex > 0) {
      enterBlock(blockIndex - 1);
      entry = block.entryCount() - 1;
    } else {
      invalidate();
    }
  }

  private void enterBlock(int newIndex) {
    if (newIndex == blockIndex && block != null) {
      return;
    }
    try {
      block = table.readBlock(index, newIndex);
      blockIndex = newIndex;
    } catch (CorruptFileException e) {
      throw fail(e);
    }
  }

  private int search(byte[] key) {
    try {
      return block.search(key);
    } catch (CorruptFileException e) {
      throw fail(e);
    }
  }

  private int compareKey(int index, byte[] key) {
    try {
      return block.compareKey(index, key);
    } catch (CorruptFileException e) {
      throw fail(e);
    }
  }

  private UncheckedIOException fail(CorruptFileException e) {
    invalidate();
    return new UncheckedIOException(e);
  }

  private void invalidate() {
    key = null;
    block = null;
    blockIndex = -1;
    entry = -1;
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("table iterator is closed");
    }
  }

  private void checkValid() {
    checkOpen();
    if (!valid()) {
      throw new NoSuchElementException("table iterator is not positioned on an entry");
    }
  }
}
