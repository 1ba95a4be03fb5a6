package dev.sett.internal.db;

import dev.sett.DB;
import dev.sett.Options;
import dev.sett.internal.fs.FileSystem;

/**
 * Opens a store over a given {@link FileSystem}, for the fault-injection and power-loss tests:
 * every file of the store (WALs, tables, MANIFEST and value log) goes through it.
 */
public final class FaultyStores {
  private FaultyStores() {
  }

  /** Opens the store of {@code options} with every file operation going to {@code fileSystem}. */
  public static DB open(Options options, FileSystem fileSystem) {
    return DbImpl.open(options, false, fileSystem);
  }
}
