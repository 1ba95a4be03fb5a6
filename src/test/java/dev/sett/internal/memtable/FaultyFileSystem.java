package dev.sett.internal.memtable;

import dev.sett.internal.fs.DirectoryLock;
import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.fs.MappedFile;
import dev.sett.internal.fs.ReadableFile;
import dev.sett.internal.fs.WritableFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * The real file system with switchable faults in appends: a write that stores half its bytes and
 * then fails (a full disk, an I/O error), and a truncate that fails.
 */
final class FaultyFileSystem implements FileSystem {
  private final FileSystem delegate = FileSystem.defaultFileSystem();
  /** The next write to any file stores half its bytes, then throws. */
  volatile boolean failNextWrite;
  /** Every truncate of an open file throws. */
  volatile boolean failTruncate;

  @Override
  public WritableFile createFile(Path path) throws IOException {
    return new FaultyWritableFile(delegate.createFile(path));
  }

  @Override
  public WritableFile openForAppend(Path path) throws IOException {
    return new FaultyWritableFile(delegate.openForAppend(path));
  }

  @Override
  public ReadableFile openForRead(Path path) throws IOException {
    return delegate.openForRead(path);
  }

  @Override
  public MappedFile map(Path path) throws IOException {
    return delegate.map(path);
  }

  @Override
  public byte[] readAllBytes(Path path) throws IOException {
    return delegate.readAllBytes(path);
  }

  @Override
  public boolean exists(Path path) {
    return delegate.exists(path);
  }

  @Override
  public long size(Path path) throws IOException {
    return delegate.size(path);
  }

  @Override
  public void delete(Path path) throws IOException {
    delegate.delete(path);
  }

  @Override
  public void rename(Path source, Path target) throws IOException {
    delegate.rename(source, target);
  }

  @Override
  public void truncate(Path path, long size) throws IOException {
    delegate.truncate(path, size);
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    delegate.createDirectories(dir);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    delegate.syncDirectory(dir);
  }

  @Override
  public List<Path> list(Path dir) throws IOException {
    return delegate.list(dir);
  }

  @Override
  public DirectoryLock lock(Path dir, boolean shared) throws IOException {
    return delegate.lock(dir, shared);
  }

  private final class FaultyWritableFile implements WritableFile {
    private final WritableFile file;

    FaultyWritableFile(WritableFile file) {
      this.file = file;
    }

    @Override
    public void write(ByteBuffer buffer) throws IOException {
      if (failNextWrite) {
        failNextWrite = false;
        ByteBuffer half = buffer.duplicate();
        half.limit(half.position() + half.remaining() / 2);
        file.write(half);
        throw new IOException("injected write failure");
      }
      file.write(buffer);
    }

    @Override
    public long position() throws IOException {
      return file.position();
    }

    @Override
    public void sync() throws IOException {
      file.sync();
    }

    @Override
    public void truncate(long size) throws IOException {
      if (failTruncate) {
        throw new IOException("injected truncate failure");
      }
      file.truncate(size);
    }

    @Override
    public void close() throws IOException {
      file.close();
    }
  }
}
