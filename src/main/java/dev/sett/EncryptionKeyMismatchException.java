package dev.sett;

/**
 * The store was opened with an encryption key (or without one) that does not match the key it
 * was created with: {@link Options#encryptionKey()} cannot decrypt the store's key registry.
 *
 * <p>Thrown by {@link DB#open(Options)} before anything is read or written. The caller should
 * open the store again with the right key. Changing the master key of a store is a separate
 * operation; opening with a new key never re-encrypts anything.
 */
public class EncryptionKeyMismatchException extends SettException {
  private static final long serialVersionUID = 1L;

  /**
   * A wrong encryption key.
   *
   * @param message which key registry the key failed to open
   */
  public EncryptionKeyMismatchException(String message) {
    super(message);
  }
}
