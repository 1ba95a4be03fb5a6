package dev.sett;

import java.util.concurrent.CompletableFuture;

/**
 * A transaction: a consistent snapshot at {@link #readTs()} plus the writes it buffers until
 * {@link #commit()}.
 *
 * <p>Serializable snapshot isolation: a read-write transaction that read a key which another
 * transaction wrote and committed after this one's read timestamp fails at commit with
 * {@link ConflictException}, and nothing of it is written. Blind writes never conflict.
 *
 * <p>Limits: an operation that would make the transaction larger than the batch limit (derived from
 * {@link Options#memTableSize()}) throws {@link TxnTooBigException}; the transaction stays usable.
 *
 * <p>Thread-safety: not thread-safe; use a transaction from one thread at a time. Closing it
 * discards it (a no-op after commit); closing it with an iterator still open throws
 * {@link IllegalStateException}.
 */
public interface Txn extends AutoCloseable {

  /** Writes {@code value} under {@code key}. */
  void set(byte[] key, byte[] value);

  /** Writes an entry with its attributes (TTL, user meta, discard-earlier-versions). */
  void setEntry(Entry entry);

  /** Deletes {@code key}. */
  void delete(byte[] key);

  /** The current version of {@code key} as this transaction sees it; null when absent, deleted or expired. */
  Item get(byte[] key);

  /** Commits; throws {@link ConflictException} when a read was overwritten since {@link #readTs()}. */
  void commit();

  /** Commits asynchronously; the future fails with the exception {@link #commit()} would throw. */
  CompletableFuture<Void> commitAsync();

  /** Managed mode: commits at {@code commitTs}. */
  void commitAt(long commitTs);

  /**
   * The timestamp this transaction reads at. A read-only transaction takes it when created; a
   * read-write one at its first read (or at this call), so a transaction that only writes never
   * waits for earlier commits to be applied.
   */
  long readTs();

  /** An iterator over this transaction's view, its own pending writes included. */
  DbIterator newIterator(IteratorOptions options);

  /** An iterator over every version of exactly {@code key}, newest first. */
  DbIterator newKeyIterator(byte[] key, IteratorOptions options);

  /** Discards the transaction (idempotent). */
  void discard();

  /** Same as {@link #discard()}. */
  @Override
  void close();
}
