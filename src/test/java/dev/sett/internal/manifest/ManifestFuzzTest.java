package dev.sett.internal.manifest;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sett.internal.fs.DecoderFuzzing;
import dev.sett.internal.fs.InMemoryFileSystem;
import dev.sett.internal.fs.WritableFile;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The MANIFEST reader (header, framing, protobuf change sets, application rules) on arbitrary
 * bytes, opened read-only. See {@link DecoderFuzzing} for the rule and the commands.
 */
class ManifestFuzzTest {
  private static final Path DIR = Path.of("/fuzz");

  @FuzzTest(maxDuration = "10s")
  void manifestRead(byte[] data) {
    DecoderFuzzing.check(ManifestFuzzTest::decode, data);
  }

  @Test
  void mutatedManifestsAreReadOrReportedAsCorrupt() throws IOException {
    byte[] valid = validManifest();
    DecoderFuzzing.maybeWriteSeed(ManifestFuzzTest.class, "manifestRead", valid);
    DecoderFuzzing.mutationRun("MANIFEST", valid, ManifestFuzzTest::decode);
  }

  static void decode(byte[] data) throws IOException {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    fs.createDirectories(DIR);
    try (WritableFile file = fs.createFile(DIR.resolve(Manifest.FILE_NAME))) {
      file.write(data);
    }
    try (Manifest manifest = Manifest.open(fs, DIR, 0, true)) {
      manifest.tables();
    }
  }

  private static byte[] validManifest() throws IOException {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    fs.createDirectories(DIR);
    try (Manifest manifest = Manifest.open(fs, DIR, 0, false)) {
      manifest.apply(Manifest.changeSet(Manifest.createTable(1, 0, 0, 0),
          Manifest.createTable(2, 0, 1, 0)));
      manifest.apply(Manifest.changeSet(Manifest.createTable(3, 1, 2, 0),
          Manifest.deleteTable(1), Manifest.deleteTable(2)));
      manifest.apply(Manifest.changeSet(Manifest.createTable(4, 0, 0, 0)));
    }
    return fs.readAllBytes(DIR.resolve(Manifest.FILE_NAME));
  }
}
