package dev.sett.internal.vlog;

import dev.sett.internal.codec.DataKey;
import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.fs.WritableFile;
import dev.sett.internal.key.KeyValue;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Appends transactions' values to one value log file (format: {@code docs/format/value-log.md},
 * summarised in {@link ValueLogFormat}). Each {@link #append} turns one transaction's entries into
 * one record each, built whole in memory and handed to the file in one write, and returns the
 * records' {@link ValuePointer}s.
 *
 * <p>A transaction never spans two files: before appending, the caller asks {@link #wouldExceed}
 * and, when the answer is yes, {@link #seal seals} this file and creates the next one. Files are
 * never appended to after a restart; a new file is created instead.
 *
 * <p>A failed append is rolled back by truncating the file to the end of the last whole record;
 * if even that fails, the writer refuses every later append, because a record appended after a
 * torn one would be dropped with it at recovery.
 *
 * <p>Thread-safety: one writer thread calls {@link #append}, {@link #sync}, {@link #seal} and
 * {@link #close}; {@link #size()} may be read from any thread (it is published after each append,
 * which is what lets {@link ValueLogFile#openActive} readers follow the writer).
 */
public final class ValueLogWriter implements AutoCloseable {
  /** A buffer that grew past this is dropped after use rather than kept for the file's life. */
  private static final int RETAINED_BUFFER_LIMIT = 4 << 20;
  private static final int INITIAL_BUFFER_SIZE = 4096;

  private final Path path;
  private final long fileId;
  private final WritableFile file;
  /** The key that seals each record's body; null for a plain file. */
  private final DataKey dataKey;
  private byte[] buffer = new byte[INITIAL_BUFFER_SIZE];
  /** End of the last whole record; written by the writer thread only. */
  private volatile long size = ValueLogFormat.HEADER_LENGTH;
  private long entryCount;
  /** {@link #size} at the last sync (the header is forced when the file is created). */
  private long syncedSize = ValueLogFormat.HEADER_LENGTH;
  /** Set when a failed append could not be rolled back. */
  private IOException failure;
  private boolean sealed;
  private boolean closed;

  private ValueLogWriter(Path path, long fileId, WritableFile file, DataKey dataKey) {
    this.path = path;
    this.fileId = fileId;
    this.file = file;
    this.dataKey = dataKey;
  }

  /**
   * Creates value log file {@code fileId} in {@code directory} (it must not exist), writes its
   * header and forces the file and its directory entry to disk, so a synced record can never be
   * lost with its file. On failure the partial file is removed.
   */
  public static ValueLogWriter create(FileSystem fileSystem, Path directory, long fileId)
      throws IOException {
    return create(fileSystem, directory, fileId, null);
  }

  /** As {@link #create(FileSystem, Path, long)}, sealing every record under {@code dataKey}. */
  public static ValueLogWriter create(FileSystem fileSystem, Path directory, long fileId,
      DataKey dataKey) throws IOException {
    Objects.requireNonNull(fileSystem, "fileSystem");
    Path path = directory.resolve(ValueLogFile.fileName(fileId));
    WritableFile file = fileSystem.createDurable(path,
        ValueLogFormat.header(fileId, dataKey == null ? 0 : dataKey.id()));
    return new ValueLogWriter(path, fileId, file, dataKey);
  }

  /**
   * Appends one transaction's entries, one record each and all in one write, and returns their
   * pointers in order. The bytes reach the operating system before this returns; {@link #sync}
   * forces them to the device. An empty list writes nothing.
   *
   * @throws IllegalArgumentException if an entry's key is shorter than its version suffix, an
   *     entry is itself a value pointer, or the records would grow the file past 2 GiB
   * @throws IllegalStateException if the writer is sealed or closed
   * @throws IOException if the write fails (the file is rolled back), or an earlier failure could
   *     not be rolled back
   */
  public List<ValuePointer> append(List<KeyValue> entries) throws IOException {
    checkAppendable();
    if (failure != null) {
      throw new IOException("value log " + path + " refuses appends after an earlier write"
          + " failed and could not be rolled back", failure);
    }
    if (entries.isEmpty()) {
      return List.of();
    }
    long length = 0;
    for (KeyValue entry : entries) {
      ValueLogFormat.checkEntry(entry);
      length += ValueLogFormat.recordLength(entry) + sealOverhead();
    }
    long start = size;
    if (start + length > ValueLogFormat.MAX_FILE_SIZE) {
      throw new IllegalArgumentException("a transaction of " + length + " bytes does not fit in"
          + " value log file " + path + " at offset " + start + ": files stay below 2 GiB");
    }
    int total = (int) length;
    byte[] records = total <= buffer.length ? buffer : new byte[total];
    ValuePointer[] pointers = new ValuePointer[entries.size()];
    int at = 0;
    for (int i = 0; i < pointers.length; i++) {
      int end = ValueLogFormat.encodeRecord(entries.get(i), records, at, dataKey);
      pointers[i] = new ValuePointer(fileId, end - at, start + at);
      at = end;
    }
    try {
      file.write(records, 0, total);
    } catch (IOException e) {
      rollBack(e);
      throw e;
    }
    entryCount += pointers.length;
    size = start + total;
    if (records.length <= RETAINED_BUFFER_LIMIT) {
      buffer = records;
    }
    return Arrays.asList(pointers);
  }

  /** Bytes sealing adds to each record: the IV in an encrypted file, else 0. */
  private int sealOverhead() {
    return dataKey == null ? 0 : ValueLogFormat.SEALED_RECORD_OVERHEAD;
  }

  /**
   * Whether appending {@code entries} would take this file past {@code fileSizeLimit} bytes or
   * {@code entryLimit} entries; see {@link #wouldExceed(long, int, long, int)}.
   */
  public boolean wouldExceed(List<KeyValue> entries, long fileSizeLimit, int entryLimit) {
    return wouldExceed(ValueLogFormat.transactionLength(entries)
        + (long) sealOverhead() * entries.size(), entries.size(), fileSizeLimit,
        entryLimit);
  }

  /**
   * Whether appending a transaction of {@code transactionBytes} bytes of records (see {@link
   * ValueLogFormat#transactionLength}) and {@code transactionEntries} entries would take this file
   * past {@code fileSizeLimit} bytes ({@code valueLogFileSize}) or {@code entryLimit} entries
   * ({@code valueLogMaxEntries}). When it would, the caller seals this file and appends to a new
   * one. A file with no record yet never exceeds: a transaction bigger than the limits goes alone
   * into a file of its own, since transactions are never split. (It must still fit below 2 GiB.)
   */
  public boolean wouldExceed(long transactionBytes, int transactionEntries, long fileSizeLimit,
      int entryLimit) {
    if (transactionBytes < 0 || transactionEntries < 0) {
      throw new IllegalArgumentException("a transaction of " + transactionBytes + " bytes and "
          + transactionEntries + " entries is impossible");
    }
    if (fileSizeLimit <= ValueLogFormat.HEADER_LENGTH
        || fileSizeLimit > ValueLogFormat.MAX_FILE_SIZE) {
      throw new IllegalArgumentException("value log file size limit " + fileSizeLimit
          + " is outside (" + ValueLogFormat.HEADER_LENGTH + ", 2 GiB)");
    }
    if (entryLimit < 1) {
      throw new IllegalArgumentException("value log entry limit " + entryLimit
          + " is below 1");
    }
    if (entryCount == 0) {
      return false;
    }
    return size + transactionBytes > fileSizeLimit
        || entryCount + transactionEntries > entryLimit;
  }

  /**
   * Forces every appended record to the device; a no-op once sealed, and when nothing was appended
   * since the last sync (a synced commit whose values all stayed in the LSM costs one fsync, the
   * WAL's, not two).
   */
  public void sync() throws IOException {
    if (closed) {
      throw new IllegalStateException("value log writer for " + path + " is closed");
    }
    long appended = size;
    if (!sealed && appended != syncedSize) {
      file.sync();
      syncedSize = appended;
    }
  }

  /**
   * Ends appending: forces the records to the device and closes the file for writing. The file
   * stays; it is read through {@link ValueLogFile#open} from now on. Sealing is idempotent.
   */
  public void seal() throws IOException {
    if (sealed) {
      return;
    }
    if (closed) {
      throw new IllegalStateException("value log writer for " + path + " is closed");
    }
    if (failure != null) {
      throw new IOException("value log " + path + " cannot be sealed: an earlier write failed"
          + " and could not be rolled back", failure);
    }
    file.sync();
    sealed = true;
    file.close();
  }

  /**
   * Closes the file without forcing it to the device (for shutdown after the last sync, or after a
   * failure); idempotent. The file stays where it is.
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (!sealed) {
      file.close();
    }
  }

  /** The end of the last whole record: the offset the next record lands at. */
  public long size() {
    return size;
  }

  /** Records (entries) appended to this file. */
  public long entryCount() {
    return entryCount;
  }

  /** The id of the file being written, in its name and header. */
  public long fileId() {
    return fileId;
  }

  /** The file being written: {@code directory/NNNNNN.vlog}. */
  public Path path() {
    return path;
  }

  /** Whether {@link #seal()} completed. */
  public boolean isSealed() {
    return sealed;
  }

  private void checkAppendable() {
    if (sealed) {
      throw new IllegalStateException("value log " + path + " is sealed");
    }
    if (closed) {
      throw new IllegalStateException("value log writer for " + path + " is closed");
    }
  }

  private void rollBack(IOException cause) {
    try {
      file.truncate(size);
    } catch (IOException rollbackFailure) {
      cause.addSuppressed(rollbackFailure);
      failure = cause;
    }
  }

  @Override
  public String toString() {
    return "ValueLogWriter[" + fileId + ", " + path + ", " + size + " bytes]";
  }
}
