package dev.sett.internal.vlog;

import dev.sett.internal.codec.DataKeys;
import dev.sett.internal.fs.CorruptFileException;
import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.fs.ReadPins;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValue;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The value log of one store: its {@code NNNNNN.vlog} files, the one being appended to, and reads
 * through {@link ValuePointer}s. It knows nothing of the LSM tree; the store decides which values
 * come here, reconciles pointers at recovery, and runs garbage collection.
 *
 * <p>Files: ids increase by one per file and are never reused. At open every file is checked: a
 * file holding only its header, except the last, is deleted; the last one is scanned and a torn
 * tail cut off ({@link ValueLogScanner#recover}); then (read-write) a new file is created for the
 * writes of this session, so a file is never appended to across restarts. A transaction's values
 * never span two files: {@link #append} starts a new file first when they would not fit.
 *
 * <p>Reads: sealed files are memory-mapped, the active one is read positionally up to the end of
 * its last whole record. {@link #read} returns null when the file is gone (deleted by GC, or
 * released under the reader): the caller looks the key up again and finds the value's new place.
 *
 * <p>Thread-safety: one writer thread calls {@link #append}, {@link #sync}, {@link #rotate} and
 * {@link #deleteAll}; {@link #read}, {@link #files}, {@link #totalBytes} and {@link #delete} are
 * safe from any thread.
 */
public final class ValueLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ValueLog.class);
  /** Where files written in key order by compactions live until the next open. */
  public static final String RELOCATING_DIR = "relocated";

  /** The size of one file as seen now. */
  public record FileInfo(long id, long size, boolean active) {
  }

  /**
   * How the last file looked at open: pointers into file {@code fileId} that end after {@code
   * validEnd}, or into any later file, name values the crash lost.
   */
  public record Recovery(long fileId, long validEnd) {
    /** Whether {@code pointer} names bytes that did not survive the crash. */
    public boolean lost(ValuePointer pointer) {
      return pointer.fileId() > fileId || (pointer.fileId() == fileId && pointer.end() > validEnd);
    }

    /**
     * Whether a replayed transaction names a value lost in the crash: such a transaction, and
     * every later one, must not come back (WAL replay refuses it).
     */
    public boolean losesValues(List<KeyValue> transaction) {
      for (KeyValue entry : transaction) {
        ValuePointer pointer = ValuePointer.of(entry.value());
        if (pointer != null && lost(pointer)) {
          LOG.warn("dropping the transaction of {} and every later one: its value lies past the"
              + " end of what value log file {} kept ({} bytes)",
              InternalKey.toString(entry.key()), fileId, validEnd);
          return true;
        }
      }
      return false;
    }
  }

  private final FileSystem fileSystem;
  private final Path dir;
  private final ValueLogOptions options;
  private final Map<Long, ValueLogFile> files = new ConcurrentHashMap<>();
  /**
   * Value reads pin the file they read here instead of retaining it; a file removed from
   * {@link #files} or replaced in it is retired to the pins, and released (unmapped, deleted if
   * marked) once no read is pinned in it.
   */
  private final ReadPins<ValueLogFile> pins = new ReadPins<>();
  /** Ids deleted by GC or dropAll, in this session or (from the MANIFEST) before. */
  private final Set<Long> deleted = ConcurrentHashMap.newKeySet();
  private final Recovery recovery;
  /**
   * The last file's damage that {@link #finishRecovery} cuts off, when whole records followed it
   * at open; null when there is none.
   */
  private ValueLogScanner.TornTail pendingTornTail;
  /** Writer thread only (and close). */
  private ValueLogWriter writer;
  private volatile long activeId;
  /** Bytes of records appended in this session. */
  private final java.util.concurrent.atomic.AtomicLong appendedBytes =
      new java.util.concurrent.atomic.AtomicLong();
  private volatile boolean closed;

  /** The store's data keys: which key new files use, and the keys of existing files. */
  private final DataKeys keys;

  private ValueLog(FileSystem fileSystem, Path dir, ValueLogOptions options, Recovery recovery,
      DataKeys keys) {
    this.keys = keys;
    this.fileSystem = fileSystem;
    this.dir = dir;
    this.options = options;
    this.recovery = recovery;
  }

  /**
   * Opens the value log in {@code dir}; see the class comment. {@code deletedFiles} are ids the
   * MANIFEST records as deleted: a leftover file with such an id (a crash between the record and
   * the deletion) is deleted now.
   */
  public static ValueLog open(FileSystem fileSystem, Path dir, ValueLogOptions options,
      Set<Long> deletedFiles) throws IOException {
    return open(fileSystem, dir, options, deletedFiles, DataKeys.NONE);
  }

  /** As above, for a store whose files are encrypted under {@code keys} (or plain: NONE). */
  public static ValueLog open(FileSystem fileSystem, Path dir, ValueLogOptions options,
      Set<Long> deletedFiles, DataKeys keys) throws IOException {
    return open(fileSystem, dir, options, deletedFiles, keys, Set.of());
  }

  /**
   * As above; {@code knownFiles} are the ids the MANIFEST has statistics for. A file that a
   * compaction wrote in key order ({@link #createRelocated}) waits in {@value #RELOCATING_DIR}
   * until its MANIFEST change: if the MANIFEST knows its id, the change was made and the file is
   * moved among the others; if not, the compaction never finished and the file is deleted. A
   * read-only open moves nothing: it reads the known ones where they are.
   */
  public static ValueLog open(FileSystem fileSystem, Path dir, ValueLogOptions options,
      Set<Long> deletedFiles, DataKeys keys, Set<Long> knownFiles) throws IOException {
    Objects.requireNonNull(fileSystem, "fileSystem");
    Objects.requireNonNull(keys, "keys");
    Objects.requireNonNull(knownFiles, "knownFiles");
    if (!options.readOnly()) {
      settleRelocated(fileSystem, dir, deletedFiles, knownFiles);
    }
    TreeMap<Long, Path> found = new TreeMap<>();
    if (options.readOnly()) {
      // Nothing may move: the files the MANIFEST knows are read where they are.
      Path staging = dir.resolve(RELOCATING_DIR);
      if (fileSystem.exists(staging)) {
        for (Path file : fileSystem.list(staging)) {
          long id = ValueLogFile.parseFileName(file.getFileName().toString());
          if (id > 0 && knownFiles.contains(id) && !deletedFiles.contains(id)) {
            found.put(id, file);
          }
        }
      }
    }
    for (Path file : fileSystem.list(dir)) {
      long id = ValueLogFile.parseFileName(file.getFileName().toString());
      if (id < 0) {
        continue;
      }
      if (deletedFiles.contains(id)) {
        if (!options.readOnly()) {
          LOG.info("deleting value log file {}: the MANIFEST records it as deleted", file);
          fileSystem.delete(file);
        }
        continue;
      }
      found.put(id, file);
    }
    long lastId = found.isEmpty() ? 0 : found.lastKey();
    Recovery recovery = new Recovery(lastId, ValueLogFormat.HEADER_LENGTH);
    ValueLogScanner.TornTail pendingTornTail = null;
    Map<Long, ValueLogFile> opened = new TreeMap<>();
    try {
      for (Map.Entry<Long, Path> entry : found.entrySet()) {
        long id = entry.getKey();
        Path path = entry.getValue();
        long size = fileSystem.size(path);
        if (id == lastId) {
          if (size < ValueLogFormat.HEADER_LENGTH && !options.readOnly()) {
            // Created, but the crash came before its header was synced: it never held a record.
            LOG.warn("deleting {}: shorter than a value log header, left by a crash", path);
            fileSystem.delete(path);
            continue;
          }
          ValueLogScanner.RecoveryResult result =
              ValueLogScanner.recover(fileSystem, path, id, options.readOnly(), keys);
          recovery = new Recovery(id, result.validEnd());
          if (result.tornTail() != null && result.tornTail().recordsAfter() > 0) {
            pendingTornTail = result.tornTail();
          } else if (result.records() == 0 && !options.readOnly()) {
            fileSystem.delete(path);
            continue;
          }
        } else if (size <= ValueLogFormat.HEADER_LENGTH && !options.readOnly()) {
          LOG.info("deleting {}: it holds no record", path);
          fileSystem.delete(path);
          continue;
        }
        opened.put(id, ValueLogFile.open(fileSystem, path, id, keys));
      }
      ValueLog log = new ValueLog(fileSystem, dir, options, recovery, keys);
      log.pendingTornTail = pendingTornTail;
      log.files.putAll(opened);
      log.deleted.addAll(deletedFiles);
      if (!options.readOnly()) {
        // On failure the catch below releases the opened files (once: the log never owned them).
        log.startFile(Math.max(lastId, maxDeleted(deletedFiles)) + 1);
      }
      return log;
    } catch (IOException | RuntimeException e) {
      for (ValueLogFile file : opened.values()) {
        file.release();
      }
      throw e;
    }
  }

  /** See {@link #open(FileSystem, Path, ValueLogOptions, Set, DataKeys, Set)}. */
  private static void settleRelocated(FileSystem fileSystem, Path dir, Set<Long> deletedFiles,
      Set<Long> knownFiles) throws IOException {
    Path staging = dir.resolve(RELOCATING_DIR);
    if (!fileSystem.exists(staging)) {
      return;
    }
    boolean moved = false;
    for (Path file : fileSystem.list(staging)) {
      long id = ValueLogFile.parseFileName(file.getFileName().toString());
      if (id > 0 && knownFiles.contains(id) && !deletedFiles.contains(id)) {
        LOG.info("moving {} into the value log: the MANIFEST change that uses it was made", file);
        fileSystem.rename(file, dir.resolve(ValueLogFile.fileName(id)));
        moved = true;
      } else {
        LOG.info("deleting {}: the compaction that wrote it did not finish", file);
        fileSystem.delete(file);
      }
    }
    if (moved) {
      fileSystem.syncDirectory(dir);
    }
  }

  private static long maxDeleted(Set<Long> deletedFiles) {
    long max = 0;
    for (long id : deletedFiles) {
      max = Math.max(max, id);
    }
    return max;
  }

  /** How the last file looked at open, for the WAL replay to drop what points past it. */
  public Recovery recovery() {
    return recovery;
  }

  /** The path of file {@code id}, whether or not it exists. */
  public Path filePath(long id) {
    return dir.resolve(ValueLogFile.fileName(id));
  }

  /**
   * Ends recovery once the WAL replay has accepted what it could: when whole records followed the
   * damage in the last file at open (a tail the crash kept out of order), and the replay showed
   * that no synced transaction names them, they are cut off now, so that nothing can read them
   * and value log GC does not take the damage for corruption. A no-op read-only or when the last
   * file was whole. Call before the store serves reads.
   */
  public void finishRecovery() throws IOException {
    ValueLogScanner.TornTail tornTail = pendingTornTail;
    pendingTornTail = null;
    if (tornTail == null || options.readOnly()) {
      return;
    }
    long id = recovery.fileId();
    Path path = filePath(id);
    ValueLogFile damaged = files.remove(id);
    if (damaged != null) {
      damaged.release(); // unmapped before the truncation
    }
    ValueLogScanner.truncateTornTail(fileSystem, path, tornTail);
    if (tornTail.offset() <= ValueLogFormat.HEADER_LENGTH) {
      fileSystem.delete(path);
      return;
    }
    files.put(id, ValueLogFile.open(fileSystem, path, id, keys));
  }

  /**
   * Appends one transaction's values (entries whose values belong in the value log, in order) and
   * returns their pointers. Starts a new file first if they would take the active one past
   * {@code valueLogFileSize} or {@code valueLogMaxEntries}. Writer thread only.
   */
  public List<ValuePointer> append(List<KeyValue> entries) throws IOException {
    checkWritable();
    if (entries.isEmpty()) {
      return List.of();
    }
    if (writer.wouldExceed(entries, options.fileSize(), options.maxEntries())) {
      rotate();
    }
    long before = writer.size();
    List<ValuePointer> pointers = writer.append(entries);
    appendedBytes.addAndGet(writer.size() - before);
    return pointers;
  }

  /** Bytes of records appended since this value log was opened. */
  public long appendedBytes() {
    return appendedBytes.get();
  }

  /** Forces what was appended to the device. Writer thread only. */
  public void sync() throws IOException {
    checkWritable();
    writer.sync();
  }

  /**
   * Seals the active file (synced, then read through a mapping) and starts the next one, unless
   * the active file holds no record. Writer thread only.
   */
  public void rotate() throws IOException {
    checkWritable();
    if (writer.entryCount() == 0) {
      return;
    }
    ValueLogWriter sealing = writer;
    sealing.seal();
    ValueLogFile sealed = ValueLogFile.open(fileSystem, sealing.path(), sealing.fileId(), keys);
    ValueLogFile previous = files.put(sealing.fileId(), sealed);
    if (previous != null) {
      pins.retire(previous); // released once no pinned read is in it
    }
    startFile(sealing.fileId() + 1);
  }

  /**
   * Hands out the id of a file a compaction will write values into ({@link #createRelocated}):
   * seals the active file and continues in the id after the one returned, so the file being
   * appended to always has the highest id (open recovers the last file only) and every pointer
   * a commit wrote before is durable. An active file without records is deleted instead of
   * sealed. Writer thread only.
   */
  public long reserveFileId() throws IOException {
    checkWritable();
    ValueLogWriter current = writer;
    long reserved = current.fileId() + 1;
    if (current.entryCount() == 0) {
      current.close();
      ValueLogFile reader = files.remove(current.fileId());
      if (reader != null) {
        reader.markForDeletion();
        pins.retire(reader); // released once no pinned read is in it
      }
    } else {
      current.seal();
      ValueLogFile sealed = ValueLogFile.open(fileSystem, current.path(), current.fileId(), keys);
      ValueLogFile previous = files.put(current.fileId(), sealed);
      if (previous != null) {
        pins.retire(previous); // released once no pinned read is in it
      }
    }
    startFile(reserved + 1);
    return reserved;
  }

  /**
   * Creates file {@code reservedId} ({@link #reserveFileId}) in {@value #RELOCATING_DIR}, where
   * it stays for the rest of this session; the caller appends to it, seals it, {@link
   * #addRelocated adds} it before any table points into it, and records its id in the MANIFEST
   * in the change that installs those tables (see {@link #open(FileSystem, Path,
   * ValueLogOptions, Set, DataKeys, Set)} for what a crash leaves). Any thread.
   */
  public ValueLogWriter createRelocated(long reservedId) throws IOException {
    checkWritable();
    Path staging = dir.resolve(RELOCATING_DIR);
    fileSystem.createDirectories(staging);
    return ValueLogWriter.create(fileSystem, staging, reservedId, keys.current());
  }

  /** Makes the sealed file {@code relocated} readable through pointers. Any thread. */
  public void addRelocated(ValueLogWriter relocated) throws IOException {
    checkWritable();
    if (!relocated.isSealed()) {
      throw new IllegalArgumentException(relocated + " is not sealed");
    }
    ValueLogFile file = ValueLogFile.open(fileSystem, relocated.path(), relocated.fileId(), keys);
    ValueLogFile previous = files.putIfAbsent(relocated.fileId(), file);
    if (previous != null) {
      file.release();
      throw new IllegalStateException("value log file " + relocated.fileId() + " exists already");
    }
  }

  /**
   * Removes a relocated file whose MANIFEST change failed (or that was never added): no table
   * points into it. Any thread.
   */
  public void abandonRelocated(ValueLogWriter relocated) throws IOException {
    relocated.close();
    ValueLogFile file = files.remove(relocated.fileId());
    if (file != null) {
      file.markForDeletion();
      pins.retire(file);
    } else if (fileSystem.exists(relocated.path())) {
      fileSystem.delete(relocated.path());
    }
  }

  /** The size at which a new file is started ({@code valueLogFileSize}). */
  public long fileSizeLimit() {
    return options.fileSize();
  }

  /** The most records a file holds ({@code valueLogMaxEntries}). */
  public int maxEntriesPerFile() {
    return options.maxEntries();
  }

  /**
   * Bytes a record of this store adds to a plain record's length: the IV when the store is
   * encrypted, else 0. A value's length follows from its pointer's record length less this.
   */
  public int recordOverhead() {
    return keys == DataKeys.NONE ? 0 : ValueLogFormat.SEALED_RECORD_OVERHEAD;
  }

  /** The id of the file being appended to (0 when read-only). */
  public long activeFileId() {
    return activeId;
  }

  /**
   * Reads and verifies the record {@code pointer} names. Returns null when its file is not (or no
   * longer) part of the log, so that the caller can look the key up again; throws {@link
   * CorruptFileException} naming the file and offset when the record is damaged or the pointer
   * does not fit the file.
   */
  public ValueLogRecord read(ValuePointer pointer) throws IOException {
    ValueLogFile file = acquire(pointer.fileId());
    if (file == null) {
      return null;
    }
    try {
      return file.readRecord(pointer, options.verifyChecksum());
    } finally {
      file.release();
    }
  }

  /**
   * The value of the record {@code pointer} names, which must be {@code userKey} at {@code
   * version}: one copy, from the file into the returned array, checked as {@link #read} checks
   * (the CRC-32C when {@code verifyValueChecksum}, over the bytes returned) and the key compared
   * ({@link CorruptFileException} if it is another). Returns null when the file is not (or no
   * longer) part of the log. The file is pinned for the read, not retained: no reference count
   * that every reader shares is written ({@link ReadPins}).
   */
  public byte[] readValue(ValuePointer pointer, byte[] userKey, long version) throws IOException {
    long fileId = pointer.fileId();
    ValueLogFile file = files.get(fileId);
    if (file == null) {
      return null;
    }
    int slot = pins.pin(file);
    if (slot < 0) {
      return readValueRetained(pointer, userKey, version);
    }
    try {
      while (true) {
        // After the pin is published: whoever removes or replaces the file retires it after.
        ValueLogFile now = files.get(fileId);
        if (now == file) {
          return file.readValue(pointer, userKey, version, options.verifyChecksum());
        }
        if (now == null) {
          return null;
        }
        file = now; // rotate() replaced the active file with its mapping: same bytes
        pins.repin(slot, file);
      }
    } finally {
      pins.unpin(slot);
    }
  }

  private byte[] readValueRetained(ValuePointer pointer, byte[] userKey, long version)
      throws IOException {
    ValueLogFile file = acquire(pointer.fileId());
    if (file == null) {
      return null;
    }
    try {
      return file.readValue(pointer, userKey, version, options.verifyChecksum());
    } finally {
      file.release();
    }
  }

  /**
   * The file {@code fileId} with a reference taken for the caller (who must release it), or null
   * if it is not part of the log.
   */
  public ValueLogFile acquire(long fileId) {
    while (true) {
      ValueLogFile file = files.get(fileId);
      if (file == null) {
        return null;
      }
      if (file.tryRetain()) {
        return file;
      }
      // Released after we found it: rotate() replaced the file being appended to with its sealed
      // mapping (same id, same bytes) and dropped the old one's reference; take the replacement.
      // Only a file that is still listed after its release (a closing log) is given up on.
      if (files.get(fileId) == file) {
        return null;
      }
    }
  }

  /**
   * Reads every record of every file and checks it (framing and checksum), the active file up to
   * its last whole record: {@link CorruptFileException} names the first damaged one.
   */
  public void verifyChecksums() throws IOException {
    for (long id : new TreeMap<>(files).keySet()) {
      ValueLogFile file = acquire(id);
      if (file == null) {
        continue; // deleted meanwhile
      }
      try (ValueLogScanner scanner = file.scan(ValueLogScanner.Mode.SEALED)) {
        while (scanner.next() != null) {
          // next() verifies each record
        }
      } finally {
        file.release();
      }
    }
  }

  /** Every file, in id order, with its size now. */
  public List<FileInfo> files() {
    List<FileInfo> result = new ArrayList<>();
    long active = activeId;
    new TreeMap<>(files).forEach((id, file) -> result.add(new FileInfo(id, file.size(),
        id == active)));
    return result;
  }

  /** Bytes of every file, the active one up to its last whole record. */
  public long totalBytes() {
    long total = 0;
    for (ValueLogFile file : files.values()) {
      total += file.size();
    }
    return total;
  }

  /**
   * Removes sealed file {@code fileId} from the log: readers that hold it finish, and the file is
   * deleted when the last of them lets go. Later reads of pointers into it get null.
   */
  public void delete(long fileId) {
    if (fileId == activeId) {
      throw new IllegalArgumentException("value log file " + fileId + " is being written");
    }
    deleted.add(fileId);
    ValueLogFile file = files.remove(fileId);
    if (file != null) {
      file.markForDeletion();
      pins.retire(file);
    }
  }

  /** Whether file {@code fileId} was deleted by GC or dropAll (now or in an earlier session). */
  public boolean wasDeleted(long fileId) {
    return deleted.contains(fileId);
  }

  /** The path file {@code fileId} has (or had). */
  public Path path(long fileId) {
    return dir.resolve(ValueLogFile.fileName(fileId));
  }

  /**
   * Deletes every file and starts a new one (dropAll). Returns the ids deleted. Writer thread
   * only, with no commit in flight.
   */
  public List<Long> deleteAll() throws IOException {
    checkWritable();
    ValueLogWriter current = writer;
    current.seal();
    List<Long> deleted = new ArrayList<>(new TreeMap<>(files).keySet());
    for (long id : deleted) {
      this.deleted.add(id);
      ValueLogFile file = files.remove(id);
      file.markForDeletion();
      pins.retire(file);
    }
    startFile(current.fileId() + 1);
    return deleted;
  }

  private void startFile(long id) throws IOException {
    ValueLogWriter created = ValueLogWriter.create(fileSystem, dir, id, keys.current());
    ValueLogFile reader;
    try {
      reader = ValueLogFile.openActive(fileSystem, created, keys);
    } catch (IOException | RuntimeException e) {
      created.close();
      throw e;
    }
    writer = created;
    files.put(id, reader);
    activeId = id;
  }

  private void checkWritable() {
    if (closed) {
      throw new IllegalStateException("the value log in " + dir + " is closed");
    }
    if (writer == null) {
      throw new IllegalStateException("the value log in " + dir + " is read-only");
    }
  }

  /**
   * Forces the active file to disk and closes it; releases every file (mappings go when the last
   * reader lets go). Idempotent.
   */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    IOException failure = null;
    if (writer != null) {
      try {
        writer.sync();
      } catch (IOException e) {
        failure = e;
      }
      try {
        writer.close();
      } catch (IOException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    releaseAll();
    if (failure != null) {
      throw failure;
    }
  }

  private void releaseAll() {
    List<ValueLogFile> all = new ArrayList<>(files.values());
    files.clear();
    for (ValueLogFile file : all) {
      pins.retire(file);
    }
  }

  @Override
  public String toString() {
    return "ValueLog[" + dir + ", " + files.size() + " files, active " + activeId + "]";
  }
}
