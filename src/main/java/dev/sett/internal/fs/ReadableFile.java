package dev.sett.internal.fs;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A file open for positional reads.
 *
 * <p>Thread-safety: safe for concurrent positional reads.
 */
public interface ReadableFile extends AutoCloseable {

  /** Reads up to {@code buffer.remaining()} bytes at {@code position}; returns -1 at end of file. */
  int read(ByteBuffer buffer, long position) throws IOException;

  /** Fills {@code buffer} completely from {@code position}, or throws {@link java.io.EOFException}. */
  default void readFully(ByteBuffer buffer, long position) throws IOException {
    long at = position;
    while (buffer.hasRemaining()) {
      int n = read(buffer, at);
      if (n < 0) {
        throw new java.io.EOFException("end of file at offset " + at);
      }
      at += n;
    }
  }

  long size() throws IOException;

  @Override
  void close() throws IOException;
}
