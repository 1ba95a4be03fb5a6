package dev.sett.internal.fs;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * A read-only memory mapping of a whole file, reference-counted. The mapping is unmapped explicitly
 * (not left to the garbage collector) when the last reference is released, so disk space and
 * address space come back at once; an optional action (such as deleting the file) runs right after.
 *
 * <p>Thread-safety: {@link #buffer()} returns an independent view per call, so concurrent readers do
 * not share positions. Callers must hold a reference for as long as they read: reading an unmapped
 * buffer would crash the JVM, which is why every reader of a table or value log file retains it first.
 */
public final class MappedFile extends RefCounted {
  private final Path path;
  private final ByteBuffer mapping;
  private final Consumer<MappedByteBuffer> unmapper;
  private volatile Runnable afterRelease;

  MappedFile(Path path, ByteBuffer mapping, Consumer<MappedByteBuffer> unmapper) {
    this.path = path;
    this.mapping = mapping.order(ByteOrder.LITTLE_ENDIAN);
    this.unmapper = unmapper;
  }

  /** Wraps bytes already in memory (tests, in-memory tables). Releasing it frees nothing. */
  public static MappedFile ofBytes(Path path, byte[] bytes) {
    return new MappedFile(path, ByteBuffer.wrap(bytes), buffer -> { });
  }

  public Path path() {
    return path;
  }

  public long size() {
    return mapping.capacity();
  }

  /** A read-only, little-endian view of the whole file with its own position and limit. */
  public ByteBuffer buffer() {
    return mapping.asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Runs {@code action} once the mapping is gone (used to delete obsolete files). */
  public void runAfterRelease(Runnable action) {
    this.afterRelease = action;
  }

  @Override
  protected void deallocate() {
    if (mapping instanceof MappedByteBuffer mapped) {
      unmapper.accept(mapped);
    }
    Runnable action = afterRelease;
    if (action != null) {
      action.run();
    }
  }

  @Override
  public String toString() {
    return "MappedFile[" + path + "]";
  }
}
