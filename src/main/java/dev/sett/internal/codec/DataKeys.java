package dev.sett.internal.codec;

import java.io.IOException;

/**
 * Where files find the data key that wrote them ({@link KeyRegistry} in an encrypted store, {@link
 * #NONE} in a plain one), and which key new files use.
 *
 * <p>Thread-safety: implementations are safe for concurrent use.
 */
public interface DataKeys {
  /** A plain store's keys: new files are not encrypted, and an encrypted file cannot be read. */
  DataKeys NONE = new DataKeys() {
    @Override
    public DataKey current() {
      return null;
    }

    @Override
    public DataKey key(long id) throws IOException {
      throw new IOException("a file is encrypted with data key " + id
          + " but the store has no encryption key");
    }
  };

  /**
   * The key new files are written with, or null when the store is not encrypted. May make a new
   * key first when the current one is older than the rotation period.
   */
  DataKey current() throws IOException;

  /** Data key {@code id}; an {@link IOException} when the store has none by that id. */
  DataKey key(long id) throws IOException;
}
