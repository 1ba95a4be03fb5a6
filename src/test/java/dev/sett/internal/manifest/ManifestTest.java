package dev.sett.internal.manifest;

import dev.sett.internal.manifest.proto.ManifestChangeSet;
import static dev.sett.internal.manifest.Manifest.changeSet;
import static dev.sett.internal.manifest.Manifest.createTable;
import static dev.sett.internal.manifest.Manifest.deleteTable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.fs.CorruptFileException;
import dev.sett.internal.fs.FaultInjectingFileSystem;
import dev.sett.internal.fs.FaultInjectingFileSystem.Call;
import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.fs.WritableFile;
import dev.sett.internal.manifest.proto.ManifestChange;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestTest {
  private static final int MAGIC = 0x5E77;

  private final FileSystem fileSystem = FileSystem.defaultFileSystem();

  @TempDir
  Path dir;

  @Test
  void createApplyReopenRoundTrip() throws IOException {
    try (Manifest manifest = Manifest.open(fileSystem, dir, MAGIC, false)) {
      assertEquals(Map.of(), manifest.tables());
      assertEquals(1, manifest.nextTableId());
      assertEquals(ManifestFormat.HEADER_SIZE, fileSystem.size(manifest.path()));
      manifest.apply(changeSet(createTable(1, 0, 1, 0), createTable(2, 0, 2, 7)));
      manifest.apply(changeSet(createTable(3, 1, 0, 7), deleteTable(1), deleteTable(2)));
      manifest.apply(changeSet(createTable(4, 6, 1, 0)));
    }
    Map<Long, TableManifest> expected = Map.of(
        3L, new TableManifest(3, 1, 0, 7),
        4L, new TableManifest(4, 6, 1, 0));
    try (Manifest reopened = Manifest.open(fileSystem, dir, MAGIC, false)) {
      assertEquals(expected, reopened.tables());
      assertEquals(5, reopened.nextTableId());
      assertEquals(4, reopened.creations());
      assertEquals(2, reopened.deletions());
      reopened.apply(changeSet(deleteTable(3)));
    }
    try (Manifest readOnly = Manifest.open(fileSystem, dir, MAGIC, true)) {
      assertEquals(Map.of(4L, new TableManifest(4, 6, 1, 0)), readOnly.tables());
    }
  }

  @Test
  void valueLogStatisticsAddUpEndWithTheirFileAndSurviveReopenAndRewrite() throws IOException {
    try (Manifest manifest = Manifest.open(fileSystem, dir, MAGIC, false, 2)) {
      manifest.apply(ManifestChangeSet.newBuilder()
          .addChanges(createTable(1, 0, 0, 0))
          .addValueLogDiscards(Manifest.valueLogDiscard(3, 100))
          .addValueLogDiscards(Manifest.valueLogDiscard(4, 7)).build());
      manifest.apply(ManifestChangeSet.newBuilder()
          .addValueLogDiscards(Manifest.valueLogDiscard(3, 50)).build());
      assertEquals(Map.of(3L, 150L, 4L, 7L), manifest.valueLogDiscards());
      manifest.apply(ManifestChangeSet.newBuilder().addDeletedValueLogFiles(4)
          .addValueLogDiscards(Manifest.valueLogDiscard(4, 9)).build());
      assertEquals(Map.of(3L, 150L), manifest.valueLogDiscards(), "a deleted file counts nothing");
      assertEquals(java.util.Set.of(4L), manifest.deletedValueLogFiles());
    }
    try (Manifest reopened = Manifest.open(fileSystem, dir, MAGIC, false, 2)) {
      assertEquals(Map.of(3L, 150L), reopened.valueLogDiscards());
      assertEquals(java.util.Set.of(4L), reopened.deletedValueLogFiles());
      // Enough deletions to force a rewrite: the statistics travel in its one record.
      for (long id = 10; id < 14; id++) {
        reopened.apply(changeSet(createTable(id, 0, 0, 0)));
        reopened.apply(changeSet(deleteTable(id)));
      }
      reopened.apply(ManifestChangeSet.newBuilder()
          .addValueLogDiscards(Manifest.valueLogDiscard(3, 1)).build());
    }
    try (Manifest rewritten = Manifest.open(fileSystem, dir, MAGIC, false, 2)) {
      assertTrue(rewritten.deletions() < 8, "the log was rewritten");
      assertEquals(Map.of(3L, 151L), rewritten.valueLogDiscards());
      assertEquals(java.util.Set.of(4L), rewritten.deletedValueLogFiles());
    }
  }

  @Test
  void aValueLogDiscardForFileZeroIsRejected() throws IOException {
    try (Manifest manifest = Manifest.open(fileSystem, dir, MAGIC, false)) {
      assertThrows(IllegalArgumentException.class, () -> manifest.apply(
          ManifestChangeSet.newBuilder().addValueLogDiscards(Manifest.valueLogDiscard(0, 1)).build()));
    }
  }

  @Test
  void tablesIsAnImmutableSnapshot() throws IOException {
    try (Manifest manifest = Manifest.open(fileSystem, dir, MAGIC, false)) {
      manifest.apply(changeSet(createTable(1, 0, 0, 0)));
      Map<Long, TableManifest> snapshot = manifest.tables();
      manifest.apply(changeSet(deleteTable(1)));
      assertEquals(1, snapshot.size());
      assertThrows(UnsupportedOperationException.class, () -> snapshot.remove(1L));
    }
  }

  /** Badger's TestManifestRewrite: threshold 10, table 0, then 30 times "create i+1, delete i". */
  @Test
  void rewriteKeepsOnlyTheLiveTables() throws IOException {
    try (Manifest manifest = Manifest.open(fileSystem, dir, MAGIC, false, 10)) {
      runRewriteWorkload(manifest);
      // Rewrites after iterations 11 and 22 (11 deletions > 10 × 1 live table); 8 appends since.
      assertEquals(9, manifest.creations());
      assertEquals(8, manifest.deletions());
    }
    assertFalse(fileSystem.exists(dir.resolve(Manifest.REWRITE_FILE_NAME)));
    long appendOnlySize;
    Path appendOnlyDir = dir.resolve("append-only");
    fileSystem.createDirectories(appendOnlyDir);
    try (Manifest appendOnly = Manifest.open(fileSystem, appendOnlyDir, MAGIC, false, 1000)) {
      runRewriteWorkload(appendOnly);
      appendOnlySize = fileSystem.size(appendOnly.path());
    }
    try (Manifest reopened = Manifest.open(fileSystem, dir, MAGIC, false, 10)) {
      assertEquals(Map.of(30L, new TableManifest(30, 30 % 7, 1, 0)), reopened.tables());
      assertEquals(31, reopened.nextTableId());
      assertEquals(9, reopened.creations());
      assertEquals(8, reopened.deletions());
      long size = fileSystem.size(reopened.path());
      assertTrue(size * 3 < appendOnlySize, size + " bytes against " + appendOnlySize);
    }
  }

  private static void runRewriteWorkload(Manifest manifest) throws IOException {
    manifest.apply(changeSet(createTable(0, 0, 0, 0)));
    for (int i = 0; i < 30; i++) {
      manifest.apply(changeSet(createTable(i + 1, (i + 1) % 7, 1, 0), deleteTable(i)));
    }
  }

  @Test
  void nextTableIdSurvivesARewriteThatDropsTheLargestIds() throws IOException {
    try (Manifest manifest = Manifest.open(fileSystem, dir, MAGIC, false, 10)) {
      manifest.apply(changeSet(createTable(1, 0, 0, 0)));
      ManifestChange[] creates = new ManifestChange[11];
      ManifestChange[] deletes = new ManifestChange[11];
      for (int i = 0; i < 11; i++) {
        creates[i] = createTable(i + 2, 0, 0, 0);
        deletes[i] = deleteTable(i + 2);
      }
      manifest.apply(changeSet(creates));
      manifest.apply(changeSet(deletes));
      assertEquals(0, manifest.deletions(), "the last change set rewrote the log");
      assertEquals(13, manifest.nextTableId());
    }
    try (Manifest reopened = Manifest.open(fileSystem, dir, MAGIC, false, 10)) {
      assertEquals(Map.of(1L, new TableManifest(1, 0, 0, 0)), reopened.tables());
      assertEquals(13, reopened.nextTableId());
    }
  }

  @Test
  void nextTableIdSurvivesARewriteOfAnEmptyStore() throws IOException {
    try (Manifest manifest = Manifest.open(fileSystem, dir, MAGIC, false, 10)) {
      ManifestChange[] creates = new ManifestChange[12];
      ManifestChange[] deletes = new ManifestChange[12];
      for (int i = 0; i < 12; i++) {
        creates[i] = createTable(i + 1, 0, 0, 0);
        deletes[i] = deleteTable(i + 1);
      }
      manifest.apply(changeSet(creates));
      manifest.apply(changeSet(deletes));
    }
    try (Manifest reopened = Manifest.open(fileSystem, dir, MAGIC, true)) {
      assertEquals(Map.of(), reopened.tables());
      assertEquals(13, reopened.nextTableId());
      assertEquals(0, reopened.creations());
    }
  }

  @Test
  void duplicateCreateIsRejectedWithoutWriting() throws IOException {
    try (Manifest manifest = Manifest.open(fileSystem, dir, MAGIC, false)) {
      manifest.apply(changeSet(createTable(1, 0, 0, 0)));
      long size = fileSystem.size(manifest.path());
      IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
          () -> manifest.apply(changeSet(createTable(1, 2, 0, 0))));
      assertTrue(twice.getMessage().contains("table 1 created twice"), twice.getMessage());
      IllegalArgumentException withinOneSet = assertThrows(IllegalArgumentException.class,
          () -> manifest.apply(changeSet(createTable(2, 0, 0, 0), createTable(2, 0, 0, 0))));
      assertTrue(withinOneSet.getMessage().contains("table 2 created twice"));
      assertEquals(size, fileSystem.size(manifest.path()));
      assertEquals(Map.of(1L, new TableManifest(1, 0, 0, 0)), manifest.tables());
      assertEquals(2, manifest.nextTableId());
      assertEquals(1, manifest.creations());

      manifest.apply(changeSet(deleteTable(1), createTable(1, 3, 0, 0)));
      assertEquals(Map.of(1L, new TableManifest(1, 3, 0, 0)), manifest.tables());
    }
  }

  @Test
  void deleteOfAnUnknownTableOnlyWarns() throws IOException {
    try (Manifest manifest = Manifest.open(fileSystem, dir, MAGIC, false)) {
      manifest.apply(changeSet(createTable(1, 0, 0, 0)));
      manifest.apply(changeSet(deleteTable(99)));
      manifest.apply(changeSet(createTable(2, 0, 0, 0), deleteTable(2), deleteTable(2)));
      assertEquals(Map.of(1L, new TableManifest(1, 0, 0, 0)), manifest.tables());
      assertEquals(3, manifest.deletions());
      assertEquals(100, manifest.nextTableId());
    }
    try (Manifest reopened = Manifest.open(fileSystem, dir, MAGIC, false)) {
      assertEquals(Map.of(1L, new TableManifest(1, 0, 0, 0)), reopened.tables());
      assertEquals(100, reopened.nextTableId());
    }
  }

  @Test
  void unknownOperationAndOutOfRangeValuesAreRejected() throws IOException {
    try (Manifest manifest = Manifest.open(fileSystem, dir, MAGIC, false)) {
      assertThrows(IllegalArgumentException.class, () -> manifest.apply(changeSet(
          ManifestChange.newBuilder().setId(1).setOpValue(9).build())));
      assertThrows(IllegalArgumentException.class,
          () -> manifest.apply(changeSet(createTable(-1, 0, 0, 0))));
      assertThrows(IllegalArgumentException.class,
          () -> manifest.apply(changeSet(createTable(1, -1, 0, 0))));
      assertThrows(IllegalArgumentException.class, () -> manifest.apply(changeSet(
          createTable(1, 0, 0, 0).toBuilder().setEncryptionAlgorithmValue(3).build())));
      assertEquals(ManifestFormat.HEADER_SIZE, fileSystem.size(manifest.path()));
      assertEquals(1, manifest.nextTableId());
    }
  }

  @Test
  void externalMagicMismatchFailsOpenNamingBothValues() throws IOException {
    Manifest.open(fileSystem, dir, 7, false).close();
    IOException mismatch = assertThrows(IOException.class,
        () -> Manifest.open(fileSystem, dir, 8, false));
    assertFalse(mismatch instanceof CorruptFileException);
    assertTrue(mismatch.getMessage().contains("external magic 7"), mismatch.getMessage());
    assertTrue(mismatch.getMessage().contains("external magic 8"), mismatch.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Manifest.open(fileSystem, dir, 65536, false));
  }

  @Test
  void readOnlyOpenOfAMissingManifestFails() {
    IOException missing = assertThrows(IOException.class,
        () -> Manifest.open(fileSystem, dir, MAGIC, true));
    assertEquals("no MANIFEST in " + dir + "; a read-only open needs an existing store",
        missing.getMessage());
    assertFalse(fileSystem.exists(dir.resolve(Manifest.FILE_NAME)));
  }

  @Test
  void readOnlyManifestRefusesChanges() throws IOException {
    Manifest.open(fileSystem, dir, MAGIC, false).close();
    try (Manifest readOnly = Manifest.open(fileSystem, dir, MAGIC, true)) {
      assertThrows(IllegalStateException.class,
          () -> readOnly.apply(changeSet(createTable(1, 0, 0, 0))));
    }
    Manifest closed = Manifest.open(fileSystem, dir, MAGIC, false);
    closed.close();
    closed.close();
    assertThrows(IllegalStateException.class,
        () -> closed.apply(changeSet(createTable(1, 0, 0, 0))));
  }

  @Test
  void aStaleRewriteFileIsRemovedAtOpen() throws IOException {
    Manifest.open(fileSystem, dir, MAGIC, false).close();
    Path stale = dir.resolve(Manifest.REWRITE_FILE_NAME);
    try (WritableFile file = fileSystem.createFile(stale)) {
      file.write(new byte[] {'S', 'M'});
    }
    Manifest.open(fileSystem, dir, MAGIC, true).close();
    assertTrue(fileSystem.exists(stale), "a read-only open changes nothing");
    Manifest.open(fileSystem, dir, MAGIC, false).close();
    assertFalse(fileSystem.exists(stale));
  }

  @Test
  void aFailedSyncMakesTheManifestRefuseLaterChanges() throws IOException {
    boolean[] failSync = {false};
    FileSystem failing = new FaultInjectingFileSystem(fileSystem)
        .before(Call.SYNC, (path, unused) -> {
          if (failSync[0]) {
            throw new IOException("injected fsync failure");
          }
        });
    try (Manifest manifest = Manifest.open(failing, dir, MAGIC, false)) {
      manifest.apply(changeSet(createTable(1, 0, 0, 0)));
      failSync[0] = true;
      IOException first = assertThrows(IOException.class,
          () -> manifest.apply(changeSet(createTable(2, 0, 0, 0))));
      assertEquals("injected fsync failure", first.getMessage());
      assertEquals(Map.of(1L, new TableManifest(1, 0, 0, 0)), manifest.tables());
      failSync[0] = false;
      IOException later = assertThrows(IOException.class,
          () -> manifest.apply(changeSet(createTable(3, 0, 0, 0))));
      assertInstanceOf(IOException.class, later.getCause());
      assertEquals("injected fsync failure", later.getCause().getMessage());
    }
    try (Manifest reopened = Manifest.open(fileSystem, dir, MAGIC, false)) {
      assertTrue(reopened.tables().containsKey(1L));
      assertFalse(reopened.tables().containsKey(3L));
    }
  }
}
