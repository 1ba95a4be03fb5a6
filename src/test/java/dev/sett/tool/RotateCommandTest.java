package dev.sett.tool;

import static dev.sett.tool.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.DB;
import dev.sett.EncryptionKeyMismatchException;
import dev.sett.Options;
import dev.sett.tool.CliRun.Outcome;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sett rotate} and what {@code sett info} says about encryption. */
class RotateCommandTest {
  private static final byte[] OLD = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NEW = "fedcba9876543210".getBytes(StandardCharsets.US_ASCII);

  @TempDir
  Path dir;

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private Path store() {
    Path store = dir.resolve("store");
    try (DB db = DB.open(Options.builder(store).encryptionKey(OLD).build())) {
      for (int i = 0; i < 100; i++) {
        db.put(bytes("key" + i), bytes("value" + i));
      }
    }
    return store;
  }

  private Path keyFile(String name, byte[] key) throws IOException {
    return Files.write(dir.resolve(name), key);
  }

  @Test
  void rotateReencryptsTheRegistrySoOnlyTheNewKeyOpensTheStore() throws IOException {
    Path store = store();
    Path oldFile = keyFile("old.key", OLD);
    Path newFile = keyFile("new.key", NEW);
    Outcome outcome = run("rotate", "--dir", store.toString(), "--old-key-file", oldFile.toString(),
        "--new-key-file", newFile.toString());
    assertEquals(0, outcome.code(), outcome.toString());
    assertTrue(outcome.out().contains("1 data keys"), outcome.out());
    assertThrows(EncryptionKeyMismatchException.class,
        () -> DB.open(Options.builder(store).encryptionKey(OLD).build()));
    try (DB db = DB.open(Options.builder(store).encryptionKey(NEW).build())) {
      for (int i = 0; i < 100; i++) {
        assertArrayEquals(bytes("value" + i), db.get(bytes("key" + i)));
      }
    }
    Outcome info = run("info", "--dir", store.toString(), "--key-file", newFile.toString());
    assertEquals(0, info.code(), info.toString());
    assertTrue(info.out().contains("Encryption: AES-128-CTR, 1 data key in KEYREGISTRY"),
        info.out());
  }

  @Test
  void aWrongOldKeyChangesNothingAndSaysSo() throws IOException {
    Path store = store();
    byte[] registry = Files.readAllBytes(store.resolve("KEYREGISTRY"));
    Outcome outcome = run("rotate", "--dir", store.toString(), "--old-key-file",
        keyFile("wrong.key", NEW).toString(), "--new-key-file", keyFile("new.key", NEW).toString());
    CliRun.assertOneLineError(outcome, 1, "is not the store's master key; nothing was changed");
    assertArrayEquals(registry, Files.readAllBytes(store.resolve("KEYREGISTRY")));
    Outcome badLength = run("rotate", "--dir", store.toString(), "--old-key-file",
        keyFile("old.key", OLD).toString(), "--new-key-file", keyFile("short.key", new byte[7])
            .toString());
    CliRun.assertOneLineError(badLength, 1, "holds 7 bytes");
    assertArrayEquals(registry, Files.readAllBytes(store.resolve("KEYREGISTRY")));
  }

  @Test
  void infoSaysWhetherAStoreIsEncrypted() throws IOException {
    Path plain = dir.resolve("plain");
    try (DB db = DB.open(Options.builder(plain).build())) {
      db.put(bytes("k"), bytes("v"));
    }
    Outcome info = run("info", "--dir", plain.toString());
    assertTrue(info.out().contains("Encryption: none"), info.out());
    Outcome withoutKey = run("info", "--dir", store().toString());
    CliRun.assertOneLineError(withoutKey, 1, "is encrypted");
  }
}
