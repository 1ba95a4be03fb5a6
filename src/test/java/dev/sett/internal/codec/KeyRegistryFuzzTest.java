package dev.sett.internal.codec;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sett.internal.fs.DecoderFuzzing;
import dev.sett.internal.fs.InMemoryFileSystem;
import dev.sett.internal.fs.WritableFile;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The key registry decoder on arbitrary bytes, opened read-only with a fixed master key. See
 * {@link DecoderFuzzing} for the rule and the commands; a {@link MasterKeyMismatchException} is an
 * accepted answer too (bytes whose check text the key does not decrypt), never another failure.
 */
class KeyRegistryFuzzTest {
  private static final Path DIR = Path.of("/fuzz").toAbsolutePath();
  private static final byte[] MASTER = new byte[32];

  @FuzzTest(maxDuration = "10s")
  void keyRegistryRead(byte[] data) {
    DecoderFuzzing.check(KeyRegistryFuzzTest::decode, data);
  }

  @Test
  void mutatedRegistriesAreReadOrReportedAsCorrupt() throws IOException {
    byte[] valid = KeyRegistry.encode(List.of(DataKey.generate(1, 1, 32), DataKey.generate(2, 2, 32),
        DataKey.generate(5, 3, 32)), MASTER, iv -> java.util.Arrays.fill(iv, (byte) 9));
    DecoderFuzzing.maybeWriteSeed(KeyRegistryFuzzTest.class, "keyRegistryRead", valid);
    DecoderFuzzing.mutationRun("KEYREGISTRY", valid, KeyRegistryFuzzTest::decode);
  }

  static void decode(byte[] data) throws IOException {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    fs.createDirectories(DIR);
    try (WritableFile file = fs.createFile(DIR.resolve(KeyRegistry.FILE_NAME))) {
      file.write(data);
    }
    try {
      KeyRegistry registry = KeyRegistry.open(fs, DIR, MASTER, Duration.ofDays(1), true, () -> 0);
      registry.key(registry.current().id());
    } catch (MasterKeyMismatchException wrongKey) {
      // the master key does not decrypt these bytes' check text: reported, nothing trusted
    }
  }
}
