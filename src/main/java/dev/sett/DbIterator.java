package dev.sett;

/**
 * An ordered cursor over a transaction's view.
 *
 * <pre>{@code
 * for (it.rewind(); it.valid(); it.next()) { Item item = it.item(); }
 * for (it.seek(prefix); it.validForPrefix(prefix); it.next()) { ... }
 * }</pre>
 *
 * <p>{@link #seek} goes to the first key at or after the target (at or before it in reverse).
 * Without {@link IteratorOptions#allVersions()} each key appears once, at its newest version
 * visible to the transaction, and keys whose newest version is deleted or expired are skipped.
 *
 * <p>Thread-safety: not thread-safe. Close every iterator before the transaction ends.
 */
public interface DbIterator extends AutoCloseable {

  /** Goes to the first key (the last in reverse). */
  void rewind();

  /** Goes to the first key at or after {@code key} (at or before it in reverse). */
  void seek(byte[] key);

  /** Whether there is a current item (and, with a prefix option, it has the prefix). */
  boolean valid();

  /** {@link #valid()} and the current key starts with {@code prefix}. */
  boolean validForPrefix(byte[] prefix);

  /** Moves to the next item. */
  void next();

  /** The current item. */
  Item item();

  @Override
  void close();
}
