package dev.sett.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.sett.CorruptionException;
import dev.sett.DB;
import dev.sett.Options;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cleanly closed store's last MANIFEST record is the CREATE of the table its last flush wrote,
 * whose WAL is gone: cutting that record off as a torn tail would silently lose the data. A flip
 * anywhere in it must be reported or harmless.
 */
class ManifestTornTailTest {
  @TempDir
  Path dir;

  @Test
  void aFlipInTheLastManifestRecordAfterACleanCloseIsNotSilentDataLoss() throws Exception {
    Options options = Options.builder(dir).numCompactors(0).build();
    byte[] key = "k".getBytes(StandardCharsets.UTF_8);
    byte[] value = "v".getBytes(StandardCharsets.UTF_8);
    try (DB db = DB.open(options)) {
      db.put(key, value);
    }
    Path manifest = dir.resolve("MANIFEST");
    byte[] original = Files.readAllBytes(manifest);
    Path table;
    try (var files = Files.list(dir)) {
      table = files.filter(file -> file.toString().endsWith(".sst")).reduce((a, b) -> b)
          .orElseThrow();
    }
    byte[] tableBytes = Files.readAllBytes(table);
    int reported = 0;
    for (int offset = Math.max(16, original.length - 12); offset < original.length; offset++) {
      byte[] bytes = original.clone();
      bytes[offset] ^= 1;
      Files.write(manifest, bytes);
      Files.write(table, tableBytes);
      try (DB db = DB.open(options)) {
        assertArrayEquals(value, db.get(key), "flip at MANIFEST offset " + offset
            + ": the flushed table was dropped without a report");
      } catch (CorruptionException expected) {
        reported++;
      }
    }
    System.out.println("ManifestTornTailTest: " + reported + " flips reported");
  }
}
