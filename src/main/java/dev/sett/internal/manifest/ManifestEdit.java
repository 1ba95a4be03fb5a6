package dev.sett.internal.manifest;

import dev.sett.internal.manifest.proto.ManifestChangeSet;

/**
 * One atomic change to the set of files, built by the layers above without their seeing the
 * MANIFEST's protobuf types: tables created on a level or deleted, value log garbage found, value
 * log files deleted, namespaces banned. {@link Manifest#apply(ManifestEdit)} records it as one change set.
 *
 * <p>Thread-safety: not thread-safe; build it on one thread, then apply it.
 */
public final class ManifestEdit {
  private final ManifestChangeSet.Builder changes = ManifestChangeSet.newBuilder();

  /** Table {@code id} now exists on {@code level}, written with compression {@code compressionId}. */
  public ManifestEdit createTable(long id, int level, int compressionId) {
    return createTable(id, level, compressionId, 0);
  }

  /**
   * As {@link #createTable(long, int, int)} for a table sealed by data key {@code keyId} (0: a
   * plain table). The table's footer names its key too; this is Badger's record of it.
   */
  public ManifestEdit createTable(long id, int level, int compressionId, long keyId) {
    changes.addChanges(Manifest.createTable(id, level, compressionId, keyId));
    return this;
  }

  /** Table {@code id} is gone. */
  public ManifestEdit deleteTable(long id) {
    changes.addChanges(Manifest.deleteTable(id));
    return this;
  }

  /** {@code bytes} more of value log file {@code fileId} are garbage. */
  public ManifestEdit valueLogDiscard(long fileId, long bytes) {
    changes.addValueLogDiscards(Manifest.valueLogDiscard(fileId, bytes));
    return this;
  }

  /** Value log file {@code fileId} is deleted, which ends its discard statistics. */
  public ManifestEdit deleteValueLogFile(long fileId) {
    changes.addDeletedValueLogFiles((int) fileId);
    return this;
  }

  /** Namespace {@code namespace} is banned, for good. */
  public ManifestEdit banNamespace(long namespace) {
    changes.addBannedNamespaces(namespace);
    return this;
  }

  /** Whether the edit changes nothing. */
  public boolean isEmpty() {
    return changes.getChangesCount() == 0 && changes.getValueLogDiscardsCount() == 0
        && changes.getDeletedValueLogFilesCount() == 0 && changes.getBannedNamespacesCount() == 0;
  }

  ManifestChangeSet toChangeSet() {
    return changes.build();
  }
}
