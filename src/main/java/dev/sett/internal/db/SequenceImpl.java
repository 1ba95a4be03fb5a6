package dev.sett.internal.db;

import dev.sett.DB;
import dev.sett.Item;
import dev.sett.Sequence;
import java.nio.ByteBuffer;

/**
 * A {@link Sequence} (Badger §1.10): the key holds a big-endian u64, the upper end of the range
 * leased so far; {@link #next} hands out numbers from the lease and leases {@code bandwidth} more
 * when it runs out; {@link #close} gives back what was not used if nobody leased since.
 *
 * <p>Thread-safety: safe for concurrent use (methods are synchronized).
 */
final class SequenceImpl implements Sequence {
  private final DB db;
  private final byte[] key;
  private final long bandwidth;
  private long next;
  private long leased;

  SequenceImpl(DB db, byte[] key, long bandwidth) {
    TxnImpl.validateKey(key);
    if (bandwidth <= 0) {
      throw new IllegalArgumentException("bandwidth must be positive, was " + bandwidth);
    }
    this.db = db;
    this.key = key.clone();
    this.bandwidth = bandwidth;
    lease();
  }

  /** Leases the next range; the fields change only once the lease is committed. */
  private void lease() {
    long[] range = new long[2];
    db.update(txn -> {
      Item item = txn.get(key);
      long stored = item == null ? 0 : ByteBuffer.wrap(item.value()).getLong();
      range[0] = stored;
      range[1] = stored + bandwidth;
      txn.set(key, ByteBuffer.allocate(8).putLong(range[1]).array());
    });
    next = range[0];
    leased = range[1];
  }

  @Override
  public synchronized long next() {
    if (next >= leased) {
      lease();
    }
    return next++;
  }

  @Override
  public synchronized void close() {
    if (db.isClosed()) {
      return;
    }
    db.update(txn -> {
      Item item = txn.get(key);
      if (item != null && ByteBuffer.wrap(item.value()).getLong() == leased) {
        txn.set(key, ByteBuffer.allocate(8).putLong(next).array());
      }
    });
  }
}
