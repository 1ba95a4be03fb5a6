package dev.sett.internal.manifest;

import dev.sett.internal.manifest.proto.ManifestChange;
import dev.sett.internal.manifest.proto.ManifestChangeSet;
import dev.sett.internal.manifest.proto.ValueLogDiscard;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The MANIFEST replayed into memory: live tables by id, the change counters that drive the rewrite,
 * the next table id, and the value log's garbage statistics (bytes per file that compactions found
 * to be garbage, and the files deleted since) and the banned namespaces. Changing it is two steps, so that a change set can be checked before
 * anything is written: {@link #prepare} validates a change set against the state and returns an
 * {@link Edit} without touching the state; {@link #commit} installs the edit.
 *
 * <p>Thread-safety: none; {@link Manifest} confines it to its lock.
 */
final class ManifestState {
  private final Map<Long, TableManifest> tables = new HashMap<>();
  private long creations;
  private long deletions;
  private long nextTableId = 1;
  /** Garbage bytes per value log file, for files not deleted. */
  private final Map<Long, Long> valueLogDiscards = new TreeMap<>();
  /** Value log files deleted by GC or dropAll. */
  private final Set<Long> deletedValueLogFiles = new TreeSet<>();
  /** Namespaces banned by DB.banNamespace; only ever grows. */
  private final Set<Long> bannedNamespaces = new TreeSet<>(Long::compareUnsigned);

  /**
   * A validated change set, ready to commit: the tables it leaves created and deleted (applied in
   * that order: deletions first, then creations) and the counters after it.
   */
  static final class Edit {
    private final Map<Long, TableManifest> created = new LinkedHashMap<>();
    private final Set<Long> deleted = new HashSet<>();
    private final List<Long> unknownDeletions = new ArrayList<>();
    private long creations;
    private long deletions;
    private long nextTableId;
    private final Map<Long, Long> valueLogDiscards = new TreeMap<>();
    private final Set<Long> deletedValueLogFiles = new TreeSet<>();
    private final Set<Long> bannedNamespaces = new TreeSet<>(Long::compareUnsigned);

    /** Ids the change set deletes that are not live: harmless, but worth a warning. */
    List<Long> unknownDeletions() {
      return unknownDeletions;
    }
  }

  /**
   * Checks {@code changes} against the state, change by change in order, as Badger applies them:
   * a CREATE of a live id, an unknown operation or encryption algorithm, or an id or level out of
   * range is invalid; a DELETE of an id that is not live is allowed (and reported in the edit).
   */
  Edit prepare(ManifestChangeSet changes) throws InvalidChangeException {
    Edit edit = new Edit();
    edit.creations = creations;
    edit.deletions = deletions;
    edit.nextTableId = nextTableId;
    for (ManifestChange change : changes.getChangesList()) {
      long id = change.getId();
      if (id < 0 || id == Long.MAX_VALUE) {
        throw new InvalidChangeException("table id " + Long.toUnsignedString(id) + " is out of range");
      }
      edit.nextTableId = Math.max(edit.nextTableId, id + 1);
      switch (change.getOp()) {
        case CREATE -> prepareCreate(edit, change);
        case DELETE -> prepareDelete(edit, id);
        default -> throw new InvalidChangeException(
            "table " + id + " has unknown operation " + change.getOpValue());
      }
    }
    long recordedNext = changes.getNextTableId();
    if (recordedNext < 0) {
      throw new InvalidChangeException(
          "next table id " + Long.toUnsignedString(recordedNext) + " is out of range");
    }
    edit.nextTableId = Math.max(edit.nextTableId, recordedNext);
    for (ValueLogDiscard discard : changes.getValueLogDiscardsList()) {
      long fileId = Integer.toUnsignedLong(discard.getFileId());
      long bytes = discard.getBytes();
      if (fileId == 0 || bytes < 0) {
        throw new InvalidChangeException("value log discard of " + Long.toUnsignedString(bytes)
            + " bytes for file " + fileId + " is out of range");
      }
      edit.valueLogDiscards.merge(fileId, bytes, Long::sum);
    }
    for (int id : changes.getDeletedValueLogFilesList()) {
      long fileId = Integer.toUnsignedLong(id);
      if (fileId == 0) {
        throw new InvalidChangeException("value log file id 0 cannot be deleted");
      }
      edit.deletedValueLogFiles.add(fileId);
    }
    edit.bannedNamespaces.addAll(changes.getBannedNamespacesList());
    return edit;
  }

  private void prepareCreate(Edit edit, ManifestChange change) throws InvalidChangeException {
    long id = change.getId();
    if (isLive(edit, id)) {
      throw new InvalidChangeException("table " + id + " created twice");
    }
    if (change.getLevel() < 0) {
      throw new InvalidChangeException("table " + id + " has level "
          + Integer.toUnsignedString(change.getLevel()) + ", out of range");
    }
    if (change.getCompression() < 0) {
      throw new InvalidChangeException("table " + id + " has compression id "
          + Integer.toUnsignedString(change.getCompression()) + ", out of range");
    }
    if (change.getEncryptionAlgorithm() == ManifestChange.EncryptionAlgorithm.UNRECOGNIZED) {
      throw new InvalidChangeException("table " + id
          + " has unknown encryption algorithm " + change.getEncryptionAlgorithmValue());
    }
    edit.created.put(id, new TableManifest(id, change.getLevel(), change.getCompression(),
        change.getKeyId()));
    edit.creations++;
  }

  private void prepareDelete(Edit edit, long id) {
    if (edit.created.remove(id) != null) {
      edit.deleted.add(id);
    } else if (tables.containsKey(id) && !edit.deleted.contains(id)) {
      edit.deleted.add(id);
    } else {
      edit.unknownDeletions.add(id);
    }
    edit.deletions++;
  }

  /** Whether {@code id} is live after the changes already in {@code edit}. */
  private boolean isLive(Edit edit, long id) {
    return edit.created.containsKey(id) || (tables.containsKey(id) && !edit.deleted.contains(id));
  }

  /** Installs an edit made by {@link #prepare} on this state, with no change in between. */
  void commit(Edit edit) {
    tables.keySet().removeAll(edit.deleted);
    tables.putAll(edit.created);
    creations = edit.creations;
    deletions = edit.deletions;
    nextTableId = edit.nextTableId;
    deletedValueLogFiles.addAll(edit.deletedValueLogFiles);
    bannedNamespaces.addAll(edit.bannedNamespaces);
    valueLogDiscards.keySet().removeAll(edit.deletedValueLogFiles);
    edit.valueLogDiscards.forEach((fileId, bytes) -> {
      if (!deletedValueLogFiles.contains(fileId)) {
        valueLogDiscards.merge(fileId, bytes, Long::sum);
      }
    });
  }

  /**
   * Badger's rule: rewrite once deletions pass the threshold and outnumber the live tables tenfold,
   * so that the log stays within a small multiple of the live set.
   */
  static boolean needsRewrite(Edit edit, long deletionsRewriteThreshold) {
    return edit.deletions > deletionsRewriteThreshold
        && edit.deletions > 10 * (edit.creations - edit.deletions);
  }

  /**
   * The one change set a rewrite writes for the state after {@code edit}: a CREATE for every live
   * table, by id, and the next table id.
   */
  ManifestChangeSet snapshotAfter(Edit edit) {
    Map<Long, TableManifest> after = new HashMap<>(tables);
    after.keySet().removeAll(edit.deleted);
    after.putAll(edit.created);
    ManifestChangeSet.Builder snapshot = ManifestChangeSet.newBuilder()
        .setNextTableId(edit.nextTableId);
    after.values().stream()
        .sorted((left, right) -> Long.compare(left.id(), right.id()))
        .forEach(table -> snapshot.addChanges(
            Manifest.createTable(table.id(), table.level(), table.compressionId(), table.keyId())));
    Set<Long> deletedAfter = new TreeSet<>(deletedValueLogFiles);
    deletedAfter.addAll(edit.deletedValueLogFiles);
    Map<Long, Long> discardsAfter = new TreeMap<>(valueLogDiscards);
    edit.valueLogDiscards.forEach((fileId, bytes) -> discardsAfter.merge(fileId, bytes, Long::sum));
    discardsAfter.keySet().removeAll(deletedAfter);
    discardsAfter.forEach((fileId, bytes) -> snapshot.addValueLogDiscards(
        ValueLogDiscard.newBuilder().setFileId((int) (long) fileId).setBytes(bytes)));
    deletedAfter.forEach(fileId -> snapshot.addDeletedValueLogFiles((int) (long) fileId));
    Set<Long> bannedAfter = new TreeSet<>(Long::compareUnsigned);
    bannedAfter.addAll(bannedNamespaces);
    bannedAfter.addAll(edit.bannedNamespaces);
    snapshot.addAllBannedNamespaces(bannedAfter);
    return snapshot.build();
  }

  /** After a rewrite the log holds one CREATE per live table and nothing else. */
  void resetCounters() {
    creations = tables.size();
    deletions = 0;
  }

  Map<Long, TableManifest> tables() {
    return Map.copyOf(tables);
  }

  long creations() {
    return creations;
  }

  long deletions() {
    return deletions;
  }

  long nextTableId() {
    return nextTableId;
  }

  Map<Long, Long> valueLogDiscards() {
    return Map.copyOf(valueLogDiscards);
  }

  Set<Long> deletedValueLogFiles() {
    return Set.copyOf(deletedValueLogFiles);
  }

  /** The banned namespaces, in unsigned order. */
  List<Long> bannedNamespaces() {
    return List.copyOf(bannedNamespaces);
  }
}
