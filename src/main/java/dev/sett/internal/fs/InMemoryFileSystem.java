package dev.sett.internal.fs;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A file system held in memory: the store behind {@code Options.inMemory(true)}, and a base for
 * test file systems. Files are byte arrays; a mapping is a snapshot copy of the file, which is what
 * Sett needs since it maps only files that are complete.
 *
 * <p>Thread-safety: safe for concurrent use; each file's bytes are guarded by the file object.
 */
public final class InMemoryFileSystem implements FileSystem {
  private final Map<Path, MemoryFile> files = new ConcurrentHashMap<>();
  private final Set<Path> directories = ConcurrentHashMap.newKeySet();
  private final Set<Path> locked = new HashSet<>();

  private static Path normalize(Path path) {
    return path.toAbsolutePath().normalize();
  }

  private MemoryFile existing(Path path) throws NoSuchFileException {
    MemoryFile file = files.get(normalize(path));
    if (file == null) {
      throw new NoSuchFileException(path.toString());
    }
    return file;
  }

  @Override
  public WritableFile createFile(Path path) throws IOException {
    MemoryFile file = new MemoryFile();
    if (files.putIfAbsent(normalize(path), file) != null) {
      throw new FileAlreadyExistsException(path.toString());
    }
    return file.writer();
  }

  @Override
  public WritableFile openForAppend(Path path) throws IOException {
    return existing(path).writer();
  }

  @Override
  public ReadableFile openForRead(Path path) throws IOException {
    MemoryFile file = existing(path);
    return new ReadableFile() {
      @Override
      public int read(ByteBuffer buffer, long position) {
        synchronized (file) {
          if (position >= file.length) {
            return -1;
          }
          int n = (int) Math.min(buffer.remaining(), file.length - position);
          buffer.put(file.bytes, (int) position, n);
          return n;
        }
      }

      @Override
      public long size() {
        synchronized (file) {
          return file.length;
        }
      }

      @Override
      public void close() {
      }
    };
  }

  @Override
  public MappedFile map(Path path) throws IOException {
    return MappedFile.ofBytes(path, readAllBytes(path));
  }

  @Override
  public byte[] readAllBytes(Path path) throws IOException {
    MemoryFile file = existing(path);
    synchronized (file) {
      return Arrays.copyOf(file.bytes, file.length);
    }
  }

  @Override
  public boolean exists(Path path) {
    Path normalized = normalize(path);
    return files.containsKey(normalized) || directories.contains(normalized);
  }

  @Override
  public long size(Path path) throws IOException {
    MemoryFile file = existing(path);
    synchronized (file) {
      return file.length;
    }
  }

  @Override
  public void delete(Path path) {
    files.remove(normalize(path));
  }

  @Override
  public void rename(Path source, Path target) throws IOException {
    MemoryFile file = files.remove(normalize(source));
    if (file == null) {
      throw new NoSuchFileException(source.toString());
    }
    files.put(normalize(target), file);
  }

  @Override
  public void truncate(Path path, long size) throws IOException {
    MemoryFile file = existing(path);
    synchronized (file) {
      file.length = (int) Math.min(file.length, size);
    }
  }

  @Override
  public void createDirectories(Path dir) {
    for (Path p = normalize(dir); p != null; p = p.getParent()) {
      directories.add(p);
    }
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    if (!directories.contains(normalize(dir))) {
      throw new FileNotFoundException(dir + " is not a directory");
    }
  }

  @Override
  public List<Path> list(Path dir) {
    Path normalized = normalize(dir);
    List<Path> children = new ArrayList<>();
    for (Path path : files.keySet()) {
      if (normalized.equals(path.getParent())) {
        children.add(path);
      }
    }
    children.sort(null);
    return children;
  }

  @Override
  public DirectoryLock lock(Path dir, boolean shared) throws IOException {
    Path lockFile = normalize(dir).resolve("LOCK");
    synchronized (locked) {
      if (!locked.add(lockFile)) {
        throw new IOException("cannot lock " + lockFile + ": another Sett DB is using this directory");
      }
    }
    return new DirectoryLock() {
      @Override
      public Path lockFile() {
        return lockFile;
      }

      @Override
      public void close() {
        synchronized (locked) {
          locked.remove(lockFile);
        }
      }
    };
  }

  /** One file's bytes; guarded by its own monitor. */
  private static final class MemoryFile {
    byte[] bytes = new byte[0];
    int length;

    WritableFile writer() {
      return new WritableFile() {
        private boolean closed;

        @Override
        public void write(ByteBuffer buffer) throws IOException {
          if (closed) {
            throw new IOException("file is closed");
          }
          synchronized (MemoryFile.this) {
            int n = buffer.remaining();
            if ((long) length + n > Integer.MAX_VALUE - 8) {
              throw new IOException("in-memory file would exceed 2 GiB");
            }
            if (length + n > bytes.length) {
              bytes = Arrays.copyOf(bytes, Math.max(length + n, bytes.length * 2));
            }
            buffer.get(bytes, length, n);
            length += n;
          }
        }

        @Override
        public long position() {
          synchronized (MemoryFile.this) {
            return length;
          }
        }

        @Override
        public void sync() throws IOException {
          if (closed) {
            throw new IOException("file is closed");
          }
        }

        @Override
        public void truncate(long size) {
          synchronized (MemoryFile.this) {
            length = (int) Math.min(length, size);
          }
        }

        @Override
        public void close() {
          closed = true;
        }
      };
    }
  }
}
