package dev.sett.internal.fs;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Bytes on disk that fail a checksum or do not parse. Always names the file and the byte offset
 * where the damage was found; the API layer turns it into {@code dev.sett.CorruptionException}.
 */
public class CorruptFileException extends IOException {
  private static final long serialVersionUID = 1L;

  private final Path file;
  private final long offset;
  private final String reason;

  public CorruptFileException(Path file, long offset, String message) {
    this(file, offset, message, null);
  }

  public CorruptFileException(Path file, long offset, String message, Throwable cause) {
    super(message + " (file " + file + ", offset " + offset + ")", cause);
    this.file = file;
    this.offset = offset;
    this.reason = message;
  }

  /** What is wrong, without the file and offset (which {@link #getMessage()} appends). */
  public String reason() {
    return reason;
  }

  public Path file() {
    return file;
  }

  public long offset() {
    return offset;
  }
}
