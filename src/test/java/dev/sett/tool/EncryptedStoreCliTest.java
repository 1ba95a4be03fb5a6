package dev.sett.tool;

import static dev.sett.tool.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.DB;
import dev.sett.Options;
import dev.sett.tool.CliRun.Outcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every command that opens a store takes {@code --key-file}, and asks for it on an encrypted store. */
class EncryptedStoreCliTest {
  private static final byte[] KEY_A = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] KEY_B = "fedcba9876543210".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] KEY_C = "abcdefghijklmnopqrstuvwx".getBytes(StandardCharsets.US_ASCII);
  private static final int KEYS = 500;

  @TempDir
  Path dir;

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private Path encryptedStore() {
    Path store = dir.resolve("source");
    try (DB db = DB.open(Options.builder(store).encryptionKey(KEY_A).build())) {
      for (int i = 0; i < KEYS; i++) {
        db.put(bytes("key" + i), bytes("value" + i));
      }
    }
    return store;
  }

  private static void assertHoldsEveryKey(Path store, byte[] key) {
    try (DB db = DB.open(Options.builder(store).encryptionKey(key).readOnly(true).build())) {
      for (int i = 0; i < KEYS; i++) {
        assertArrayEquals(bytes("value" + i), db.get(bytes("key" + i)), "key" + i + " in " + store);
      }
    }
  }

  private static void assertOk(Outcome outcome) {
    assertEquals(0, outcome.code(), outcome.toString());
  }

  @Test
  void backupRestoreStreamAndFlattenCarryAnEncryptedStoreIntoOtherEncryptedStores()
      throws IOException {
    Path source = encryptedStore();
    Path keyA = Files.write(dir.resolve("a.key"), KEY_A);
    Path keyB = Files.write(dir.resolve("b.key"), KEY_B);
    Path keyC = Files.write(dir.resolve("c.key"), KEY_C);
    Path backup = dir.resolve("sett.bak");
    assertOk(run("backup", "--dir", source.toString(), "--key-file", keyA.toString(),
        "--backup-file", backup.toString()));
    assertTrue(Files.size(backup) > 0, "a backup was written");

    Path restored = dir.resolve("restored");
    assertOk(run("restore", "--dir", restored.toString(), "--key-file", keyB.toString(),
        "--backup-file", backup.toString()));
    assertTrue(Files.exists(restored.resolve("KEYREGISTRY")), "the restored store is encrypted");
    assertHoldsEveryKey(restored, KEY_B);

    Path streamed = dir.resolve("streamed");
    Outcome stream = run("stream", "--dir", restored.toString(), "--key-file", keyB.toString(),
        "--out-dir", streamed.toString(), "--out-key-file", keyC.toString());
    assertOk(stream);
    assertTrue(stream.out().contains("copied " + KEYS + " versions"), stream.out());
    assertTrue(Files.exists(streamed.resolve("KEYREGISTRY")), "the streamed store is encrypted");
    assertHoldsEveryKey(streamed, KEY_C);

    assertOk(run("flatten", "--dir", streamed.toString(), "--key-file", keyC.toString()));
    assertHoldsEveryKey(streamed, KEY_C);
    Outcome info = run("info", "--dir", streamed.toString(), "--key-file", keyC.toString());
    assertOk(info);
    assertTrue(info.out().contains("Encryption: AES-192-CTR"), info.out());
  }

  @Test
  void withoutAKeyFileEveryCommandSaysInOneLineThatAKeyIsNeeded() throws IOException {
    Path source = encryptedStore();
    String store = source.toString();
    Path backup = dir.resolve("sett.bak");
    Files.write(backup, new byte[0]);
    String[][] commands = {
        {"info", "--dir", store},
        {"backup", "--dir", store, "--backup-file", dir.resolve("other.bak").toString()},
        {"restore", "--dir", store, "--existing", "--backup-file", backup.toString()},
        {"stream", "--dir", store, "--out-dir", dir.resolve("out").toString()},
        {"flatten", "--dir", store},
        {"bench", "read", "--dir", store, "--duration", "1s"},
        {"bench", "write", "--dir", store, "--keys-mil", "0.001"},
    };
    for (String[] command : commands) {
      Outcome outcome = run(command);
      CliRun.assertOneErrorLineBesideProgress(outcome, 1, "give its master key with --key-file");
    }
    assertFalse(Files.exists(dir.resolve("other.bak")));
    assertFalse(Files.exists(dir.resolve("out").resolve("MANIFEST")));
    assertHoldsEveryKey(source, KEY_A);
  }
}
