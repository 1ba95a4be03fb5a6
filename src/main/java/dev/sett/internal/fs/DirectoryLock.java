package dev.sett.internal.fs;

import java.io.IOException;
import java.nio.file.Path;

/** A held directory lock; closing it releases the lock. */
public interface DirectoryLock extends AutoCloseable {

  /** The lock file that names the lock in error messages. */
  Path lockFile();

  @Override
  void close() throws IOException;
}
