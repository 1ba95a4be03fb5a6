package dev.sett.internal.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.manifest.proto.ManifestChangeSet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Banned namespaces in the MANIFEST (field 5, docs/format/manifest.md): recorded, replayed, kept by a rewrite. */
class ManifestBanTest {
  private final FileSystem fileSystem = FileSystem.defaultFileSystem();

  @TempDir
  Path dir;

  /** The payload of a change set that bans namespaces 7 and 2^64 - 1: packed fixed64, little-endian. */
  @Test
  void aBanEncodesAsPackedFixed64() {
    ManifestChangeSet ban = new ManifestEdit().banNamespace(7).banNamespace(-1).toChangeSet();
    assertEquals("2a100700000000000000ffffffffffffffff",
        HexFormat.of().formatHex(ban.toByteArray()));
  }

  @Test
  void bansSurviveReopenAndRewrite() throws IOException {
    try (Manifest manifest = Manifest.open(fileSystem, dir, 0, false, 2)) {
      manifest.apply(new ManifestEdit().banNamespace(-1));
      manifest.apply(new ManifestEdit().banNamespace(7));
      manifest.apply(new ManifestEdit().banNamespace(7));
      assertEquals(List.of(7L, -1L), manifest.bannedNamespaces(), "unsigned order, once each");
    }
    try (Manifest manifest = Manifest.open(fileSystem, dir, 0, false, 2)) {
      assertEquals(List.of(7L, -1L), manifest.bannedNamespaces());
      // Enough deletions to make the next change set a rewrite into one snapshot record.
      for (long id = 1; id <= 4; id++) {
        manifest.apply(new ManifestEdit().createTable(id, 0, 0));
        manifest.apply(new ManifestEdit().deleteTable(id));
      }
      assertTrue(manifest.deletions() < 4, "the log was rewritten: " + manifest.deletions());
    }
    try (Manifest manifest = Manifest.open(fileSystem, dir, 0, true)) {
      assertEquals(List.of(7L, -1L), manifest.bannedNamespaces());
    }
  }
}
