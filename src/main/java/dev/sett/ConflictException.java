package dev.sett;

/**
 * A read-write transaction could not commit because another transaction, which committed after
 * this one's read timestamp, wrote a key that this one read (serializable snapshot isolation).
 * Nothing of the failed transaction was written.
 *
 * <p>Thrown by {@link Txn#commit()} (and through the future of {@code Txn.commitAsync()}). The
 * caller should retry the whole transaction: open a new one, read again and redo its writes; the
 * new transaction sees the data that caused the conflict. Never thrown when
 * {@link Options#detectConflicts()} is false, nor for a transaction that only wrote.
 */
public class ConflictException extends SettException {
  private static final long serialVersionUID = 1L;

  /**
   * A conflict.
   *
   * @param message which transaction conflicted, for diagnostics
   */
  public ConflictException(String message) {
    super(message);
  }
}
