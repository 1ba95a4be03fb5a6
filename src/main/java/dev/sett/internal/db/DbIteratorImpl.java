package dev.sett.internal.db;

import dev.sett.DbIterator;
import dev.sett.Item;
import dev.sett.IteratorOptions;
import dev.sett.internal.iter.BannedKeysIterator;
import dev.sett.internal.iter.BannedKeysIterator;
import dev.sett.internal.iter.MergeIterator;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValueIterator;
import dev.sett.internal.key.ValueStruct;
import dev.sett.internal.vlog.ValuePointer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Turns the merged stream of internal keys (every version of every key, from every source) into
 * what a transaction sees: versions above the read timestamp (or at or below {@code sinceTs})
 * hidden, Sett's reserved keys hidden, and, unless {@code allVersions}, one item per key at its
 * newest visible version, with keys whose newest visible version is deleted or expired skipped.
 *
 * <p>In reverse the merged stream delivers a key's versions oldest first, so the iterator reads all
 * of them and keeps the newest visible one.
 *
 * <p>Thread-safety: not thread-safe.
 */
final class DbIteratorImpl implements DbIterator {
  private final TxnImpl txn;
  private final TxnContext context;
  private final IteratorOptions options;
  private final long readTs;
  private final byte[] prefix;
  /** Non-null for a key iterator: only this exact key is valid. */
  private final byte[] exactKey;
  private final KeyValueIterator merged;
  private final AutoCloseable resources;
  private final long nowSeconds;
  /** The cursor: the next item not yet buffered, or null past the end. */
  private byte[] itemKey;
  private ValueStruct itemValue;
  /** Items ahead of the cursor, the current one first; values read ahead when prefetching. */
  private final ArrayDeque<ItemImpl> buffered = new ArrayDeque<>();
  private final int lookahead;
  /** The size of the next read-ahead batch; reset by seeks. */
  private int batch = FIRST_BATCH;
  private static final int FIRST_BATCH = 8;
  private boolean closed;

  DbIteratorImpl(TxnImpl txn, TxnContext context, IteratorOptions options,
      PendingWritesIterator pendingWrites, byte[] exactKey) {
    this.txn = txn;
    this.context = context;
    this.options = options;
    this.readTs = txn.readTs();
    this.prefix = options.prefix().length == 0 ? null : options.prefix();
    this.exactKey = exactKey;
    this.nowSeconds = context.nowSeconds();
    TxnContext.Sources sources = context.openSources(options.reverse(), options);
    List<KeyValueIterator> all = new ArrayList<>();
    if (pendingWrites != null) {
      all.add(pendingWrites);
    }
    all.addAll(sources.iterators());
    this.merged = BannedKeysIterator.of(MergeIterator.of(all, options.reverse()), context.namespaces());
    this.resources = sources.resources();
    this.lookahead = options.prefetchValues() ? Math.max(1, options.prefetchSize()) : 1;
  }

  @Override
  public void rewind() {
    checkOpen();
    buffered.clear();
    batch = FIRST_BATCH;
    if (prefix != null && prefix.length > 0) {
      seekInternal(prefix);
    } else {
      merged.rewind();
      settle();
      refill();
    }
  }

  @Override
  public void seek(byte[] key) {
    checkOpen();
    if (key == null || key.length == 0) {
      rewind();
      return;
    }
    txn.recordRead(key);
    seekInternal(key);
  }

  private void seekInternal(byte[] key) {
    buffered.clear();
    batch = FIRST_BATCH;
    if (!options.reverse()) {
      merged.seek(InternalKey.of(key, readTs));
    } else if (exactKey != null && Arrays.equals(key, exactKey)) {
      merged.seek(InternalKey.of(exactKey, 0));
    } else if (prefix != null && Arrays.equals(key, prefix)) {
      // The last key with the prefix: seek just below the prefix's successor.
      byte[] successor = successor(prefix);
      if (successor == null) {
        merged.rewind();
      } else {
        merged.seek(InternalKey.of(successor, InternalKey.MAX_VERSION));
      }
    } else {
      merged.seek(InternalKey.of(key, 0));
    }
    settle();
    refill();
  }

  /** The smallest byte string greater than every string with {@code prefix}; null if none. */
  private static byte[] successor(byte[] prefix) {
    for (int i = prefix.length - 1; i >= 0; i--) {
      if (prefix[i] != (byte) 0xFF) {
        byte[] next = Arrays.copyOf(prefix, i + 1);
        next[i]++;
        return next;
      }
    }
    return null;
  }

  @Override
  public boolean valid() {
    checkOpen();
    return !buffered.isEmpty();
  }

  @Override
  public boolean validForPrefix(byte[] prefix) {
    return valid() && startsWith(buffered.peekFirst().keyRef(), prefix);
  }

  @Override
  public void next() {
    checkOpen();
    if (buffered.isEmpty()) {
      throw new IllegalStateException("the iterator is not valid");
    }
    buffered.pollFirst();
    refill();
  }

  @Override
  public Item item() {
    checkOpen();
    ItemImpl current = buffered.peekFirst();
    if (current == null) {
      throw new IllegalStateException("the iterator is not valid");
    }
    txn.recordRead(current.keyRef());
    return current;
  }

  /** Whether the cursor's item is one this iterator returns (prefix, exact key). */
  private boolean cursorValid() {
    return itemKey != null && (prefix == null || startsWith(itemKey, prefix))
        && (exactKey == null || Arrays.equals(itemKey, exactKey));
  }

  /** Moves the cursor past its item to the next one. */
  private void advanceCursor() {
    if (!options.allVersions() && !options.reverse()) {
      skipVersionsOf(itemKey); // the older versions of the key just taken
    } else if (!options.reverse()) {
      merged.next();
    }
    settle();
  }

  /**
   * Buffers items from the cursor until {@link #lookahead} are ahead. When prefetching, the values
   * of the new items that live in the value log are read now, in file and offset order, so that a
   * scan reads the value log sequentially where it can instead of one random read per item.
   */
  private void refill() {
    if (!buffered.isEmpty() && buffered.size() > 1) {
      return; // read ahead in batches: only when the current item is the last one read
    }
    List<Map.Entry<ValuePointer, ItemImpl>> unread = null;
    // Batches grow from 8 up to prefetchSize, as OS readahead does: a seek that reads a few items
    // does not pay for a hundred values it never looks at.
    int target = Math.min(lookahead, batch);
    batch = Math.min(lookahead, batch * 2);
    try {
      while (buffered.size() < target && cursorValid()) {
        ItemImpl item = new ItemImpl(itemKey, itemValue, nowSeconds, context.resolver());
        buffered.addLast(item);
        ValuePointer pointer = options.prefetchValues() ? item.unreadPointer() : null;
        if (pointer != null) {
          if (unread == null) {
            unread = new ArrayList<>();
          }
          unread.add(Map.entry(pointer, item));
        }
        advanceCursor();
      }
      if (unread != null) {
        unread.sort(Map.Entry.comparingByKey()); // file, then offset: the order they were written
        for (Map.Entry<ValuePointer, ItemImpl> entry : unread) {
          try {
            entry.getValue().prefetch();
          } catch (RuntimeException e) {
            // Not lost: the item stays unread, and its value() reads again and throws.
          }
        }
      }
    } catch (RuntimeException e) {
      throw Errors.convert(e);
    }
  }

  /**
   * Positions on the next item at or after the merged iterator's position. Forward, the merged
   * iterator stays on the item's entry; in reverse it has already moved past the item's versions.
   */
  private void settle() {
    itemKey = null;
    itemValue = null;
    try {
      while (merged.valid()) {
        byte[] key = merged.key();
        if (!inRange(key)) {
          if (pastRange(key)) {
            return;
          }
          merged.next();
          continue;
        }
        if (options.reverse() ? takeReverse(key) : takeForward(key)) {
          return;
        }
      }
    } catch (RuntimeException e) {
      throw Errors.convert(e);
    }
  }

  /** Forward: makes the entry at {@code key} the item if it should be; else moves past it. */
  private boolean takeForward(byte[] key) {
    if (!visible(key, InternalKey.version(key))) {
      merged.next();
      return false;
    }
    ValueStruct value = merged.value();
    if (!options.allVersions() && value.isDeletedOrExpired(nowSeconds)) {
      // The newest visible version is gone: the older ones must not come back.
      skipVersionsOf(InternalKey.userKey(key));
      return false;
    }
    itemKey = InternalKey.userKey(key);
    itemValue = value;
    return true;
  }

  /**
   * Reverse: the versions of a key arrive oldest first. With all versions each visible one is an
   * item; otherwise reads all of the key's versions and keeps the newest visible one.
   */
  private boolean takeReverse(byte[] key) {
    if (options.allVersions()) {
      boolean visible = visible(key, InternalKey.version(key));
      ValueStruct value = merged.value();
      merged.next();
      if (visible) {
        itemKey = InternalKey.userKey(key);
        itemValue = value;
      }
      return visible;
    }
    byte[] userKey = InternalKey.userKey(key);
    ValueStruct newest = null;
    while (merged.valid() && InternalKey.hasUserKey(merged.key(), userKey)) {
      byte[] versionKey = merged.key();
      if (visible(versionKey, InternalKey.version(versionKey))) {
        newest = merged.value();
      }
      merged.next();
    }
    if (newest == null || newest.isDeletedOrExpired(nowSeconds)) {
      return false;
    }
    itemKey = userKey;
    itemValue = newest;
    return true;
  }

  private void skipVersionsOf(byte[] userKey) {
    while (merged.valid() && InternalKey.hasUserKey(merged.key(), userKey)) {
      merged.next();
    }
  }

  /** Whether the entry's user key is one this iterator may return (prefix, exact key). */
  private boolean inRange(byte[] internalKey) {
    if (exactKey != null) {
      return InternalKey.hasUserKey(internalKey, exactKey);
    }
    return prefix == null || InternalKey.userKeyHasPrefix(internalKey, prefix);
  }

  /** Whether an out-of-range entry lies beyond the range in this iterator's direction. */
  private boolean pastRange(byte[] internalKey) {
    byte[] bound = exactKey != null ? exactKey : prefix;
    int order = InternalKey.compareUserKey(internalKey, bound);
    return options.reverse() ? order < 0 : order > 0;
  }

  private boolean visible(byte[] internalKey, long version) {
    if (Long.compareUnsigned(version, readTs) > 0) {
      return false;
    }
    if (options.sinceTs() > 0 && Long.compareUnsigned(version, options.sinceTs()) <= 0) {
      return false;
    }
    return !InternalKey.userKeyHasPrefix(internalKey, TxnImpl.RESERVED_PREFIX);
  }

  private static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the iterator is closed");
    }
    context.checkOpen();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      merged.close();
    } finally {
      try {
        resources.close();
      } catch (Exception e) {
        throw Errors.convert(e);
      } finally {
        txn.iteratorClosed();
      }
    }
  }

  @Override
  public String toString() {
    ItemImpl current = buffered.peekFirst();
    return "DbIterator[" + (current == null ? "invalid" : current)
        + (closed ? ", closed" : "") + "]";
  }
}
