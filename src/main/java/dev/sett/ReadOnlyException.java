package dev.sett;

/**
 * A write was attempted on a store opened with {@link Options#readOnly()}: a read-write
 * transaction's write or commit, a write batch, a stream writer or load, a drop, a value log
 * garbage collection, or any other operation that would change the files.
 *
 * <p>The caller should open the store without {@code readOnly} to write to it. (A read-only
 * {@link Txn} of a writable store rejects writes with {@link IllegalStateException} instead:
 * that is a misuse of the transaction, not a property of the store.)
 */
public class ReadOnlyException extends SettException {
  private static final long serialVersionUID = 1L;

  /**
   * A write to a read-only store.
   *
   * @param message the operation that was attempted
   */
  public ReadOnlyException(String message) {
    super(message);
  }
}
