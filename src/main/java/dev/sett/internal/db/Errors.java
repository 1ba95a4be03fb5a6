package dev.sett.internal.db;

import dev.sett.CorruptionException;
import dev.sett.EncryptionKeyMismatchException;
import dev.sett.SettException;
import dev.sett.internal.codec.MasterKeyMismatchException;
import dev.sett.internal.fs.CorruptFileException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * The one place where internal failures become the API's unchecked exceptions: corruption (with
 * file and offset) becomes {@link CorruptionException}, any other I/O failure a
 * {@link SettException} with the {@link IOException} as its cause.
 */
final class Errors {
  private Errors() {
  }

  static SettException convert(IOException e) {
    if (e instanceof MasterKeyMismatchException mismatch) {
      EncryptionKeyMismatchException converted =
          new EncryptionKeyMismatchException(mismatch.getMessage());
      converted.initCause(mismatch);
      return converted;
    }
    CorruptFileException corruption = findCorruption(e);
    if (corruption != null) {
      return new CorruptionException(corruption.reason(), corruption.file(),
          corruption.offset(), e);
    }
    return new SettException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
  }

  /** Converts an exception thrown by an internal iterator or a background job. */
  static RuntimeException convert(Throwable e) {
    if (e instanceof UncheckedIOException unchecked) {
      return convert(unchecked.getCause());
    }
    if (e instanceof IOException io) {
      return convert(io);
    }
    if (e instanceof SettException settException) {
      return settException;
    }
    if (e instanceof RuntimeException runtime) {
      return runtime;
    }
    return new SettException(e.toString(), e);
  }

  /**
   * Waits for a commit and throws what it failed with, converted; an interrupt while waiting keeps
   * the thread's interrupt flag and says the commit may or may not have been applied.
   */
  static void awaitCommit(Future<?> commit) {
    try {
      commit.get();
    } catch (ExecutionException e) {
      throw convert(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SettException("interrupted while waiting for the commit; it may or may not be applied", e);
    }
  }

  private static CorruptFileException findCorruption(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof CorruptFileException corruption) {
        return corruption;
      }
    }
    return null;
  }
}
