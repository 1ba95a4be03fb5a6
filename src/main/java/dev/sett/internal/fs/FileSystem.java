package dev.sett.internal.fs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The only door from Sett to the disk. Every file operation of the engine goes through an instance
 * of this interface, so that tests can inject I/O errors, full disks and power loss (issue 7) by
 * wrapping {@link #defaultFileSystem()}.
 *
 * <p>Thread-safety: implementations are safe for concurrent use; the handles they return document
 * their own contracts.
 */
public interface FileSystem {

  /** The real file system, backed by {@code java.nio}. */
  static FileSystem defaultFileSystem() {
    return NioFileSystem.INSTANCE;
  }

  /** Creates a new, empty file for appending; fails if the file exists. */
  WritableFile createFile(Path path) throws IOException;

  /**
   * Creates {@code path} (it must not exist) holding {@code header}, and forces the file and its
   * directory entry to disk, so a record synced later can never be lost with its file. On failure
   * the partial file is removed and the failure thrown, with any cleanup failure suppressed in it.
   */
  default WritableFile createDurable(Path path, byte[] header) throws IOException {
    WritableFile file = createFile(path);
    try {
      file.write(header);
      file.sync();
      Path directory = path.toAbsolutePath().getParent();
      if (directory != null) {
        syncDirectory(directory);
      }
      return file;
    } catch (IOException | RuntimeException e) {
      try {
        file.close();
      } catch (IOException closeFailure) {
        e.addSuppressed(closeFailure);
      }
      try {
        delete(path); // a half-made file is removed even when closing it failed
      } catch (IOException deleteFailure) {
        e.addSuppressed(deleteFailure);
      }
      throw e;
    }
  }

  /** Opens an existing file for appending at its current end. */
  WritableFile openForAppend(Path path) throws IOException;

  /** Opens a file for positional reads. */
  ReadableFile openForRead(Path path) throws IOException;

  /**
   * Maps the whole file read-only. The mapping is released, explicitly, when the returned handle's
   * reference count drops to zero; no access through it is allowed afterwards.
   */
  MappedFile map(Path path) throws IOException;

  /** Reads a whole (small) file into memory. */
  byte[] readAllBytes(Path path) throws IOException;

  boolean exists(Path path);

  long size(Path path) throws IOException;

  /** Deletes a file; a missing file is not an error. */
  void delete(Path path) throws IOException;

  /** Renames {@code source} to {@code target}, atomically replacing {@code target}. */
  void rename(Path source, Path target) throws IOException;

  /** Truncates an existing file to {@code size} bytes and forces the change to disk. */
  void truncate(Path path, long size) throws IOException;

  /** Creates the directory and its parents if they are missing. */
  void createDirectories(Path dir) throws IOException;

  /** Forces the directory's entries (creations, deletions, renames) to disk. */
  void syncDirectory(Path dir) throws IOException;

  /** The regular files directly inside {@code dir}, sorted by name. */
  List<Path> list(Path dir) throws IOException;

  /**
   * Takes the directory lock: exclusive for a writer, shared for a read-only open. Fails with an
   * {@link IOException} naming the lock file when another holder (in any process) conflicts.
   */
  DirectoryLock lock(Path dir, boolean shared) throws IOException;
}
