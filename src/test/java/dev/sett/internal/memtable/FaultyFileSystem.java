package dev.sett.internal.memtable;

import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.fs.ForwardingFileSystem;
import dev.sett.internal.fs.WritableFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The real file system with switchable faults in appends: a write that stores half its bytes and
 * then fails (a full disk, an I/O error), and a truncate that fails.
 */
final class FaultyFileSystem extends ForwardingFileSystem {
  /** The next write to any file stores half its bytes, then throws. */
  volatile boolean failNextWrite;
  /** Every truncate of an open file throws. */
  volatile boolean failTruncate;

  FaultyFileSystem() {
    super(FileSystem.defaultFileSystem());
  }

  @Override
  protected WritableFile wrap(Path path, WritableFile file) {
    return new ForwardingWritableFile(file) {
      @Override
      public void write(ByteBuffer buffer) throws IOException {
        if (failNextWrite) {
          failNextWrite = false;
          ByteBuffer half = buffer.duplicate();
          half.limit(half.position() + half.remaining() / 2);
          super.write(half);
          throw new IOException("injected write failure");
        }
        super.write(buffer);
      }

      @Override
      public void truncate(long size) throws IOException {
        if (failTruncate) {
          throw new IOException("injected truncate failure");
        }
        super.truncate(size);
      }
    };
  }
}
