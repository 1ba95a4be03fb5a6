package dev.sett.internal.db;

import dev.sett.ConflictException;
import dev.sett.DB;
import dev.sett.DbClosedException;
import dev.sett.DbIterator;
import dev.sett.Entry;
import dev.sett.Item;
import dev.sett.IteratorOptions;
import dev.sett.MergeOperator;
import dev.sett.Txn;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.BinaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link MergeOperator} (Badger §1.11): {@link #add} writes an operand as a new version of the
 * key; {@link #get} folds the versions, newest first, with {@code fn(older, accumulated)}, stopping
 * before a deleted or expired version and after one that discards earlier versions. Every
 * {@code every}, a background fold writes the result back so the operands can be compacted away.
 *
 * <p>Unlike Badger, which writes the fold back at the newest operand's own version (which could put
 * an older version above a newer one that raced in), Sett writes it as a new version marked
 * discard-earlier-versions, in a transaction that read the operands: an {@link #add} that commits
 * meanwhile makes the fold conflict, and it is retried at the next interval, so no operand is ever
 * lost. Operands are merge entries, which compaction never counts against
 * {@code numVersionsToKeep}, so they survive until folded.
 *
 * <p>Thread-safety: safe for concurrent use.
 */
final class MergeOperatorImpl implements MergeOperator {
  private static final Logger LOG = LoggerFactory.getLogger(MergeOperatorImpl.class);

  private final DB db;
  private final byte[] key;
  private final BinaryOperator<byte[]> fn;
  private final ScheduledExecutorService scheduler;
  private boolean closed;

  /** {@code threads} makes the one thread that folds the key every {@code every}. */
  MergeOperatorImpl(
      DB db, byte[] key, BinaryOperator<byte[]> fn, Duration every, ThreadFactory threads) {
    TxnImpl.validateKey(key);
    if (fn == null) {
      throw new NullPointerException("fn");
    }
    if (every == null || every.isNegative() || every.isZero()) {
      throw new IllegalArgumentException("every must be a positive duration, was " + every);
    }
    this.db = db;
    this.key = key.clone();
    this.fn = fn;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(threads);
    long millis = Math.max(1, every.toMillis());
    scheduler.scheduleWithFixedDelay(this::compactQuietly, millis, millis, TimeUnit.MILLISECONDS);
  }

  @Override
  public void add(byte[] value) {
    if (value == null) {
      throw new NullPointerException("value");
    }
    db.update(txn -> ((TxnImpl) txn).setMergeOperand(key, value));
  }

  @Override
  public byte[] get() {
    byte[][] result = new byte[1][];
    db.view(txn -> result[0] = fold(txn).value);
    return result[0];
  }

  /** The fold of the key's versions as {@code txn} sees them, and how many versions it took. */
  private Fold fold(Txn txn) {
    byte[] accumulated = null;
    int versions = 0;
    try (DbIterator it = txn.newKeyIterator(key, IteratorOptions.DEFAULT)) {
      for (it.rewind(); it.valid(); it.next()) {
        Item item = it.item();
        if (item.isDeletedOrExpired()) {
          break;
        }
        accumulated = accumulated == null ? item.value() : fn.apply(item.value(), accumulated);
        versions++;
        if (item.discardEarlierVersions()) {
          break;
        }
      }
    }
    return new Fold(accumulated, versions);
  }

  private record Fold(byte[] value, int versions) {
  }

  /** Writes the fold back when it spans two or more versions; a concurrent add wins the race. */
  void compact() {
    try {
      db.update(txn -> {
        Fold fold = fold(txn);
        if (fold.versions >= 2) {
          txn.setEntry(Entry.of(key, fold.value).withDiscardEarlierVersions());
        }
      });
    } catch (ConflictException e) {
      LOG.debug("merge of {} raced an add; it is folded at the next interval", this);
    }
  }

  private void compactQuietly() {
    try {
      compact();
    } catch (DbClosedException e) {
      scheduler.shutdown();
    } catch (RuntimeException e) {
      LOG.warn("background merge of {} failed; it is retried at the next interval", this, e);
    }
  }

  /** Stops the background folding after one last fold. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!db.isClosed()) {
      compact();
    }
  }

  @Override
  public String toString() {
    return "MergeOperator[" + new String(key, java.nio.charset.StandardCharsets.ISO_8859_1) + "]";
  }
}
