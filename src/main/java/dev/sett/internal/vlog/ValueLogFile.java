package dev.sett.internal.vlog;

import dev.sett.internal.codec.DataKey;
import dev.sett.internal.codec.DataKeys;
import dev.sett.internal.fs.CorruptFileException;
import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.fs.MappedFile;
import dev.sett.internal.fs.ReadableFile;
import dev.sett.internal.fs.RefCounted;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One value log file opened for reading ({@code NNNNNN.vlog}; format in
 * {@code docs/format/value-log.md}, summarised in {@link ValueLogFormat}). A sealed file is
 * memory-mapped read-only; the file still being appended to is read with positional reads, never
 * past the end of the last record its {@link ValueLogWriter} finished.
 *
 * <p>Every read verifies: {@link #read} checks that the pointer lies inside the file, that the
 * record header agrees with the pointer's length, and the record's CRC-32C, and throws a
 * {@link CorruptFileException} naming the file and the record's offset when anything is off. It
 * never returns an empty or a wrong value (Badger swallows such errors: reference §13.1).
 *
 * <p>Lifetime: a file starts with one reference, owned by whoever opened it. Each {@link #read}
 * holds a reference while it copies the record out, and a {@link ValueLogScanner} holds one until
 * it is closed; the last {@link #release()} unmaps the file (or closes it) and, after {@link
 * #markForDeletion()}, deletes it. So value log GC can drop a file while readers are still in it:
 * they finish, and the disk space comes back when the last one leaves.
 *
 * <p>Thread-safety: safe for concurrent readers; nothing changes after open except the reference
 * count and the deletion mark, both atomic.
 */
public final class ValueLogFile extends RefCounted {
  private static final Logger LOG = LoggerFactory.getLogger(ValueLogFile.class);
  private static final String FILE_SUFFIX = ".vlog";

  private final FileSystem fileSystem;
  private final Path path;
  private final long id;
  private final RecordSource source;
  /** The key that sealed the records; null for a plain file. */
  private final DataKey dataKey;
  private volatile boolean markedForDeletion;

  private ValueLogFile(FileSystem fileSystem, Path path, long id, RecordSource source,
      DataKey dataKey) {
    this.fileSystem = fileSystem;
    this.path = path;
    this.id = id;
    this.source = source;
    this.dataKey = dataKey;
  }

  /**
   * Maps the sealed value log file {@code fileId} at {@code path} and checks its header: {@link
   * CorruptFileException} for a file that is not a value log, whose header is short or fails its
   * checksum, or that names another file id; {@link
   * dev.sett.internal.fs.UnsupportedFormatException} for a format version this build does not
   * read. Records are checked when read.
   */
  public static ValueLogFile open(FileSystem fileSystem, Path path, long fileId)
      throws IOException {
    return open(fileSystem, path, fileId, DataKeys.NONE);
  }

  /** As {@link #open(FileSystem, Path, long)}; an encrypted file finds its key in {@code keys}. */
  public static ValueLogFile open(FileSystem fileSystem, Path path, long fileId, DataKeys keys)
      throws IOException {
    Objects.requireNonNull(fileSystem, "fileSystem");
    ValueLogFormat.checkFileId(fileId);
    MappedFile mapping = fileSystem.map(path);
    RecordSource source = RecordSource.mapped(mapping);
    return openChecked(fileSystem, path, fileId, source, keys);
  }

  /**
   * Opens the file that {@code writer} is appending to, for reads of the records it has finished
   * (the active file cannot be mapped whole, since it grows). Once the writer is sealed, the
   * caller may switch readers to a mapped {@link #open}; this handle stays valid until released.
   */
  public static ValueLogFile openActive(FileSystem fileSystem, ValueLogWriter writer)
      throws IOException {
    return openActive(fileSystem, writer, DataKeys.NONE);
  }

  /** As {@link #openActive(FileSystem, ValueLogWriter)}; the file's key comes from {@code keys}. */
  public static ValueLogFile openActive(FileSystem fileSystem, ValueLogWriter writer,
      DataKeys keys) throws IOException {
    Objects.requireNonNull(fileSystem, "fileSystem");
    ReadableFile file = fileSystem.openForRead(writer.path());
    RecordSource source = RecordSource.appending(fileSystem, writer.path(), file, writer::size);
    return openChecked(fileSystem, writer.path(), writer.fileId(), source, keys);
  }

  private static ValueLogFile openChecked(FileSystem fileSystem, Path path, long fileId,
      RecordSource source, DataKeys keys) throws IOException {
    try {
      int headerLength = (int) Math.min(source.size(), ValueLogFormat.HEADER_LENGTH);
      byte[] header = new byte[headerLength];
      source.read(0, header);
      long dataKeyId = ValueLogFormat.checkHeader(path, header, headerLength, fileId);
      DataKey dataKey = dataKeyId == 0 ? null : keys.key(dataKeyId);
      return new ValueLogFile(fileSystem, path, fileId, source, dataKey);
    } catch (IOException | RuntimeException failure) {
      try {
        source.close();
      } catch (IOException | RuntimeException closeFailure) {
        failure.addSuppressed(closeFailure);
      }
      throw failure;
    }
  }

  /** The file name of value log file {@code id}: {@code %06d.vlog}, for ids in [1, 2^32). */
  public static String fileName(long id) {
    ValueLogFormat.checkFileId(id);
    return String.format(Locale.ROOT, "%06d%s", id, FILE_SUFFIX);
  }

  /** The id in a value log file name as made by {@link #fileName}, or -1 for any other name. */
  public static long parseFileName(String name) {
    if (!name.endsWith(FILE_SUFFIX)) {
      return -1;
    }
    String digits = name.substring(0, name.length() - FILE_SUFFIX.length());
    if (digits.isEmpty() || digits.length() > 10
        || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return -1;
    }
    long id = Long.parseLong(digits);
    if (id < 1 || id > ValueLogFormat.MAX_FILE_ID) {
      return -1;
    }
    return fileName(id).equals(name) ? id : -1;
  }

  /** The file id, from the name and the header. */
  public long id() {
    return id;
  }

  /** The file's path, as named in every {@link CorruptFileException} about it. */
  public Path path() {
    return path;
  }

  /** Bytes readable: the file's size, or for the active file the end of its last whole record. */
  public long size() {
    return source.size();
  }

  /**
   * Reads and verifies the record at {@code pointer}, copying its key and value out of the file.
   * Throws {@link CorruptFileException} naming this file and the pointer's offset when the pointer
   * runs past the end of the file or into the header, disagrees with the record's stored length,
   * or the record fails its checksum or does not parse; {@link IllegalArgumentException} for a
   * pointer to another file (or the zero pointer); {@link IllegalStateException} when the file is
   * already released.
   */
  public ValueLogRecord read(ValuePointer pointer) throws IOException {
    if (pointer.fileId() != id) {
      throw new IllegalArgumentException(pointer + " does not point into value log file " + id);
    }
    if (!tryRetain()) {
      throw new IllegalStateException(this + " is released");
    }
    try {
      return readRecord(pointer, true);
    } finally {
      release();
    }
  }

  /**
   * A scanner over every record from the header on; it holds a reference to this file until it
   * is closed. See {@link ValueLogScanner} for how each {@code mode} treats damage.
   */
  public ValueLogScanner scan(ValueLogScanner.Mode mode) {
    Objects.requireNonNull(mode, "mode");
    retain();
    return new ValueLogScanner(this, mode);
  }

  /** Deletes the file once the last reference is released. */
  public void markForDeletion() {
    markedForDeletion = true;
  }

  /** Whether {@link #markForDeletion()} was called. */
  public boolean isMarkedForDeletion() {
    return markedForDeletion;
  }

  /**
   * Reads the record at {@code pointer}, checking its framing and, if {@code verifyChecksum}, its
   * CRC-32C; the caller holds a reference.
   */
  ValueLogRecord readRecord(ValuePointer pointer, boolean verifyChecksum) throws IOException {
    long offset = pointer.offset();
    long length = pointer.length();
    if (offset < ValueLogFormat.HEADER_LENGTH) {
      throw new CorruptFileException(path, offset, "value pointer " + pointer
          + " points into the " + ValueLogFormat.HEADER_LENGTH + "-byte file header");
    }
    if (length < ValueLogFormat.MIN_RECORD_LENGTH) {
      throw new CorruptFileException(path, offset, "value pointer " + pointer
          + " is shorter than the smallest record, " + ValueLogFormat.MIN_RECORD_LENGTH
          + " bytes");
    }
    long size = source.size();
    if (pointer.end() > size) {
      throw new CorruptFileException(path, offset, "value pointer " + pointer
          + " runs past the end of the file (" + size + " bytes)");
    }
    byte[] record = new byte[(int) length];
    source.read(offset, record);
    return ValueLogFormat.decodeRecord(path, pointer, record, verifyChecksum, dataKey);
  }

  /** Reads {@code destination.length} bytes at {@code position}; the caller checked the bounds. */
  void readBytes(long position, byte[] destination) throws IOException {
    source.read(position, destination);
  }

  @Override
  protected void deallocate() {
    try {
      source.close();
    } catch (IOException e) {
      // The releasing thread may be any reader; nobody is left to throw to.
      LOG.warn("cannot close value log file {}", path, e);
    } finally {
      if (markedForDeletion) {
        deleteFile();
      }
    }
  }

  private void deleteFile() {
    try {
      fileSystem.delete(path);
    } catch (IOException e) {
      // As above: reported, not thrown. The file is an orphan that the next open can remove.
      LOG.warn("cannot delete obsolete value log file {}", path, e);
    }
  }

  @Override
  public String toString() {
    return "ValueLogFile[" + id + ", " + path + "]";
  }
}
