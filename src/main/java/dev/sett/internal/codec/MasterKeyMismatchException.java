package dev.sett.internal.codec;

import java.io.IOException;
import java.nio.file.Path;

/** The master key does not decrypt the key registry: it is not the key the store was made with. */
public final class MasterKeyMismatchException extends IOException {
  private static final long serialVersionUID = 1L;

  /** The key given cannot open the registry at {@code file}. */
  public MasterKeyMismatchException(Path file) {
    super("the encryption key does not open the key registry " + file
        + ": it is not the key this store was encrypted with");
  }
}
