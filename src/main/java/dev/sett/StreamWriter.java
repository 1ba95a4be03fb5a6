package dev.sett;

import java.util.List;

/**
 * Loads sorted key-values straight into tables on the last level of an empty store, bypassing
 * transactions and the write-ahead log (Badger's {@code StreamWriter}); much faster than a
 * {@link WriteBatch} for a bulk load. Versions given are kept.
 *
 * <pre>{@code
 * try (StreamWriter sw = db.newStreamWriter()) {
 *   sw.prepare();
 *   sw.write(sortedKvs);   // as many batches as needed, in key order
 *   sw.flush();            // durable and visible
 * }
 * }</pre>
 *
 * <p>From {@link #prepare()} to {@link #flush()} or {@link #close()}, commits to the store fail
 * with {@link IllegalStateException}. Nothing written is visible before {@link #flush()}; closing
 * without a flush discards it.
 */
public interface StreamWriter extends AutoCloseable {

  /**
   * Checks that the store holds no data and holds commits off until {@link #flush()}.
   *
   * @throws IllegalStateException if the store holds data (nothing is dropped: unlike Badger,
   *     Sett never deletes a store's contents implicitly; call {@link DB#dropAll()} first), or if
   *     already prepared
   */
  void prepare();

  /**
   * Adds a batch: keys ascending (unsigned bytes), across batches too, and versions descending
   * within a key. Values at or above the value threshold go to the value log; deleted KVs are
   * written as tombstones.
   *
   * @throws SettException if the batch is out of order or holds a bad key or version; nothing of
   *     the batch is written and the writer stays usable
   */
  void write(List<KV> kvs);

  /**
   * Makes everything written durable and visible at once; later commits get versions above the
   * highest one written. Commits are allowed again.
   */
  void flush();

  /** Without a {@link #flush()}: discards what was written and allows commits again. Idempotent. */
  @Override
  void close();
}
