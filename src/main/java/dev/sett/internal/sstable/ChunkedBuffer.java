package dev.sett.internal.sstable;

import dev.sett.internal.fs.WritableFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * An append-only byte buffer made of chunks, for the finished blocks of a table being built. Chunks
 * start small (tables of a few entries stay small) and double up to 1 MiB; appending never copies
 * what is already there, so a table is held once, not twice as a growing array would. A streaming
 * builder {@link #drainTo drains} it to its file as it fills, so it then holds only the blocks
 * finished since the last drain.
 *
 * <p>Thread-safety: not thread-safe.
 */
final class ChunkedBuffer {
  private static final int FIRST_CHUNK = 4096;
  private static final int MAX_CHUNK = 1 << 20;

  private final List<byte[]> chunks = new ArrayList<>();
  private byte[] current;
  private int currentLength;
  /** Every byte ever written, drained ones included. */
  private long size;
  /** The bytes written and not yet drained. */
  private long buffered;

  /** Every byte written so far, including those already drained. */
  long size() {
    return size;
  }

  /** The bytes held: written and not yet drained. */
  long buffered() {
    return buffered;
  }

  void write(byte[] bytes, int offset, int length) {
    while (length > 0) {
      if (current == null || currentLength == current.length) {
        int chunkSize = current == null ? FIRST_CHUNK : Math.min(MAX_CHUNK, 2 * current.length);
        current = new byte[chunkSize];
        currentLength = 0;
        chunks.add(current);
      }
      int n = Math.min(length, current.length - currentLength);
      System.arraycopy(bytes, offset, current, currentLength, n);
      currentLength += n;
      offset += n;
      length -= n;
      size += n;
      buffered += n;
    }
  }

  /** Appends the bytes held (everything written since the last drain) to {@code file}. */
  void writeTo(WritableFile file) throws IOException {
    for (byte[] chunk : chunks) {
      file.write(chunk, 0, chunk == current ? currentLength : chunk.length);
    }
  }

  /**
   * Appends the bytes held to {@code file} and forgets them (the largest chunk is kept for reuse);
   * {@link #size} still counts them.
   */
  void drainTo(WritableFile file) throws IOException {
    writeTo(file);
    chunks.clear();
    if (current != null && current.length == MAX_CHUNK) {
      chunks.add(current);
    } else {
      current = null;
    }
    currentLength = 0;
    buffered = 0;
  }
}
