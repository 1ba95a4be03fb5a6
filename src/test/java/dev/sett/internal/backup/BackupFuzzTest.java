package dev.sett.internal.backup;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sett.internal.fs.DecoderFuzzing;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The backup decoder (framing, protobuf KVList, record checks) on arbitrary bytes: it returns
 * records or reports damage, never anything else. See {@link DecoderFuzzing} for the rule and the
 * commands.
 */
class BackupFuzzTest {

  @FuzzTest(maxDuration = "10s")
  void backupRead(byte[] data) {
    DecoderFuzzing.check(BackupFuzzTest::decode, data);
  }

  @Test
  void mutatedBackupsAreReadOrReportedAsCorrupt() throws IOException {
    byte[] valid = validBackup();
    DecoderFuzzing.maybeWriteSeed(BackupFuzzTest.class, "backupRead", valid);
    DecoderFuzzing.mutationRun("backup", valid, BackupFuzzTest::decode);
  }

  static void decode(byte[] data) throws IOException {
    BackupReader reader = new BackupReader(new ByteArrayInputStream(data), Path.of("fuzz.backup"));
    while (reader.nextFrame() != null) {
      // every frame decoded
    }
  }

  private static byte[] validBackup() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BackupWriter writer = new BackupWriter(out, 64);
    for (int i = 0; i < 12; i++) {
      byte[] key = ("key" + i).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      writer.add(key, i % 3 == 0 ? null : new byte[i * 7], (byte) i, 100 - i, i % 4 == 0 ? 0 : 1_800_000_000L + i,
          (byte) (i % 3 == 0 ? BackupFormat.META_DELETE : i % 5 == 0 ? BackupFormat.META_DISCARD_EARLIER_VERSIONS : 0));
    }
    writer.finish();
    return out.toByteArray();
  }
}
