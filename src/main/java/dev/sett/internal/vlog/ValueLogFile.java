package dev.sett.internal.vlog;

import dev.sett.internal.codec.DataKey;
import dev.sett.internal.codec.DataKeys;
import dev.sett.internal.codec.LittleEndian;
import dev.sett.internal.codec.Varint;
import dev.sett.internal.fs.CorruptFileException;
import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.fs.MappedFile;
import dev.sett.internal.fs.ReadableFile;
import dev.sett.internal.fs.RefCounted;
import dev.sett.internal.key.InternalKey;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.zip.CRC32C;
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
 * holds a reference while it copies the record out (a {@link ValueLog#readValue} pins the
 * file instead, see {@link dev.sett.internal.fs.ReadPins}), and a {@link ValueLogScanner} holds
 * one until it is closed; the last {@link #release()} unmaps the file (or closes it) and, after
 * {@link #markForDeletion()}, deletes it. So value log GC can drop a file while readers are still in it:
 * they finish, and the disk space comes back when the last one leaves.
 *
 * <p>Thread-safety: safe for concurrent readers; nothing changes after open except the reference
 * count and the deletion mark, both atomic.
 */
public final class ValueLogFile extends RefCounted {
  private static final Logger LOG = LoggerFactory.getLogger(ValueLogFile.class);
  private static final String FILE_SUFFIX = ".vlog";
  /** Bytes of a varint u64 at most. */
  private static final int MAX_EXPIRES_VARINT = 10;
  /**
   * Bytes {@link #readValue} allows the key length's varint: keys below 2 MiB; a longer one takes
   * the whole-record path.
   */
  private static final int MAX_KEY_LENGTH_VARINT = 3;

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
    checkBounds(pointer);
    byte[] record = new byte[(int) pointer.length()];
    source.read(pointer.offset(), record);
    return ValueLogFormat.decodeRecord(path, pointer, record, verifyChecksum, dataKey);
  }

  /**
   * The value of the record at {@code pointer}, which must be the record of {@code userKey} at
   * {@code version}, copied once: from the file straight into the returned array. The framing,
   * the key and (if {@code verifyChecksum}) the CRC-32C are checked as {@link #readRecord} checks
   * them, and the checksum is computed over the bytes returned. Throws {@link
   * CorruptFileException} naming this file and the pointer's offset when anything is off; the
   * caller holds a reference (or a pin).
   *
   * <p>The record's head (its header, the two attribute bytes, the two varints and the key) is
   * copied into a small array of its own; the value, the rest of the body, into the result. Any
   * disagreement sends the read down {@link #readRecord}, whose errors say what exactly is wrong,
   * so this path never reports anything {@code readRecord} would not. An encrypted record is
   * decrypted whole, so it is read that way too.
   */
  byte[] readValue(ValuePointer pointer, byte[] userKey, long version, boolean verifyChecksum)
      throws IOException {
    if (dataKey != null) {
      return checkedValue(pointer, userKey, version, verifyChecksum);
    }
    checkBounds(pointer);
    long offset = pointer.offset();
    int length = (int) pointer.length();
    int keyLength = userKey.length + InternalKey.SUFFIX_LENGTH;
    int headLength = Math.min(length,
        ValueLogFormat.RECORD_HEADER_LENGTH + 2 + MAX_EXPIRES_VARINT + MAX_KEY_LENGTH_VARINT
            + keyLength);
    byte[] head = new byte[headLength];
    source.read(offset, head, 0, headLength);
    if (LittleEndian.getUnsignedInt(head, 0) != length - ValueLogFormat.RECORD_HEADER_LENGTH
        || headLength < ValueLogFormat.RECORD_HEADER_LENGTH + ValueLogFormat.MIN_BODY_LENGTH) {
      return checkedValue(pointer, userKey, version, verifyChecksum);
    }
    int position = ValueLogFormat.RECORD_HEADER_LENGTH + 2; // meta and userMeta: the entry's own
    int expiresEnd = varintEnd(head, position, MAX_EXPIRES_VARINT);
    if (expiresEnd < 0) {
      return checkedValue(pointer, userKey, version, verifyChecksum);
    }
    int keyLengthEnd = varintEnd(head, expiresEnd, MAX_KEY_LENGTH_VARINT);
    if (keyLengthEnd < 0 || Varint.read(head, expiresEnd, keyLengthEnd) != keyLength
        || keyLengthEnd + keyLength > headLength
        || !Arrays.equals(head, keyLengthEnd, keyLengthEnd + userKey.length, userKey, 0,
            userKey.length)
        || InternalKey.version(head, keyLengthEnd, keyLength) != version) {
      return checkedValue(pointer, userKey, version, verifyChecksum);
    }
    int valueStart = keyLengthEnd + keyLength;
    byte[] value = new byte[length - valueStart];
    source.read(offset + valueStart, value, 0, value.length);
    if (verifyChecksum) {
      CRC32C crc = new CRC32C();
      crc.update(head, 0, 4);
      crc.update(head, ValueLogFormat.RECORD_HEADER_LENGTH,
          valueStart - ValueLogFormat.RECORD_HEADER_LENGTH);
      crc.update(value, 0, value.length);
      if ((int) crc.getValue() != LittleEndian.getInt(head, 4)) {
        return checkedValue(pointer, userKey, version, verifyChecksum);
      }
    }
    return value;
  }

  /**
   * Where the varint at {@code head[at]} ends, or -1 when it runs past {@code maxBytes} or the
   * array.
   */
  private static int varintEnd(byte[] head, int at, int maxBytes) {
    int end = Math.min(head.length, at + maxBytes);
    for (int i = at; i < end; i++) {
      if (head[i] >= 0) {
        return i + 1;
      }
    }
    return -1;
  }

  /** The slow, whole-record read: {@link #readRecord}, then the key compared. */
  private byte[] checkedValue(ValuePointer pointer, byte[] userKey, long version,
      boolean verifyChecksum) throws IOException {
    ValueLogRecord record = readRecord(pointer, verifyChecksum);
    if (!InternalKey.hasUserKey(record.key(), userKey)
        || InternalKey.version(record.key()) != version) {
      throw new CorruptFileException(path, pointer.offset(), "the value pointer of key "
          + InternalKey.toString(InternalKey.of(userKey, version)) + " names a record of "
          + InternalKey.toString(record.key()));
    }
    return record.value().value();
  }

  private void checkBounds(ValuePointer pointer) throws CorruptFileException {
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
