package dev.sett.internal.manifest;

/**
 * A change set that does not fit the current state (a table created twice, an unknown operation).
 * {@link Manifest} turns it into a {@code CorruptFileException} when replaying the file and into an
 * {@code IllegalArgumentException} when a caller hands it in.
 */
final class InvalidChangeException extends Exception {
  private static final long serialVersionUID = 1L;

  InvalidChangeException(String message) {
    super(message);
  }
}
