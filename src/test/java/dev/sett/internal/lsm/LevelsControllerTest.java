package dev.sett.internal.lsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.fs.FaultInjectingFileSystem;
import dev.sett.internal.fs.FaultInjectingFileSystem.Call;
import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.ValueStruct;
import dev.sett.internal.manifest.Manifest;
import dev.sett.internal.sstable.BlockCache;
import dev.sett.internal.sstable.Table;
import dev.sett.internal.sstable.TableBuilder;
import dev.sett.internal.sstable.TableOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LevelsControllerTest {
  @TempDir
  Path dir;

  private Table writeTable(LevelsController levels, String key) throws IOException {
    TableBuilder builder = levels.tableFiles().newBuilder();
    builder.add(InternalKey.of(key.getBytes(StandardCharsets.UTF_8), 1),
        new ValueStruct((byte) 0, (byte) 0, 0, 1, "v".getBytes(StandardCharsets.UTF_8)));
    return levels.tableFiles().writeDurableAndOpen(builder);
  }

  @Test
  void aFailedManifestSyncKeepsTheTableFileItMayName() throws Exception {
    // Fails the MANIFEST's fsync after its record was written: the record may well be durable.
    AtomicBoolean fail = new AtomicBoolean();
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(FileSystem.defaultFileSystem())
        .before(Call.SYNC, (path, unused) -> {
          if (fail.get() && path.getFileName().toString().equals(Manifest.FILE_NAME)) {
            throw new IOException("injected fsync failure");
          }
        });
    Manifest manifest = Manifest.open(fs, dir, 0, false);
    LevelsController levels = LevelsController.open(fs, dir, manifest, TableOptions.defaults(),
        BlockCache.disabled(), TestLevelsOptions.withoutCompaction(), false);
    Table table = writeTable(levels, "k");
    Path path = table.path();
    fail.set(true);
    assertThrows(IOException.class, () -> levels.addLevel0Table(table));
    levels.close();
    manifest.close();
    assertTrue(Files.exists(path), "the record may be durable, so its table must stay");
    // The record did reach the file (only its sync failed): the store opens with the table.
    try (Manifest reopened = Manifest.open(FileSystem.defaultFileSystem(), dir, 0, false);
        LevelsController again = LevelsController.open(FileSystem.defaultFileSystem(), dir, reopened,
            TableOptions.defaults(), BlockCache.disabled(), TestLevelsOptions.withoutCompaction(), false)) {
      try (LevelsView view = again.acquire()) {
        assertEquals(1, view.levels().get(0).size());
      }
    }
  }

  @Test
  void level0KeepsAgeOrderAndTheNewestTableWins() throws Exception {
    try (Manifest manifest = Manifest.open(FileSystem.defaultFileSystem(), dir, 0, false);
        LevelsController levels = LevelsController.open(FileSystem.defaultFileSystem(), dir, manifest,
            TableOptions.defaults(), BlockCache.disabled(), TestLevelsOptions.withoutCompaction(), false)) {
      for (int version = 1; version <= 3; version++) {
        TableBuilder builder = levels.tableFiles().newBuilder();
        builder.add(InternalKey.of("k".getBytes(StandardCharsets.UTF_8), version),
            new ValueStruct((byte) 0, (byte) 0, 0, version, new byte[] {(byte) version}));
        levels.addLevel0Table(levels.tableFiles().writeDurableAndOpen(builder));
      }
      try (LevelsView view = levels.acquire()) {
        assertEquals(3, view.get("k".getBytes(StandardCharsets.UTF_8), 10).version());
        assertEquals(2, view.get("k".getBytes(StandardCharsets.UTF_8), 2).version());
      }
    }
    // Reopened: L0 is rebuilt in age order from the MANIFEST.
    try (Manifest manifest = Manifest.open(FileSystem.defaultFileSystem(), dir, 0, false);
        LevelsController levels = LevelsController.open(FileSystem.defaultFileSystem(), dir, manifest,
            TableOptions.defaults(), BlockCache.disabled(), TestLevelsOptions.withoutCompaction(), false);
        LevelsView view = levels.acquire()) {
      assertEquals(3, view.get("k".getBytes(StandardCharsets.UTF_8), 10).version());
    }
  }
}
