package dev.sett.internal.vlog;

import dev.sett.internal.fs.CorruptFileException;
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
  void read(long position, byte[] destination) throws IOException;

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
      public void read(long position, byte[] destination) {
        view.get(Math.toIntExact(position), destination, 0, destination.length);
      }

      @Override
      public void close() {
        mapping.release();
      }
    };
  }

  /**
   * Positional reads of a file being appended to, never past {@code size}: records beyond it may
   * be half written. The source owns {@code file}.
   */
  static RecordSource appending(Path path, ReadableFile file, LongSupplier size) {
    return new RecordSource() {
      @Override
      public long size() {
        return size.getAsLong();
      }

      @Override
      public void read(long position, byte[] destination) throws IOException {
        try {
          file.readFully(ByteBuffer.wrap(destination), position);
        } catch (EOFException e) {
          throw new CorruptFileException(path, position,
              "value log file ends inside bytes its writer reported as appended", e);
        }
      }

      @Override
      public void close() throws IOException {
        file.close();
      }
    };
  }
}
