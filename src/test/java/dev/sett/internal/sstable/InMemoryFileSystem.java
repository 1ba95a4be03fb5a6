package dev.sett.internal.sstable;

import dev.sett.internal.fs.DirectoryLock;
import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.fs.MappedFile;
import dev.sett.internal.fs.ReadableFile;
import dev.sett.internal.fs.WritableFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A file system in memory, for fast tests that damage files byte by byte. It also remembers every
 * mapping it hands out so tests can check that tables release them.
 */
final class InMemoryFileSystem implements FileSystem {
  private final Map<Path, byte[]> files = new ConcurrentHashMap<>();
  private final List<MappedFile> mappings = new ArrayList<>();
  private volatile IOException writeFailure;

  /** Makes every later write fail with {@code failure} (null: writes work again). */
  void failWrites(IOException failure) {
    this.writeFailure = failure;
  }

  byte[] bytes(Path path) {
    return files.get(path).clone();
  }

  void put(Path path, byte[] bytes) {
    files.put(path, bytes.clone());
  }

  synchronized List<MappedFile> mappings() {
    return new ArrayList<>(mappings);
  }

  @Override
  public WritableFile createFile(Path path) throws IOException {
    if (files.putIfAbsent(path, new byte[0]) != null) {
      throw new FileAlreadyExistsException(path.toString());
    }
    return new MemoryWritableFile(path, new ByteArrayOutputStream());
  }

  @Override
  public WritableFile openForAppend(Path path) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(existing(path));
    return new MemoryWritableFile(path, out);
  }

  @Override
  public ReadableFile openForRead(Path path) throws IOException {
    byte[] bytes = existing(path);
    return new ReadableFile() {
      @Override
      public int read(ByteBuffer buffer, long position) {
        if (position >= bytes.length) {
          return -1;
        }
        int n = (int) Math.min(buffer.remaining(), bytes.length - position);
        buffer.put(bytes, (int) position, n);
        return n;
      }

      @Override
      public long size() {
        return bytes.length;
      }

      @Override
      public void close() {
      }
    };
  }

  @Override
  public synchronized MappedFile map(Path path) throws IOException {
    MappedFile mapped = MappedFile.ofBytes(path, existing(path));
    mappings.add(mapped);
    return mapped;
  }

  @Override
  public byte[] readAllBytes(Path path) throws IOException {
    return existing(path).clone();
  }

  @Override
  public boolean exists(Path path) {
    return files.containsKey(path);
  }

  @Override
  public long size(Path path) throws IOException {
    return existing(path).length;
  }

  @Override
  public void delete(Path path) {
    files.remove(path);
  }

  @Override
  public void rename(Path source, Path target) throws IOException {
    files.put(target, existing(source));
    files.remove(source);
  }

  @Override
  public void truncate(Path path, long size) throws IOException {
    files.put(path, java.util.Arrays.copyOf(existing(path), (int) size));
  }

  @Override
  public void createDirectories(Path dir) {
  }

  @Override
  public void syncDirectory(Path dir) {
  }

  @Override
  public List<Path> list(Path dir) {
    return files.keySet().stream().filter(p -> dir.equals(p.getParent())).sorted().toList();
  }

  @Override
  public DirectoryLock lock(Path dir, boolean shared) {
    Path lockFile = dir.resolve("LOCK");
    return new DirectoryLock() {
      @Override
      public Path lockFile() {
        return lockFile;
      }

      @Override
      public void close() {
      }
    };
  }

  private byte[] existing(Path path) throws IOException {
    byte[] bytes = files.get(path);
    if (bytes == null) {
      throw new NoSuchFileException(path.toString());
    }
    return bytes;
  }

  /** Publishes its bytes on every write, as the OS does for a real file. */
  private final class MemoryWritableFile implements WritableFile {
    private final Path path;
    private final ByteArrayOutputStream out;

    MemoryWritableFile(Path path, ByteArrayOutputStream out) {
      this.path = path;
      this.out = out;
    }

    @Override
    public void write(ByteBuffer buffer) throws IOException {
      if (writeFailure != null) {
        throw writeFailure;
      }
      byte[] bytes = new byte[buffer.remaining()];
      buffer.get(bytes);
      out.writeBytes(bytes);
      files.put(path, out.toByteArray());
    }

    @Override
    public long position() {
      return out.size();
    }

    @Override
    public void sync() {
    }

    @Override
    public void truncate(long size) {
      byte[] kept = java.util.Arrays.copyOf(out.toByteArray(), (int) size);
      out.reset();
      out.writeBytes(kept);
      files.put(path, kept);
    }

    @Override
    public void close() {
    }
  }
}
