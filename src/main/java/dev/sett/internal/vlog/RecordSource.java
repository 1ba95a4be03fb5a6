package dev.sett.internal.vlog;

import dev.sett.internal.fs.CorruptFileException;
import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.fs.MappedFile;
import dev.sett.internal.fs.ReadableFile;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.function.LongSupplier;

/**
 * Where the bytes of a {@link ValueLogFile} come from: a read-only mapping for a sealed file, or
 * positional reads bounded by the writer's progress for the active file, which is still growing
 * and so cannot be mapped whole.
 *
 * <p>Thread-safety: implementations are safe for concurrent reads; {@link #close()} runs once,
 * after the last read.
 */
interface RecordSource {

  /** Bytes that may be read: the file's size, or the end of the last whole record appended. */
  long size();

  /** Fills {@code destination} from {@code position}; the caller has checked the bounds. */
  default void read(long position, byte[] destination) throws IOException {
    read(position, destination, 0, destination.length);
  }

  /**
   * Copies {@code length} bytes from {@code position} into {@code destination[offset]}; the
   * caller has checked the bounds.
   */
  void read(long position, byte[] destination, int offset, int length) throws IOException;

  /** Releases the mapping or closes the file. */
  void close() throws IOException;

  /** A whole-file mapping; the source owns the mapping's reference. */
  static RecordSource mapped(MappedFile mapping) {
    // Absolute reads only, which touch no buffer state: one view serves every thread.
    ByteBuffer view = mapping.buffer();
    return new RecordSource() {
      @Override
      public long size() {
        return mapping.size();
      }

      @Override
      public void read(long position, byte[] destination, int offset, int length) {
        view.get(Math.toIntExact(position), destination, offset, length);
      }

      @Override
      public void close() {
        mapping.release();
      }
    };
  }

  /**
   * Reads of a file being appended to, never past {@code size}: records beyond it may be half
   * written. The records already there are read through a read-only mapping of the file's prefix,
   * renewed once {@link #REMAP_BYTES} more have been appended (a mapping cannot grow with the
   * file); the newest records, past the mapping, with positional reads. The source owns {@code
   * file} and its mappings.
   */
  static RecordSource appending(FileSystem fileSystem, Path path, ReadableFile file,
      LongSupplier size) {
    return new AppendingSource(fileSystem, path, file, size);
  }

  /** Mapped bytes are renewed after this many more were appended. */
  long REMAP_BYTES = 16L << 20;

  /** See {@link #appending}. */
  final class AppendingSource implements RecordSource {
    private final FileSystem fileSystem;
    private final Path path;
    private final ReadableFile file;
    private final LongSupplier size;
    private volatile MappedFile mapped;
    private boolean closed;

    AppendingSource(FileSystem fileSystem, Path path, ReadableFile file, LongSupplier size) {
      this.fileSystem = fileSystem;
      this.path = path;
      this.file = file;
      this.size = size;
    }

    @Override
    public long size() {
      return size.getAsLong();
    }

    @Override
    public void read(long position, byte[] destination, int offset, int length)
        throws IOException {
      long end = position + length;
      MappedFile mapping = mapped;
      if ((mapping == null || end > mapping.size()) && size() - mappedSize(mapping) >= REMAP_BYTES) {
        mapping = remap();
      }
      if (mapping != null && end <= mapping.size() && mapping.tryRetain()) {
        try {
          mapping.buffer().get(Math.toIntExact(position), destination, offset, length);
          return;
        } finally {
          mapping.release();
        }
      }
      try {
        file.readFully(ByteBuffer.wrap(destination, offset, length), position);
      } catch (EOFException e) {
        throw new CorruptFileException(path, position,
            "value log file ends inside bytes its writer reported as appended", e);
      }
    }

    private static long mappedSize(MappedFile mapping) {
      return mapping == null ? 0 : mapping.size();
    }

    /** Maps the file as it is now, in place of the previous mapping. */
    private synchronized MappedFile remap() throws IOException {
      MappedFile current = mapped;
      if (closed || size() - mappedSize(current) < REMAP_BYTES) {
        return current;
      }
      MappedFile fresh = fileSystem.map(path);
      mapped = fresh;
      if (current != null) {
        current.release(); // readers inside it hold their own references
      }
      return fresh;
    }

    @Override
    public synchronized void close() throws IOException {
      closed = true;
      MappedFile current = mapped;
      mapped = null;
      if (current != null) {
        current.release();
      }
      file.close();
    }
  }
}
