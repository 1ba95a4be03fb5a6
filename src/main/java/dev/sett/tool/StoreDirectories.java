package dev.sett.tool;

import java.nio.file.Files;
import java.nio.file.Path;

/** Checks shared by the commands that open an existing store. */
final class StoreDirectories {
  private StoreDirectories() {
  }

  /** Fails with a one-line message unless {@code dir} holds a store (a MANIFEST). */
  static void requireStore(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException("no store at " + dir + ": not a directory");
    }
    if (!Files.exists(dir.resolve("MANIFEST"))) {
      throw new IllegalStateException("no store at " + dir + ": it has no MANIFEST");
    }
  }
}
