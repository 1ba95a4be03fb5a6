package dev.sett.internal.vlog;

import dev.sett.internal.fs.ForwardingFileSystem;
import dev.sett.internal.fs.InMemoryFileSystem;
import dev.sett.internal.fs.WritableFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An in-memory file system with switchable faults (a write that stores half its bytes and then
 * fails, a failing truncate, a failing directory sync) that also logs the durability-relevant
 * calls, in order.
 */
final class FailingFileSystem extends ForwardingFileSystem {
  /** The next write to any file stores half its bytes, then throws. */
  volatile boolean failNextWrite;
  /** Every truncate of an open file throws. */
  volatile boolean failTruncate;
  /** Every directory sync throws. */
  volatile boolean failSyncDirectory;
  /** "write N", "sync", "truncate N", "syncDirectory DIR", "close", in call order. */
  final List<String> events = new CopyOnWriteArrayList<>();

  FailingFileSystem() {
    super(new InMemoryFileSystem());
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    events.add("syncDirectory " + dir);
    if (failSyncDirectory) {
      throw new IOException("injected directory sync failure");
    }
    super.syncDirectory(dir);
  }

  @Override
  protected WritableFile wrap(Path path, WritableFile file) {
    return new ForwardingWritableFile(file) {
      @Override
      public void write(ByteBuffer buffer) throws IOException {
        events.add("write " + buffer.remaining());
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
      public void sync() throws IOException {
        events.add("sync");
        super.sync();
      }

      @Override
      public void truncate(long size) throws IOException {
        events.add("truncate " + size);
        if (failTruncate) {
          throw new IOException("injected truncate failure");
        }
        super.truncate(size);
      }

      @Override
      public void close() throws IOException {
        events.add("close");
        super.close();
      }
    };
  }
}
