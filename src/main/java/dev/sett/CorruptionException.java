package dev.sett;

import java.nio.file.Path;

/**
 * Bytes in one of the store's files failed their checksum or could not be parsed. Sett reports
 * damage instead of returning data it cannot vouch for; the message names the file and the byte
 * offset where the damage was found.
 *
 * <p>Thrown by reads that reach the damaged bytes, by {@link DB#verifyChecksum()}, and by
 * {@link DB#open(Options)} when a file the store needs is damaged. The caller should not retry:
 * the damage is on disk. Restore the store from a backup, or copy out what is still readable;
 * {@link #file()} and {@link #offset()} say where to look.
 */
public class CorruptionException extends SettException {
  private static final long serialVersionUID = 1L;

  /** Not serialized: {@link Path} is not serializable. The message keeps the file's name. */
  private final transient Path file;
  private final long offset;

  /**
   * Damage found in {@code file} at {@code offset}.
   *
   * @param message what is wrong, without the file and offset, which are appended
   * @param file the damaged file
   * @param offset the byte offset in {@code file} where the damage was found
   * @param cause the underlying failure, or null
   */
  public CorruptionException(String message, Path file, long offset, Throwable cause) {
    super(message + " (file " + file + ", offset " + offset + ")", cause);
    this.file = file;
    this.offset = offset;
  }

  /**
   * Damage found in {@code file} at {@code offset}, with no underlying failure.
   *
   * @param message what is wrong, without the file and offset, which are appended
   * @param file the damaged file
   * @param offset the byte offset in {@code file} where the damage was found
   */
  public CorruptionException(String message, Path file, long offset) {
    this(message, file, offset, null);
  }

  /**
   * The damaged file.
   *
   * @return the file's path, or null in a deserialized copy of this exception
   */
  public Path file() {
    return file;
  }

  /**
   * Where in {@link #file()} the damage was found.
   *
   * @return the byte offset from the start of the file
   */
  public long offset() {
    return offset;
  }
}
