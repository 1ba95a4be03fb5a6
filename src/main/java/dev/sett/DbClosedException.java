package dev.sett;

/**
 * The {@link DB} was used after {@link DB#close()} began, directly or through a transaction,
 * iterator, batch or other object it created.
 *
 * <p>This is a programming error in the caller: the caller should make sure every use of a
 * {@code DB} happens before it is closed (for example by closing it last, in a
 * try-with-resources block around all its users), or open the store again.
 */
public class DbClosedException extends SettException {
  private static final long serialVersionUID = 1L;

  /**
   * A use of a closed DB.
   *
   * @param message the operation that was attempted
   */
  public DbClosedException(String message) {
    super(message);
  }
}
