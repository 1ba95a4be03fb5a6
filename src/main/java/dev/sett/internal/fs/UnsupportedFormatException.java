package dev.sett.internal.fs;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file whose magic is Sett's but whose format version this build does not read: too old or (more
 * often) written by a newer Sett. Distinct from corruption, so the message can say what to do.
 */
public class UnsupportedFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  private final Path file;

  public UnsupportedFormatException(Path file, String what, int found, int supported) {
    super(file + ": " + what + " format version " + found
        + (found > supported ? " was written by a newer Sett" : " is too old")
        + "; this build reads version " + supported);
    this.file = file;
  }

  public Path file() {
    return file;
  }
}
