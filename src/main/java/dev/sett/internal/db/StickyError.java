package dev.sett.internal.db;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The first failure of a background job (a flush that could not be written, a WAL that could not
 * be appended). Once set it stays: every later write fails with it until the store is reopened,
 * because what the store acknowledged after it could not be guaranteed.
 *
 * <p>Thread-safety: safe for concurrent use.
 */
final class StickyError {
  private final AtomicReference<Throwable> first = new AtomicReference<>();

  /** Records {@code error} unless an earlier one is already recorded. */
  void set(Throwable error) {
    first.compareAndSet(null, error);
  }

  Throwable get() {
    return first.get();
  }

  /** Throws an {@link IOException} carrying the recorded failure, if there is one. */
  void throwIfSet() throws IOException {
    Throwable error = first.get();
    if (error != null) {
      throw new IOException("an earlier background failure stopped writes; reopen the store: "
          + error.getMessage(), error);
    }
  }
}
