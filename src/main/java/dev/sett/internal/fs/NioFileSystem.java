package dev.sett.internal.fs;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** The real file system. Stateless apart from the unmapper, which is looked up once. */
final class NioFileSystem implements FileSystem {
  static final NioFileSystem INSTANCE = new NioFileSystem();

  static final String LOCK_FILE_NAME = "LOCK";

  private final Consumer<MappedByteBuffer> unmapper = findUnmapper();

  private NioFileSystem() {
  }

  @Override
  public WritableFile createFile(Path path) throws IOException {
    Files.createFile(path); // fails if it exists, as CREATE_NEW would
    return new UninterruptibleWritableFile(new RandomAccessFile(path.toFile(), "rw"), 0);
  }

  @Override
  public WritableFile openForAppend(Path path) throws IOException {
    if (!Files.isRegularFile(path)) {
      throw new NoSuchFileException(path.toString());
    }
    RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw");
    try {
      long size = file.length();
      file.seek(size);
      return new UninterruptibleWritableFile(file, size);
    } catch (IOException | RuntimeException e) {
      file.close();
      throw e;
    }
  }

  @Override
  public ReadableFile openForRead(Path path) throws IOException {
    FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
    return new ReadableFile() {
      @Override
      public int read(ByteBuffer buffer, long position) throws IOException {
        return channel.read(buffer, position);
      }

      @Override
      public long size() throws IOException {
        return channel.size();
      }

      @Override
      public void close() throws IOException {
        channel.close();
      }
    };
  }

  @Override
  public MappedFile map(Path path) throws IOException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      long size = channel.size();
      if (size > Integer.MAX_VALUE) {
        throw new IOException(path + " is " + size + " bytes; Sett maps files below 2 GiB only");
      }
      if (size == 0) {
        return new MappedFile(path, ByteBuffer.allocate(0), unmapper);
      }
      return new MappedFile(path, channel.map(FileChannel.MapMode.READ_ONLY, 0, size), unmapper);
    }
  }

  @Override
  public byte[] readAllBytes(Path path) throws IOException {
    return Files.readAllBytes(path);
  }

  @Override
  public boolean exists(Path path) {
    return Files.exists(path);
  }

  @Override
  public long size(Path path) throws IOException {
    return Files.size(path);
  }

  @Override
  public void delete(Path path) throws IOException {
    Files.deleteIfExists(path);
  }

  @Override
  public void rename(Path source, Path target) throws IOException {
    Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  @Override
  public void truncate(Path path, long size) throws IOException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
      channel.truncate(size);
      channel.force(true);
    }
  }

  @Override
  public void createDirectories(Path dir) throws IOException {
    Files.createDirectories(dir);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  @Override
  public List<Path> list(Path dir) throws IOException {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> entries = Files.list(dir)) {
      entries.filter(Files::isRegularFile).sorted().forEach(files::add);
    }
    return files;
  }

  @Override
  public DirectoryLock lock(Path dir, boolean shared) throws IOException {
    Path lockFile = dir.resolve(LOCK_FILE_NAME);
    FileChannel channel = FileChannel.open(lockFile,
        StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = channel.tryLock(0, Long.MAX_VALUE, shared);
    } catch (OverlappingFileLockException e) {
      lock = null;
    } catch (IOException e) {
      channel.close();
      throw e;
    }
    if (lock == null) {
      String holder = readHolder(lockFile);
      channel.close();
      throw new IOException("cannot lock " + lockFile + ": another Sett DB"
          + (holder.isEmpty() ? "" : " (process " + holder + ")") + " is using this directory");
    }
    if (!shared) {
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(
          (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
    }
    FileLock held = lock;
    return new DirectoryLock() {
      @Override
      public Path lockFile() {
        return lockFile;
      }

      @Override
      public void close() throws IOException {
        try {
          held.release();
        } finally {
          channel.close();
        }
      }
    };
  }

  private static String readHolder(Path lockFile) {
    try {
      return new String(Files.readAllBytes(lockFile), StandardCharsets.US_ASCII).trim();
    } catch (NoSuchFileException e) {
      return "";
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * Finds {@code sun.misc.Unsafe.invokeCleaner}, the supported way to unmap a mapping before the
   * garbage collector does on JDK 17 to 25 (module jdk.unsupported). Without it, mappings are left
   * to the collector: correct, only slower to give disk space back.
   */
  private static Consumer<MappedByteBuffer> findUnmapper() {
    try {
      Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
      Field field = unsafeClass.getDeclaredField("theUnsafe");
      field.setAccessible(true);
      Object unsafe = field.get(null);
      Method invokeCleaner = unsafeClass.getMethod("invokeCleaner", ByteBuffer.class);
      return buffer -> {
        try {
          invokeCleaner.invoke(unsafe, buffer);
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException("cannot unmap " + buffer, e);
        }
      };
    } catch (ReflectiveOperationException | RuntimeException e) {
      return buffer -> { };
    }
  }

  /** A channel positioned at its end; writes append. */
  /**
   * A file written through {@link RandomAccessFile}, not a {@code FileChannel}: an interrupt of the
   * writing thread closes a channel (and so the WAL under every later commit), while a
   * {@code RandomAccessFile}'s writes and {@code FileDescriptor.sync} are plain system calls that an
   * interrupt does not touch. Committing threads write the WAL and the value log themselves (the
   * commit pipeline's leader), and any of them may be interrupted by its owner at any time.
   */
  private static final class UninterruptibleWritableFile implements WritableFile {
    private static final int COPY_CHUNK = 64 << 10;
    private final RandomAccessFile file;
    private long position;

    UninterruptibleWritableFile(RandomAccessFile file, long position) {
      this.file = file;
      this.position = position;
    }

    @Override
    public void write(ByteBuffer buffer) throws IOException {
      int length = buffer.remaining();
      if (buffer.hasArray()) {
        file.write(buffer.array(), buffer.arrayOffset() + buffer.position(), length);
        buffer.position(buffer.limit());
      } else {
        byte[] chunk = new byte[Math.min(length, COPY_CHUNK)];
        while (buffer.hasRemaining()) {
          int n = Math.min(chunk.length, buffer.remaining());
          buffer.get(chunk, 0, n);
          file.write(chunk, 0, n);
        }
      }
      position += length;
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      file.write(bytes, offset, length);
      position += length;
    }

    @Override
    public long position() {
      return position;
    }

    @Override
    public void sync() throws IOException {
      file.getFD().sync();
    }

    @Override
    public void truncate(long size) throws IOException {
      if (size < file.length()) { // as FileChannel.truncate: never grows the file
        file.setLength(size);
      }
      position = Math.min(position, size);
      file.seek(position);
    }

    @Override
    public void close() throws IOException {
      file.close();
    }
  }
}
