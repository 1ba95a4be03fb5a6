package dev.sett;

/**
 * The root of every exception Sett's public API throws. All of them are unchecked.
 *
 * <p>Thrown as such (rather than as one of its subclasses) when an I/O operation fails: the
 * {@link java.io.IOException} is the cause. A failure of a background job (flush, compaction) is
 * sticky: later writes fail with a {@code SettException} whose cause is the original failure.
 * The caller should treat it as an environment problem (disk full, device error, permissions):
 * close the {@link DB}, fix the cause and reopen; a store whose operations failed this way
 * reopens consistently.
 */
public class SettException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * An exception with a message and no cause.
   *
   * @param message what went wrong
   */
  public SettException(String message) {
    super(message);
  }

  /**
   * An exception with a message and the failure that caused it.
   *
   * @param message what went wrong
   * @param cause the underlying failure, often an {@link java.io.IOException}
   */
  public SettException(String message, Throwable cause) {
    super(message, cause);
  }
}
