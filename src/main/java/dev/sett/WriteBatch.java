package dev.sett;

/**
 * Writes without a read snapshot, committed in as many transactions as needed: when the current
 * transaction would grow too big it is committed in the background and a new one started.
 * {@link #flush()} waits until everything is written. Blind writes never conflict.
 *
 * <p>Thread-safety: not thread-safe.
 */
public interface WriteBatch extends AutoCloseable {

  void set(byte[] key, byte[] value);

  void setEntry(Entry entry);

  void delete(byte[] key);

  /** Commits what is left and waits for every commit of the batch; rethrows the first failure. */
  void flush();

  /** Discards what was not yet committed (what was committed stays). */
  @Override
  void close();
}
