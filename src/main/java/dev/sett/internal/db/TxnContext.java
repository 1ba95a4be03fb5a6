package dev.sett.internal.db;

import dev.sett.IteratorOptions;
import dev.sett.internal.key.KeyValueIterator;
import dev.sett.internal.key.Namespaces;
import dev.sett.internal.key.ValueStruct;
import dev.sett.internal.txn.Oracle;
import java.util.List;

/**
 * What a transaction needs from the store, and nothing more: no transaction holds the DB itself.
 */
interface TxnContext {

  /** Throws {@code DbClosedException} once the store is closed. */
  void checkOpen();

  /** Throws {@code ReadOnlyException} when the store was opened read-only. */
  void checkWritable();

  /** The clock for TTLs, in unix seconds. */
  long nowSeconds();

  long nowMillis();

  Oracle oracle();

  TxnLimits limits();

  /**
   * The size from which a value goes to the value log now (and so counts only as a pointer
   * toward the transaction's size limit); {@code Integer.MAX_VALUE} without a value log.
   */
  int valueThreshold();

  /** Reads values that live in the value log. */
  ValueResolver resolver();

  /**
   * The newest version at or below {@code readTs} of {@code userKey} in the store, or null. Its
   * value may be a value log pointer: see {@link #resolver()}. Its value array is a fresh copy
   * that nothing else holds: the caller may hand it out as it is.
   */
  ValueStruct lookup(byte[] userKey, long readTs);

  /**
   * Iterators over the store's sources, newest first, for a merge; closing the returned handle
   * releases what they retain. Tables that cannot hold what {@code options} asks for are skipped.
   */
  Sources openSources(boolean reverse, IteratorOptions options);

  /** The store's namespaces; iterators hide the keys of banned ones. */
  Namespaces namespaces();

  /** Throws {@code BannedNamespaceException} when {@code key} lies in a banned namespace. */
  void checkNotBanned(byte[] key);

  /**
   * Reserves the right to commit: waits while a drop runs and while too many commits are queued.
   * Call before {@link Oracle#commit}, and {@link #endCommit} after it, on the same thread.
   */
  void reserveCommit();

  /** Ends what {@link #reserveCommit} began; {@code submitted} says whether the commit was queued. */
  void endCommit(boolean submitted);

  /** Hands a commit holding a slot to the writer (called under the oracle's commit lock). */
  void submit(WritePipeline.Request request);

  /**
   * Writes the queued commits on the calling thread unless another thread is writing them (see
   * {@link WritePipeline#writeQueued}); called after {@link #endCommit} by a committer that waits.
   */
  void writeQueued();

  /** The sources of a merge and what to release when it ends. */
  record Sources(List<KeyValueIterator> iterators, AutoCloseable resources) {
  }

  /** The size limits of one transaction (Badger §1.2.2). */
  record TxnLimits(long maxBatchCount, long maxBatchSize, long maxValueSize, boolean detectConflicts) {
  }
}
