package dev.sett.kafka;

import dev.sett.DB;
import dev.sett.DbIterator;
import dev.sett.IteratorOptions;
import dev.sett.Txn;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.KeyValueIterator;

/**
 * A range of a {@link SettKeyValueStore}: the store's uncommitted writes (a copy taken when the
 * iterator opens) merged over a snapshot of the Sett store, the uncommitted write winning a tie.
 * Both sides are fixed at creation, as a RocksDB iterator is. Keys are bounded by {@code from} and
 * {@code to} (inclusive; null for open) or by a prefix.
 *
 * <p>Thread-safety: one thread at a time. Closing it releases the Sett snapshot; the store closes
 * every iterator still open when it closes.
 */
final class MergingIterator implements KeyValueIterator<Bytes, byte[]> {

  private final Txn snapshot;
  private final DbIterator stored;
  private final Iterator<Map.Entry<Bytes, byte[]>> pending;
  private final boolean reverse;
  private final byte[] lowest;   // data-key bound, inclusive; null = none
  private final byte[] highest;  // data-key bound, inclusive; null = none
  private final byte[] prefix;   // data-key prefix; null = none
  private final Consumer<MergingIterator> onClose;
  private final String storeName;

  private Map.Entry<Bytes, byte[]> pendingHead;
  private KeyValue<Bytes, byte[]> next;
  private boolean closed;

  MergingIterator(DB db, String storeName, List<Map.Entry<Bytes, byte[]>> pendingInOrder,
      byte[] lowestDataKey, byte[] highestDataKey, byte[] dataPrefix, boolean reverse,
      Consumer<MergingIterator> onClose) {
    this.storeName = storeName;
    this.reverse = reverse;
    this.lowest = lowestDataKey;
    this.highest = highestDataKey;
    this.prefix = dataPrefix;
    this.onClose = onClose;
    this.pending = pendingInOrder.iterator();
    this.pendingHead = pending.hasNext() ? pending.next() : null;
    this.snapshot = db.newTransaction(false);
    DbIterator iterator = null;
    try {
      iterator = snapshot.newIterator(IteratorOptions.builder().reverse(reverse).build());
      if (reverse) {
        byte[] target = highestDataKey != null ? highestDataKey : upperLimit(dataPrefix);
        iterator.seek(target);
        if (highestDataKey == null && iterator.valid()
            && Arrays.equals(iterator.item().key(), target)) {
          iterator.next();   // the limit itself lies just past the range
        }
      } else {
        iterator.seek(lowestDataKey != null ? lowestDataKey : lowerLimit(dataPrefix));
      }
    } catch (RuntimeException e) {
      if (iterator != null) {
        iterator.close();
      }
      snapshot.discard();
      throw e;
    }
    this.stored = iterator;
  }

  private static byte[] lowerLimit(byte[] prefix) {
    return prefix != null ? prefix : new byte[] {StoreMetadata.DATA_PREFIX};
  }

  /** The smallest key above every key that starts with {@code prefix} (or every data key). */
  private static byte[] upperLimit(byte[] prefix) {
    byte[] base = prefix != null ? prefix : new byte[] {StoreMetadata.DATA_PREFIX};
    int last = base.length - 1;
    while (last >= 0 && base[last] == (byte) 0xFF) {
      last--;
    }
    // Data keys start with 0x01, so some byte of the prefix is below 0xFF.
    byte[] limit = Arrays.copyOf(base, last + 1);
    limit[last]++;
    return limit;
  }

  private boolean inBounds(byte[] dataKey) {
    if (dataKey.length == 0 || dataKey[0] != StoreMetadata.DATA_PREFIX) {
      return false;
    }
    if (prefix != null && !startsWith(dataKey, prefix)) {
      return false;
    }
    if (lowest != null && Arrays.compareUnsigned(dataKey, lowest) < 0) {
      return false;
    }
    return highest == null || Arrays.compareUnsigned(dataKey, highest) <= 0;
  }

  private static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length
        && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }

  private void advance() {
    while (next == null) {
      byte[] storedKey = null;
      if (stored.valid()) {
        byte[] key = stored.item().key();
        if (inBounds(key)) {
          storedKey = key;
        }
      }
      if (storedKey == null && pendingHead == null) {
        return;
      }
      int order;
      if (storedKey == null) {
        order = 1;   // take pending
      } else if (pendingHead == null) {
        order = -1;  // take stored
      } else {
        int cmp = Arrays.compareUnsigned(storedKey, 1, storedKey.length,
            pendingHead.getKey().get(), 0, pendingHead.getKey().get().length);
        order = reverse ? -cmp : cmp;
        if (order > 0) {
          order = 1;
        } else if (order < 0) {
          order = -1;
        }
      }
      if (order < 0) {
        byte[] value = stored.item().value();
        next = KeyValue.pair(Bytes.wrap(StoreMetadata.userKey(storedKey)), value);
        stored.next();
      } else {
        if (order == 0) {
          stored.next();   // the uncommitted write shadows the stored one
        }
        Map.Entry<Bytes, byte[]> entry = pendingHead;
        pendingHead = pending.hasNext() ? pending.next() : null;
        if (entry.getValue() != WriteBuffer.TOMBSTONE) {
          next = KeyValue.pair(entry.getKey(), entry.getValue());
        }
      }
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new InvalidStateStoreException("iterator of Sett store " + storeName + " is closed");
    }
  }

  @Override
  public boolean hasNext() {
    checkOpen();
    advance();
    return next != null;
  }

  @Override
  public KeyValue<Bytes, byte[]> next() {
    if (!hasNext()) {
      throw new NoSuchElementException("no more entries in this range of Sett store " + storeName);
    }
    KeyValue<Bytes, byte[]> result = next;
    next = null;
    return result;
  }

  @Override
  public Bytes peekNextKey() {
    if (!hasNext()) {
      throw new NoSuchElementException("no more entries in this range of Sett store " + storeName);
    }
    return next.key;
  }

  /** Closes without telling the store (the store is closing it). */
  void closeQuietly() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      stored.close();
    } finally {
      snapshot.discard();
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closeQuietly();
    onClose.accept(this);
  }
}
