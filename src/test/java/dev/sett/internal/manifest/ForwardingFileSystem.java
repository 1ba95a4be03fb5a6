package dev.sett.internal.manifest;

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
 * A file system that delegates every call to another; tests override {@link #wrap} (or a method)
 * to slow down or fail what they need.
 */
class ForwardingFileSystem implements FileSystem {
  private final FileSystem delegate;

  ForwardingFileSystem(FileSystem delegate) {
    this.delegate = delegate;
  }

  /** Wraps every writable file this file system hands out; the default returns it unchanged. */
  WritableFile wrap(WritableFile file) {
    return file;
  }

  @Override
  public WritableFile createFile(Path path) throws IOException {
    return wrap(delegate.createFile(path));
  }

  @Override
  public WritableFile openForAppend(Path path) throws IOException {
    return wrap(delegate.openForAppend(path));
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

  /** A writable file that delegates every call; override what a test needs. */
  static class ForwardingWritableFile implements WritableFile {
    private final WritableFile delegate;

    ForwardingWritableFile(WritableFile delegate) {
      this.delegate = delegate;
    }

    @Override
    public void write(ByteBuffer buffer) throws IOException {
      delegate.write(buffer);
    }

    @Override
    public long position() throws IOException {
      return delegate.position();
    }

    @Override
    public void sync() throws IOException {
      delegate.sync();
    }

    @Override
    public void truncate(long size) throws IOException {
      delegate.truncate(size);
    }

    @Override
    public void close() throws IOException {
      delegate.close();
    }
  }
}
