package dev.sett.internal.vlog;

import dev.sett.internal.codec.DataKeys;
import dev.sett.internal.fs.CorruptFileException;
import dev.sett.internal.fs.FileSystem;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a value log file's records in order from the header on, each verified as by {@link
 * ValueLogFile#read}: for value log GC (which rewrites a sealed file's live records) and for
 * recovery (which finds where the last file's whole records end). Made by {@link
 * ValueLogFile#scan}; it holds a reference to the file until {@link #close()}d, and sees the
 * records that were complete when it was made.
 *
 * <p>A record is <em>damaged</em> when fewer than 8 bytes remain for its header, its stored length
 * is 0 or out of range, it runs past the end of the file, it fails its checksum, or its body does
 * not parse. What happens then depends on the {@link Mode}:
 *
 * <ul>
 *   <li>{@link Mode#SEALED}: a sealed file was synced whole before anything could depend on it, so
 *       damage is corruption: {@link #next()} throws a {@link CorruptFileException} naming the file
 *       and the record's offset. GC must use this mode: silently stopping early would make it
 *       delete a file whose later records are still live.
 *   <li>{@link Mode#RECOVERY}: the file that was being appended to when the process stopped may
 *       end in a tail torn by the crash, and since a power loss can keep unsynced pages out of
 *       order, whole records may follow damaged ones in it. The first damaged record ends the
 *       good prefix: {@link #next()} returns null, {@link #validEnd()} is the end of the last
 *       whole record and {@link #tornTail()} says where the damage starts, why, and how many
 *       whole records follow it. The file holds no transaction framing or sync marks, so whether
 *       the damage is a torn tail or corrupts synced records is decided by the WAL replay: a
 *       transaction whose pointers reach past the damage is dropped with everything after it if
 *       it may have been unsynced, and makes the open fail with corruption if it was synced.
 * </ul>
 *
 * <p>Thread-safety: not thread-safe; one thread per scanner.
 */
public final class ValueLogScanner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ValueLogScanner.class);

  /** How a scanner treats a damaged record. */
  public enum Mode {
    /** Damage is corruption: {@link #next()} throws. For sealed files. */
    SEALED,
    /** Damage ends the good prefix and is reported as a torn tail. For the last file at open. */
    RECOVERY
  }

  /**
   * The damaged end of a file found in {@link Mode#RECOVERY}.
   *
   * @param offset where the first damaged record starts: the end of the last whole record
   * @param length bytes from {@code offset} to the end of the file
   * @param reason what is wrong with the record at {@code offset}
   * @param recordsAfter whole records found after the damage (a tail torn out of order, or
   *     corruption of synced records: see the class comment)
   */
  public record TornTail(long offset, long length, String reason, long recordsAfter) {
    public TornTail(long offset, long length, String reason) {
      this(offset, length, reason, 0);
    }
  }

  /**
   * What {@link #recover} found.
   *
   * @param fileId the file's id
   * @param validEnd the end of the last whole record; pointers ending after it are dangling
   * @param records the number of whole records
   * @param tornTail the damaged tail, or null when the file ends with a whole record
   */
  public record RecoveryResult(long fileId, long validEnd, long records, TornTail tornTail) {
  }

  /** How many bytes of candidate records the search for a good record after damage may check. */
  static final long RESYNC_BUDGET = 256L << 20;

  private final ValueLogFile file;
  private final Mode mode;
  private final long size;
  private final byte[] recordHeader = new byte[ValueLogFormat.RECORD_HEADER_LENGTH];
  /** End of the last whole record. */
  private long position = ValueLogFormat.HEADER_LENGTH;
  private long records;
  private TornTail tornTail;
  private boolean closed;

  /** Takes over a reference the caller has already added to {@code file}. */
  ValueLogScanner(ValueLogFile file, Mode mode) {
    this.file = file;
    this.mode = mode;
    this.size = file.size();
  }

  /**
   * Checks the last file of a value log after a restart: scans it in {@link Mode#RECOVERY} and,
   * when it ends in a torn tail with no whole record after the damage, logs a warning naming the
   * file, offset and byte count and, unless {@code readOnly}, truncates the file to {@link
   * RecoveryResult#validEnd()} (forced to disk) so that nothing can ever read the torn bytes.
   * When whole records follow the damage ({@link TornTail#recordsAfter()}), the file is left as
   * it is: cutting them is up to the caller once the WAL replay has shown that none was synced
   * ({@link #truncateTornTail}). The header must be intact: a damaged header throws as in {@link
   * ValueLogFile#open}.
   */
  public static RecoveryResult recover(FileSystem fileSystem, Path path, long fileId,
      boolean readOnly) throws IOException {
    return recover(fileSystem, path, fileId, readOnly, DataKeys.NONE);
  }

  /** As above, for a file that may be encrypted under one of {@code keys}. */
  public static RecoveryResult recover(FileSystem fileSystem, Path path, long fileId,
      boolean readOnly, DataKeys keys) throws IOException {
    long validEnd;
    long records;
    TornTail tornTail;
    ValueLogFile file = ValueLogFile.open(fileSystem, path, fileId, keys);
    try {
      // Fast path: follow the record lengths to the end, and verify checksums only in the tail
      // window, where a crash can have torn something. Anything unexpected: verify everything.
      LengthWalk walk = walkLengths(file);
      boolean chainReachesTail = walk.end() >= file.size() - RECOVERY_TAIL_WINDOW;
      long start = chainReachesTail ? walk.windowStart() : ValueLogFormat.HEADER_LENGTH;
      long before = chainReachesTail ? walk.recordsBeforeWindow() : 0;
      try (ValueLogScanner scanner = file.scan(Mode.RECOVERY)) {
        scanner.position = start;
        scanner.records = before;
        while (scanner.next() != null) {
          // Each record is verified by next(); recovery needs only where they end.
        }
        validEnd = scanner.validEnd();
        records = scanner.recordCount();
        tornTail = scanner.tornTail();
      }
    } finally {
      file.release(); // unmapped before the truncation below
    }
    if (tornTail != null && tornTail.recordsAfter() > 0) {
      LOG.warn("value log {}: damaged record at offset {} ({}) followed by {} whole records;"
          + " the WAL replay decides whether that is a tail torn out of order or corruption",
          path, validEnd, tornTail.reason(), tornTail.recordsAfter());
    } else if (tornTail != null) {
      if (readOnly) {
        LOG.warn("value log {}: ignoring {} bytes from offset {} ({}); the file is left as it is"
            + " because the store is read-only", path, tornTail.length(), validEnd,
            tornTail.reason());
      } else {
        LOG.warn("value log {}: dropping {} bytes from offset {} ({}); truncating the file to {}"
            + " bytes", path, tornTail.length(), validEnd, tornTail.reason(), validEnd);
        fileSystem.truncate(path, validEnd);
      }
    }
    return new RecoveryResult(fileId, validEnd, records, tornTail);
  }

  /**
   * Cuts a torn tail that {@link #recover} left in place because whole records followed the
   * damage, once the WAL replay has shown that no synced transaction names them: truncates the
   * file to {@code tornTail.offset()} (forced) and logs what was dropped.
   */
  public static void truncateTornTail(FileSystem fileSystem, Path path, TornTail tornTail)
      throws IOException {
    LOG.warn("value log {}: dropping {} bytes from offset {} ({}; {} whole records after it, of"
        + " transactions the crash tore out of order); truncating the file to {} bytes", path,
        tornTail.length(), tornTail.offset(), tornTail.reason(), tornTail.recordsAfter(),
        tornTail.offset());
    fileSystem.truncate(path, tornTail.offset());
  }

  /** Bytes at the end of the last file whose records recovery verifies one by one. */
  static final long RECOVERY_TAIL_WINDOW = 8L << 20;

  /**
   * Where a walk along the record lengths ended, the first record start within {@link
   * #RECOVERY_TAIL_WINDOW} of the file's end, and the number of records before that start.
   */
  private record LengthWalk(long end, long windowStart, long recordsBeforeWindow) {}

  /**
   * Follows the record lengths from the header on without reading bodies. A chain that ends
   * exactly at the end of the file leaves only the tail window to verify: a crash tears only the
   * last transaction's records.
   */
  private static LengthWalk walkLengths(ValueLogFile file) throws IOException {
    long size = file.size();
    long position = ValueLogFormat.HEADER_LENGTH;
    long count = 0;
    long windowStart = -1;
    long windowRecords = 0;
    byte[] header = new byte[ValueLogFormat.RECORD_HEADER_LENGTH];
    while (size - position >= ValueLogFormat.RECORD_HEADER_LENGTH) {
      if (windowStart < 0 && position >= size - RECOVERY_TAIL_WINDOW) {
        windowStart = position;
        windowRecords = count;
      }
      file.readBytes(position, header);
      long bodyLength = ValueLogFormat.storedBodyLength(header, 0);
      if (bodyLength < ValueLogFormat.MIN_BODY_LENGTH
          || bodyLength > size - position - ValueLogFormat.RECORD_HEADER_LENGTH) {
        break;
      }
      position += ValueLogFormat.RECORD_HEADER_LENGTH + bodyLength;
      count++;
    }
    if (windowStart < 0) {
      windowStart = position;
      windowRecords = count;
    }
    return new LengthWalk(position, windowStart, windowRecords);
  }

  /**
   * The next record, verified, or null after the last one. In {@link Mode#SEALED} a damaged record
   * throws {@link CorruptFileException}; in {@link Mode#RECOVERY} it ends the scan (see {@link
   * #tornTail()}).
   */
  public ValueLogRecord next() throws IOException {
    if (closed) {
      throw new IllegalStateException("scanner of " + file + " is closed");
    }
    if (tornTail != null) {
      return null;
    }
    long remaining = size - position;
    if (remaining == 0) {
      return null;
    }
    if (remaining < ValueLogFormat.RECORD_HEADER_LENGTH) {
      return damaged("record header cut short: " + remaining + " bytes left");
    }
    file.readBytes(position, recordHeader);
    long bodyLength = ValueLogFormat.storedBodyLength(recordHeader, 0);
    if (bodyLength < ValueLogFormat.MIN_BODY_LENGTH
        || bodyLength > ValueLogFormat.MAX_BODY_LENGTH) {
      return damaged("record length " + bodyLength + " is out of range ["
          + ValueLogFormat.MIN_BODY_LENGTH + ", " + ValueLogFormat.MAX_BODY_LENGTH + "]");
    }
    long recordLength = ValueLogFormat.RECORD_HEADER_LENGTH + bodyLength;
    if (recordLength > remaining) {
      return damaged("record of " + recordLength + " bytes runs past the end of the file ("
          + remaining + " bytes left)");
    }
    ValueLogRecord record;
    try {
      record = file.readRecord(new ValuePointer(file.id(), recordLength, position), true);
    } catch (CorruptFileException e) {
      if (mode == Mode.SEALED) {
        throw e;
      }
      return damaged(e.reason());
    }
    position += recordLength;
    records++;
    return record;
  }

  /** The end of the last whole record read so far; after the last one, the file's valid end. */
  public long validEnd() {
    return position;
  }

  /** Whole records read so far. */
  public long recordCount() {
    return records;
  }

  /** The damaged tail found in {@link Mode#RECOVERY}, or null while none was found. */
  public TornTail tornTail() {
    return tornTail;
  }

  /** Releases the scanner's reference to the file; idempotent. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      file.release();
    }
  }

  private ValueLogRecord damaged(String reason) throws IOException {
    if (mode == Mode.SEALED) {
      throw new CorruptFileException(file.path(), position, reason);
    }
    long[] budget = {RESYNC_BUDGET};
    long after = 0;
    for (long at = findGoodRecordAfter(position, budget); at >= 0;
        at = findGoodRecordAfter(at, budget)) {
      // Follow the chain of whole records from each one found.
      long length;
      while ((length = wholeRecordAt(at)) > 0) {
        after++;
        at += length;
      }
    }
    tornTail = new TornTail(position, size - position, reason, after);
    return null;
  }

  /** The length of the whole, verified record at {@code at}, or 0. */
  private long wholeRecordAt(long at) throws IOException {
    if (size - at < ValueLogFormat.MIN_RECORD_LENGTH) {
      return 0;
    }
    byte[] header = new byte[ValueLogFormat.RECORD_HEADER_LENGTH];
    file.readBytes(at, header);
    long bodyLength = ValueLogFormat.storedBodyLength(header, 0);
    if (bodyLength < ValueLogFormat.MIN_BODY_LENGTH
        || bodyLength > size - at - ValueLogFormat.RECORD_HEADER_LENGTH) {
      return 0;
    }
    try {
      file.readRecord(new ValuePointer(file.id(),
          ValueLogFormat.RECORD_HEADER_LENGTH + bodyLength, at), true);
      return ValueLogFormat.RECORD_HEADER_LENGTH + bodyLength;
    } catch (CorruptFileException notARecord) {
      return 0;
    }
  }

  /**
   * The offset of the first whole, checksummed record that starts after {@code damaged}, or -1.
   * At most {@code budget[0]} bytes of candidate records are checked (shared by the calls of one
   * search), so arbitrary bytes cannot make the search slow.
   */
  private long findGoodRecordAfter(long damaged, long[] budget) throws IOException {
    byte[] header = new byte[ValueLogFormat.RECORD_HEADER_LENGTH];
    for (long at = damaged + 1; at + ValueLogFormat.MIN_RECORD_LENGTH <= size; at++) {
      file.readBytes(at, header);
      long bodyLength = ValueLogFormat.storedBodyLength(header, 0);
      if (bodyLength < ValueLogFormat.MIN_BODY_LENGTH
          || bodyLength > size - at - ValueLogFormat.RECORD_HEADER_LENGTH) {
        continue;
      }
      budget[0] -= bodyLength;
      if (budget[0] < 0) {
        return -1;
      }
      try {
        file.readRecord(new ValuePointer(file.id(),
            ValueLogFormat.RECORD_HEADER_LENGTH + bodyLength, at), true);
        return at;
      } catch (CorruptFileException notARecord) {
        // keep looking
      }
    }
    return -1;
  }
}
