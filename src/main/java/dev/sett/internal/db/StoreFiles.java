package dev.sett.internal.db;

import dev.sett.Options;
import dev.sett.SettException;
import dev.sett.internal.codec.DataKeys;
import dev.sett.internal.codec.KeyRegistry;
import dev.sett.internal.fs.DirectoryLock;
import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.fs.InMemoryFileSystem;
import dev.sett.internal.key.KeyValue;
import dev.sett.internal.memtable.Memtable;
import dev.sett.internal.memtable.MemtableOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's directory: its lock, the names of its WAL files, WAL recovery at open, and new
 * memtables with fresh WALs. An in-memory store gets a private {@link InMemoryFileSystem}, so
 * every other component works unchanged.
 *
 * <p>Thread-safety: {@link #newMemtable} is called by the writer thread only; the rest at open.
 */
final class StoreFiles {
  private static final Logger LOG = LoggerFactory.getLogger(StoreFiles.class);
  private static final String WAL_SUFFIX = ".mem";

  private final Options options;
  private final FileSystem fileSystem;
  private final Path dir;
  private final Path valueDir;
  private final MemtableOptions memtableOptions;
  private final AtomicLong nextMemtableId = new AtomicLong(1);
  private final SplittableRandom random = new SplittableRandom();
  /** The store's data keys; set by {@link #openKeys} at open, before any file is read. */
  private DataKeys keys = DataKeys.NONE;

  StoreFiles(Options options) {
    this(options, options.inMemory() ? new InMemoryFileSystem() : FileSystem.defaultFileSystem());
  }

  /** A store whose every file operation goes to {@code fileSystem} (fault-injection tests). */
  StoreFiles(Options options, FileSystem fileSystem) {
    this.options = options;
    this.fileSystem = fileSystem;
    // An in-memory store has no directory; its private file system gets a name of its own.
    this.dir = options.inMemory()
        ? Path.of("/sett-in-memory").toAbsolutePath()
        : options.dir().toAbsolutePath();
    this.valueDir = options.inMemory() ? dir : options.valueDir().toAbsolutePath();
    long chunk = Math.min(1 << 20, Math.max(1 << 16, options.memTableSize() / 4));
    this.memtableOptions = new MemtableOptions(options.memTableSize(), (int) chunk);
  }

  FileSystem fileSystem() {
    return fileSystem;
  }

  Path dir() {
    return dir;
  }

  /** The value log's directory: {@link #dir()} unless {@code valueDir} names another. */
  Path valueDir() {
    return valueDir;
  }

  /**
   * Creates the value directory (unless read-only) and, when it is not {@link #dir()}, takes its
   * lock too (so two stores cannot share one value log); null when it is the same directory.
   */
  DirectoryLock prepareValueDirectory() throws IOException {
    if (valueDir.equals(dir)) {
      return null;
    }
    if (options.readOnly()) {
      if (!fileSystem.exists(valueDir)) {
        throw new IOException("cannot open " + valueDir
            + " read-only: the value directory does not exist");
      }
    } else {
      fileSystem.createDirectories(valueDir);
    }
    return fileSystem.lock(valueDir, options.readOnly());
  }

  /** Creates the directory (unless read-only) and takes its lock. */
  DirectoryLock prepareDirectory() throws IOException {
    if (options.readOnly()) {
      if (!fileSystem.exists(dir)) {
        throw new IOException("cannot open " + dir + " read-only: the directory does not exist");
      }
    } else {
      fileSystem.createDirectories(dir);
    }
    return fileSystem.lock(dir, options.readOnly());
  }

  /**
   * Opens (or, for a new store given a key, creates) the key registry and returns the store's
   * data keys: {@link DataKeys#NONE} for a plain store. Refuses, before anything is written, an
   * encrypted store opened without a key and a plain store opened with one; a wrong key fails
   * with {@link dev.sett.internal.codec.MasterKeyMismatchException}. Called after the lock.
   */
  DataKeys openKeys(String manifestFileName) throws IOException {
    byte[] masterKey = options.encryptionKey();
    boolean encrypted = KeyRegistry.exists(fileSystem, dir);
    if (masterKey.length == 0) {
      if (encrypted) {
        throw new SettException("the store in " + dir + " is encrypted (it has a "
            + KeyRegistry.FILE_NAME + "), but no encryptionKey was given");
      }
      return keys;
    }
    if (encrypted) {
      keys = KeyRegistry.open(fileSystem, dir, masterKey, options.encryptionKeyRotation(),
          options.readOnly(), options.clock()::millis);
    } else if (fileSystem.exists(dir.resolve(manifestFileName))) {
      throw new SettException("the store in " + dir + " is not encrypted, but an encryptionKey"
          + " was given: a plain store cannot be encrypted in place (stream it into a new"
          + " encrypted store instead)");
    } else if (options.readOnly()) {
      throw new SettException("cannot create an encrypted store in " + dir + " read-only");
    } else {
      keys = KeyRegistry.create(fileSystem, dir, masterKey, options.encryptionKeyRotation(),
          options.clock()::millis);
    }
    return keys;
  }

  static String walFileName(long id) {
    return String.format("%06d%s", id, WAL_SUFFIX);
  }

  static long parseWalFileName(String name) {
    if (!name.endsWith(WAL_SUFFIX) || name.length() <= WAL_SUFFIX.length()) {
      return -1;
    }
    String digits = name.substring(0, name.length() - WAL_SUFFIX.length());
    for (int i = 0; i < digits.length(); i++) {
      if (!Character.isDigit(digits.charAt(i))) {
        return -1;
      }
    }
    try {
      return Long.parseLong(digits);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * Replays every WAL in id order into a sealed memtable (whole transactions only; a torn tail is
   * cut off). WALs with nothing in them are deleted. Returns the non-empty ones, oldest first.
   */
  List<Memtable> recoverMemtables() throws IOException {
    return recoverMemtables(batch -> true, (wal, offset, evidence) ->
        new dev.sett.internal.fs.CorruptFileException(wal, offset,
            "a synced transaction was refused at replay (" + evidence + ")"));
  }

  /**
   * As {@link #recoverMemtables()}, but {@code accept} may refuse a transaction (one whose values
   * the value log lost in a crash). The store must stay a prefix of the commit order, so the
   * refused transaction and everything after it are dropped: the WAL is cut before it. Only a
   * transaction that may have been unsynced at the crash can be refused so; one that was synced
   * (in a WAL that a newer one follows, or proven by a later record's durable offset) throws what
   * {@code syncedRefusal} makes, and nothing is cut.
   */
  List<Memtable> recoverMemtables(Predicate<List<KeyValue>> accept,
      Memtable.SyncedRefusal syncedRefusal) throws IOException {
    List<Memtable> recovered = new ArrayList<>();
    java.util.TreeMap<Long, Path> wals = new java.util.TreeMap<>(); // numeric order, not by name
    for (Path file : fileSystem.list(dir)) {
      long id = parseWalFileName(file.getFileName().toString());
      if (id >= 0) {
        wals.put(id, file);
      }
    }
    long maxId = wals.isEmpty() ? 0 : wals.lastKey();
    // An encrypted store writes only encrypted WALs, whose header is longer.
    int headerLength = keys == DataKeys.NONE ? Memtable.WAL_HEADER_LENGTH
        : Memtable.ENCRYPTED_WAL_HEADER_LENGTH;
    for (Map.Entry<Long, Path> wal : wals.entrySet()) {
      Path file = wal.getValue();
      if (fileSystem.size(file) < headerLength) {
        // A crash while the WAL was being created: it never held a record. Creation syncs the
        // header before any record is appended, so a longer file is replayed (or reported).
        if (!options.readOnly()) {
          LOG.warn("deleting {}: shorter than a WAL header, left by a crash during its creation", file);
          fileSystem.delete(file);
        }
        continue;
      }
      boolean newest = wals.tailMap(wal.getKey(), false).isEmpty();
      Memtable memtable = Memtable.recover(fileSystem, file, memtableOptions, random.split(),
          options.readOnly(), newest, keys, accept, syncedRefusal);
      memtable.closeWal();
      if (memtable.isEmpty() && !options.readOnly()) {
        memtable.deleteWal();
      } else if (!memtable.isEmpty()) {
        LOG.info("replayed {}: {} entries", file, memtable.entryCount());
        recovered.add(memtable);
      }
    }
    nextMemtableId.set(maxId + 1);
    return recovered;
  }

  /** A new, empty mutable memtable with its own WAL, durable in the directory. */
  Memtable newMemtable() throws IOException {
    long id = nextMemtableId.getAndIncrement();
    Memtable memtable = Memtable.create(fileSystem, dir.resolve(walFileName(id)), id,
        memtableOptions, random.split(), keys.current());
    // The WAL's directory entry must survive a power loss as surely as the records in it.
    fileSystem.syncDirectory(dir);
    return memtable;
  }
}
