package dev.sett.tool;

import dev.sett.DB;
import dev.sett.Options;
import dev.sett.internal.codec.KeyRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The {@code --key-file} option of every command that opens a store, and the one place that reads
 * a key file. Without it, an encrypted store is refused with a one-line message asking for it.
 */
final class KeyFileOption {
  @Option(names = "--key-file",
      description = "File holding the master key of an encrypted store (16, 24 or 32 raw bytes).")
  Path keyFile;

  /** The key in {@code --key-file}, or null when none was given. */
  byte[] key() throws IOException {
    return keyFile == null ? null : readKey(keyFile, "--key-file");
  }

  /**
   * Opens the store {@code builder} describes with the key in {@code --key-file}; without a key
   * file, an encrypted store at {@code dir} fails with a one-line message naming the option.
   */
  DB open(Path dir, Options.Builder builder) throws IOException {
    byte[] key = key();
    requireKeyFor(dir);
    return DB.open(builder.encryptionKey(key).build());
  }

  /** Fails with a one-line message if the store at {@code dir} is encrypted and no key file was given. */
  void requireKeyFor(Path dir) {
    if (keyFile == null && Files.exists(dir.resolve(KeyRegistry.FILE_NAME))) {
      throw new IllegalStateException("the store at " + dir + " is encrypted (it has a "
          + KeyRegistry.FILE_NAME + "); give its master key with --key-file");
    }
  }

  /** The raw key in {@code file}, refused with a one-line message unless it is an AES key. */
  static byte[] readKey(Path file, String option) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException(option + ": no key file at " + file);
    }
    byte[] key = Files.readAllBytes(file);
    if (key.length != 16 && key.length != 24 && key.length != 32) {
      throw new IllegalStateException(option + ": " + file + " holds " + key.length
          + " bytes; a key is 16, 24 or 32 raw bytes (AES-128, AES-192, AES-256)");
    }
    return key;
  }
}
