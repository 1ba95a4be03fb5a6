package dev.sett.internal.manifest;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.sett.internal.fs.CorruptFileException;
import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.fs.WritableFile;
import dev.sett.internal.manifest.proto.ManifestChange;
import dev.sett.internal.manifest.proto.ManifestChangeSet;
import dev.sett.internal.manifest.proto.ValueLogDiscard;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MANIFEST: the durable list of live tables and their levels, kept as a log of change sets.
 * The byte format, with a worked example, is in {@code docs/format/manifest.md} at the root of the
 * repository.
 *
 * <p><b>Design note.</b> What: an append-only file of {@code ManifestChangeSet} protobufs, each
 * framed as length + CRC32C, behind a checksummed header; one change set per flush or compaction,
 * forced to disk before {@link #apply} returns, so that a table becomes visible only once it is
 * recorded and is deleted from disk only after its deletion is. Replaying the log at open rebuilds
 * the set of live tables. When deletions dominate the log (Badger's rule, see {@link #apply}), the
 * log is rewritten as one snapshot record in {@code MANIFEST-REWRITE} and atomically renamed over
 * {@code MANIFEST}. Why: it is Badger's design, proven and cheap (a change set costs one small
 * append and one fsync), and protobuf lets later versions add fields that older readers skip.
 * Rejected: a LevelDB-style CURRENT file naming numbered MANIFESTs (an extra file and an extra
 * rename protocol buy nothing when the rewrite is a single atomic rename); salvaging a MANIFEST
 * with a bad record (the set of live tables would be silently wrong, and the directory sweep would
 * then delete live tables, so open fails instead); rewriting the whole state on every change
 * (O(tables) per flush).
 *
 * <p><b>Torn versus corrupt.</b> Each change set is written with one write and synced before the
 * next one starts, so a crash can damage only the last record: a last record that runs past the end
 * of the file is a torn append and is dropped (truncated away in read-write mode, ignored
 * read-only). Everything else that fails a check (magic, header checksum, a record checksum, a
 * protobuf that does not parse, a change set that does not apply) is corruption and fails the open
 * with a {@link CorruptFileException} naming the file and offset.
 *
 * <p><b>Table ids are never reused.</b> {@link #nextTableId()} is one more than the largest id any
 * change set in this log has named, and never less than the {@code next_table_id} a rewrite
 * records. The rewrite drops deleted tables and with them the only trace that their ids were used,
 * so the snapshot record carries {@code next_table_id} (field 2 of {@code ManifestChangeSet}, added
 * for exactly this). Accepting reuse of deleted ids was rejected: a DELETE is recorded before the
 * table's file is removed, readers may hold the file long after, and after a crash the file can
 * still be on disk when the store reopens (a read-only open cannot even sweep it); reuse would then
 * be safe only if another component's directory sweep had run first. A monotonic id keeps the
 * guarantee here. Ids a caller allocated but never recorded (a table build cut short by a crash)
 * are outside it: their files are orphans for the sweep, and {@code FileSystem.createFile} refuses
 * to overwrite an existing file.
 *
 * <p><b>Failures.</b> If a write, sync or rewrite fails, {@link #apply} rethrows and the manifest
 * refuses every later change: whether the failed change set reached the disk is unknown until the
 * store is reopened (after a failed fsync the page cache cannot be trusted either).
 *
 * <p>Thread-safety: every method that reads or changes the state holds this object's monitor, and
 * {@link #apply} holds it through the write and the sync, so change sets from several threads
 * (flusher, compactors) reach the file one whole record at a time, in the order their effects are
 * installed. Readers of {@link #tables()} and {@link #nextTableId()} wait behind a slow sync; an id
 * allocator on a hot path should seed its own counter from {@link #nextTableId()} at open.
 */
public final class Manifest implements AutoCloseable {
  /** The name of the manifest file in the store directory. */
  public static final String FILE_NAME = "MANIFEST";

  /** The temporary file a rewrite builds before renaming it over {@link #FILE_NAME}. */
  public static final String REWRITE_FILE_NAME = "MANIFEST-REWRITE";

  /** Badger's default: rewrite once more than this many deletions are in the log. */
  public static final int DEFAULT_DELETIONS_REWRITE_THRESHOLD = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(Manifest.class);

  private final FileSystem fileSystem;
  private final Path directory;
  private final Path path;
  private final int externalMagic;
  private final boolean readOnly;
  private final int deletionsRewriteThreshold;

  @GuardedBy("this")
  private final ManifestState state; // guarded by this
  @GuardedBy("this")
  private WritableFile file; // guarded by this; null when read-only, closed or after a failed rewrite
  @GuardedBy("this")
  private Exception failure; // guarded by this; the first write failure, sticky
  @GuardedBy("this")
  private boolean closed; // guarded by this

  private Manifest(FileSystem fileSystem, Path directory, int externalMagic, boolean readOnly,
      int deletionsRewriteThreshold, ManifestState state) {
    this.fileSystem = fileSystem;
    this.directory = directory;
    this.path = directory.resolve(FILE_NAME);
    this.externalMagic = externalMagic;
    this.readOnly = readOnly;
    this.deletionsRewriteThreshold = deletionsRewriteThreshold;
    this.state = state;
  }

  /**
   * Opens the MANIFEST in {@code dir} with the default rewrite threshold.
   *
   * @see #open(FileSystem, Path, int, boolean, int)
   */
  public static Manifest open(FileSystem fileSystem, Path dir, int externalMagic, boolean readOnly)
      throws IOException {
    return open(fileSystem, dir, externalMagic, readOnly, DEFAULT_DELETIONS_REWRITE_THRESHOLD);
  }

  /**
   * Opens the MANIFEST in {@code dir}, creating an empty one if it is missing (read-write only), and
   * replays it.
   *
   * @param externalMagic the application's magic number (0 to 65535, {@code Options.externalMagic});
   *     an existing file written with another value fails the open
   * @param readOnly never write: a missing file is an error, a torn last record is ignored rather
   *     than truncated, and {@link #apply} throws
   * @param deletionsRewriteThreshold rewrite the log once it holds more deletions than this (and
   *     they outnumber the live tables tenfold); small values are for tests
   * @throws CorruptFileException if the file is damaged anywhere but in a torn last record, or its
   *     change sets do not apply
   * @throws dev.sett.internal.fs.UnsupportedFormatException if the file has another format version
   */
  public static Manifest open(FileSystem fileSystem, Path dir, int externalMagic, boolean readOnly,
      int deletionsRewriteThreshold) throws IOException {
    Objects.requireNonNull(fileSystem, "fileSystem");
    Objects.requireNonNull(dir, "dir");
    if (externalMagic < 0 || externalMagic > ManifestFormat.MAX_EXTERNAL_MAGIC) {
      throw new IllegalArgumentException(
          "externalMagic must be between 0 and 65535, was " + externalMagic);
    }
    if (deletionsRewriteThreshold < 0) {
      throw new IllegalArgumentException(
          "deletionsRewriteThreshold must not be negative, was " + deletionsRewriteThreshold);
    }
    Path path = dir.resolve(FILE_NAME);
    ManifestState state = new ManifestState();
    Manifest manifest = new Manifest(fileSystem, dir, externalMagic, readOnly,
        deletionsRewriteThreshold, state);
    if (!fileSystem.exists(path)) {
      if (readOnly) {
        throw new IOException("no MANIFEST in " + dir + "; a read-only open needs an existing store");
      }
      synchronized (manifest) {
        manifest.replaceFileLocked(List.of());
      }
      return manifest;
    }
    byte[] bytes = fileSystem.readAllBytes(path);
    int end = ManifestReader.read(path, bytes, externalMagic,
        (offset, changes) -> replay(state, path, offset, changes));
    if (end < bytes.length) {
      LOG.warn("{}: the last record, at offset {}, is torn ({} bytes); {}", path, end,
          bytes.length - end, readOnly ? "ignoring it (read-only)" : "truncating the file to " + end);
      if (!readOnly) {
        fileSystem.truncate(path, end);
      }
    }
    if (!readOnly) {
      fileSystem.delete(dir.resolve(REWRITE_FILE_NAME));
      synchronized (manifest) {
        manifest.file = fileSystem.openForAppend(path);
      }
    }
    return manifest;
  }

  private static void replay(ManifestState state, Path path, long offset,
      ManifestChangeSet changes) throws IOException {
    ManifestState.Edit edit;
    try {
      edit = state.prepare(changes);
    } catch (InvalidChangeException e) {
      throw new CorruptFileException(path, offset,
          "MANIFEST change set does not apply: " + e.getMessage(), e);
    }
    for (long id : edit.unknownDeletions()) {
      LOG.warn("{}: the change set at offset {} deletes table {}, which is not live", path, offset,
          id);
    }
    state.commit(edit);
  }

  /** An immutable snapshot of the live tables by id. */
  public synchronized Map<Long, TableManifest> tables() {
    return state.tables();
  }

  /**
   * The smallest id never named in this log (nor below a recorded {@code next_table_id}); 1 for a
   * new store. It never decreases, across rewrites and reopens included.
   */
  public synchronized long nextTableId() {
    return state.nextTableId();
  }

  /**
   * Bytes of each value log file that compactions recorded as garbage (value pointers they dropped),
   * for files not yet deleted. Exact: every dropped pointer is counted once, in the same change set
   * that drops it, so the figures survive restarts and crashes with the tables they describe.
   */
  public synchronized Map<Long, Long> valueLogDiscards() {
    return state.valueLogDiscards();
  }

  /** Value log files recorded as deleted (by value log GC or dropAll). */
  public synchronized java.util.Set<Long> deletedValueLogFiles() {
    return state.deletedValueLogFiles();
  }

  /** The namespaces recorded as banned, in unsigned order. */
  public synchronized List<Long> bannedNamespaces() {
    return state.bannedNamespaces();
  }

  /**
   * Records {@code changes} durably, then installs them. The change set is first checked against
   * the state; an invalid one throws {@link IllegalArgumentException} and writes nothing. Then,
   * if the log's deletions exceed the rewrite threshold and ten times the live tables, the log is
   * rewritten as one snapshot record; otherwise the change set is appended as one record. Either
   * way the file is forced to disk before the state changes and this method returns.
   *
   * @throws IllegalArgumentException if a change creates a live table, or has an unknown operation
   *     or encryption algorithm, or an id, level or compression id out of range
   * @throws IllegalStateException if the manifest is read-only or closed
   * @throws IOException if the write or sync fails, now or in an earlier call
   */
  synchronized void apply(ManifestChangeSet changes) throws IOException {
    Objects.requireNonNull(changes, "changes");
    checkWritableLocked();
    ManifestState.Edit edit;
    try {
      edit = state.prepare(changes);
    } catch (InvalidChangeException e) {
      throw new IllegalArgumentException(
          "rejected change set for " + path + ": " + e.getMessage(), e);
    }
    for (long id : edit.unknownDeletions()) {
      LOG.warn("{}: a change set deletes table {}, which is not live", path, id);
    }
    boolean rewrite = ManifestState.needsRewrite(edit, deletionsRewriteThreshold);
    try {
      if (rewrite) {
        replaceFileLocked(List.of(state.snapshotAfter(edit)));
      } else {
        file.write(ManifestFormat.encodeRecord(changes));
        file.sync();
      }
    } catch (IOException | RuntimeException e) {
      failure = e;
      throw e;
    }
    state.commit(edit);
    if (rewrite) {
      state.resetCounters();
      LOG.info("{}: rewrote the log as a snapshot of {} live tables", path, state.creations());
    }
  }

  @GuardedBy("this")
  private void checkWritableLocked() throws IOException {
    assert Thread.holdsLock(this);
    if (readOnly) {
      throw new IllegalStateException(path + " is open read-only");
    }
    if (closed) {
      throw new IllegalStateException(path + " is closed");
    }
    if (failure != null) {
      throw new IOException(path + " refuses changes after an earlier write failure;"
          + " reopen the store to learn which change sets are durable", failure);
    }
  }

  /**
   * Builds a complete new MANIFEST (header, then {@code records}) as {@code MANIFEST-REWRITE},
   * syncs it, renames it over {@code MANIFEST}, syncs the directory and reopens the file for
   * append. A crash at any point leaves either the old file or the new one under the name.
   */
  @GuardedBy("this")
  private void replaceFileLocked(List<ManifestChangeSet> records) throws IOException {
    assert Thread.holdsLock(this);
    Path rewritePath = directory.resolve(REWRITE_FILE_NAME);
    fileSystem.delete(rewritePath);
    try (WritableFile rewrite = fileSystem.createFile(rewritePath)) {
      rewrite.write(ManifestFormat.encodeHeader(externalMagic));
      for (ManifestChangeSet record : records) {
        rewrite.write(ManifestFormat.encodeRecord(record));
      }
      rewrite.sync();
    }
    fileSystem.rename(rewritePath, path);
    fileSystem.syncDirectory(directory);
    WritableFile previous = file;
    file = null;
    if (previous != null) {
      previous.close();
    }
    file = fileSystem.openForAppend(path);
  }

  /** Records {@code edit} as one atomic change set; see {@link #apply(ManifestChangeSet)}. */
  public void apply(ManifestEdit edit) throws IOException {
    apply(edit.toChangeSet());
  }


  /** A change that records a new table. */
  static ManifestChange createTable(long id, int level, int compressionId, long keyId) {
    return ManifestChange.newBuilder()
        .setId(id)
        .setOp(ManifestChange.Operation.CREATE)
        .setLevel(level)
        .setCompression(compressionId)
        .setKeyId(keyId)
        .setEncryptionAlgorithm(ManifestChange.EncryptionAlgorithm.AES_CTR)
        .build();
  }

  /** A change that records the deletion of a table. */
  static ManifestChange deleteTable(long id) {
    return ManifestChange.newBuilder()
        .setId(id)
        .setOp(ManifestChange.Operation.DELETE)
        .build();
  }

  /** Garbage found in value log file {@code fileId}: {@code bytes} more of it. */
  static ValueLogDiscard valueLogDiscard(long fileId, long bytes) {
    return ValueLogDiscard.newBuilder().setFileId((int) fileId).setBytes(bytes).build();
  }

  /** The changes, in order, as one atomic change set. */
  static ManifestChangeSet changeSet(ManifestChange... changes) {
    return ManifestChangeSet.newBuilder().addAllChanges(Arrays.asList(changes)).build();
  }

  /** CREATE changes in the log since it was last rewritten (a rewrite counts the live tables). */
  public synchronized long creations() {
    return state.creations();
  }

  /** DELETE changes in the log since it was last rewritten. */
  public synchronized long deletions() {
    return state.deletions();
  }

  /** The MANIFEST file. */
  public Path path() {
    return path;
  }

  /** Closes the file. Every applied change set is already on disk; nothing more is written. */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    WritableFile open = file;
    file = null;
    if (open != null) {
      open.close();
    }
  }

  @Override
  public String toString() {
    return "Manifest[" + path + "]";
  }
}
