package dev.sett.internal.fs;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A file open for appending. Bytes written reach the operating system (and so survive a crash of
 * the process) when {@code write} returns; {@link #sync()} forces them to the device.
 *
 * <p>Thread-safety: not thread-safe; one writer at a time.
 */
public interface WritableFile extends AutoCloseable {

  /** Appends all remaining bytes of {@code buffer}. */
  void write(ByteBuffer buffer) throws IOException;

  default void write(byte[] bytes, int offset, int length) throws IOException {
    write(ByteBuffer.wrap(bytes, offset, length));
  }

  default void write(byte[] bytes) throws IOException {
    write(bytes, 0, bytes.length);
  }

  /** The number of bytes in the file, that is the offset the next write lands at. */
  long position() throws IOException;

  /** Forces written data (not necessarily metadata such as the modification time) to the device. */
  void sync() throws IOException;

  /** Truncates the file to {@code size} bytes; later writes append after it. */
  void truncate(long size) throws IOException;

  @Override
  void close() throws IOException;
}
