package dev.sett;

/**
 * A write would make its transaction exceed the batch limit ({@link Options#maxBatchSize()} bytes
 * or {@link Options#maxBatchCount()} entries, both derived from {@link Options#memTableSize()}).
 *
 * <p>Thrown by the operation that would exceed the limit ({@code set}, {@code setEntry},
 * {@code delete}); that operation has no effect, and the transaction stays usable. The caller
 * should commit the transaction as it is and continue in a new one (which is what
 * {@code WriteBatch} does by itself), or raise {@link Options#memTableSize()}.
 */
public class TxnTooBigException extends SettException {
  private static final long serialVersionUID = 1L;

  /**
   * A transaction over the batch limit.
   *
   * @param message the limit and the size the transaction would have reached
   */
  public TxnTooBigException(String message) {
    super(message);
  }
}
