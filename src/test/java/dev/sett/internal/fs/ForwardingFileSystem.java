package dev.sett.internal.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

/**
 * A file system that delegates every call to another one: the base of
 * {@link FaultInjectingFileSystem}, the one fault-injecting file system of the tests. It is
 * package-private so that a test needing a fault arms one there (or adds a hook) instead of
 * writing another subclass.
 *
 * <p>Thread-safety: as safe as the delegate and whatever the subclass adds.
 */
class ForwardingFileSystem implements FileSystem {
  private final FileSystem delegate;

  public ForwardingFileSystem(FileSystem delegate) {
    if (delegate == null) {
      throw new NullPointerException("delegate");
    }
    this.delegate = delegate;
  }

  /** The file system every call goes to. */
  protected final FileSystem delegate() {
    return delegate;
  }


  @Override
  public WritableFile createFile(Path path) throws IOException {
    return delegate.createFile(path);
  }

  @Override
  public WritableFile openForAppend(Path path) throws IOException {
    return delegate.openForAppend(path);
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

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + delegate + "]";
  }

  /**
   * A writable file that delegates every call to another one; the fault-injecting file system
   * overrides what it needs to fail. The {@code byte[]} overloads of {@code write} are deliberately not overridden: they
   * funnel into {@link #write(ByteBuffer)}, so overriding that one method catches every write.
   */
  static class ForwardingWritableFile implements WritableFile {
    private final WritableFile delegate;

    public ForwardingWritableFile(WritableFile delegate) {
      if (delegate == null) {
        throw new NullPointerException("delegate");
      }
      this.delegate = delegate;
    }

    /** The file every call goes to. */
    protected final WritableFile delegate() {
      return delegate;
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
