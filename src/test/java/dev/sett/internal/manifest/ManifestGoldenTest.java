package dev.sett.internal.manifest;

import static dev.sett.internal.manifest.Manifest.changeSet;
import static dev.sett.internal.manifest.Manifest.createTable;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.fs.WritableFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keeps docs/format/manifest.md true: the worked example there is this file, byte for byte. A
 * change that fails this test changes the format: raise the format version, and update the doc.
 */
class ManifestGoldenTest {
  /** External magic 0x1234, then one change set: CREATE table 1 at level 0, compression 1. */
  static final String GOLDEN_HEX =
      "534d414e0100341200000000fb9d05f60600000023621fe90a0408013001";

  private static final int EXTERNAL_MAGIC = 0x1234;

  private final FileSystem fileSystem = FileSystem.defaultFileSystem();

  @TempDir
  Path dir;

  @Test
  void writesTheGoldenBytes() throws IOException {
    try (Manifest manifest = Manifest.open(fileSystem, dir, EXTERNAL_MAGIC, false)) {
      manifest.apply(changeSet(createTable(1, 0, 1, 0)));
    }
    assertEquals(GOLDEN_HEX,
        HexFormat.of().formatHex(fileSystem.readAllBytes(dir.resolve(Manifest.FILE_NAME))));
  }

  @Test
  void readsTheGoldenBytes() throws IOException {
    try (WritableFile file = fileSystem.createFile(dir.resolve(Manifest.FILE_NAME))) {
      file.write(HexFormat.of().parseHex(GOLDEN_HEX));
    }
    try (Manifest manifest = Manifest.open(fileSystem, dir, EXTERNAL_MAGIC, true)) {
      assertEquals(Map.of(1L, new TableManifest(1, 0, 1, 0)), manifest.tables());
      assertEquals(2, manifest.nextTableId());
    }
  }

  @Test
  void theFormatDocumentShowsTheGoldenBytes() throws IOException {
    Path doc = Path.of(System.getProperty("basedir", "")).toAbsolutePath()
        .resolve("docs/format/manifest.md");
    String text = new String(fileSystem.readAllBytes(doc), StandardCharsets.UTF_8);
    assertTrue(text.contains(GOLDEN_HEX), "docs/format/manifest.md must quote " + GOLDEN_HEX);
  }
}
