package dev.sett.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.sett.CorruptionException;
import dev.sett.DB;
import dev.sett.Options;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Disabled;
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

  @Disabled("Known bug, needs a fix in internal/manifest (ManifestReader), which issue 7 may not"
      + " edit: a complete last record with a bad checksum is cut off as a torn tail, so a flip in"
      + " the CREATE of the last flushed table drops that table (open then deletes its file as a"
      + " leftover) and its data is lost without a report. Fix: a torn tail is only a record cut"
      + " short by the end of the file (or an all-zero remainder); a complete record that fails its"
      + " checksum is CorruptFileException, like WalReader's mid-file rule")
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
    Path table = null;
    for (Path file : Files.list(dir).toList()) {
      if (file.toString().endsWith(".sst")) {
        table = file;
      }
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
