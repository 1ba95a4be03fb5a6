package dev.sett.tool;

import dev.sett.internal.codec.KeyRegistry;
import dev.sett.internal.codec.MasterKeyMismatchException;
import dev.sett.internal.fs.DirectoryLock;
import dev.sett.internal.fs.FileSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sett rotate --dir D --old-key-file A --new-key-file B}: changes the master key of a closed
 * encrypted store, like {@code badger rotate}. Only the key registry is re-encrypted (the data keys
 * stay, so no data file is rewritten), and atomically: a crash leaves a registry that opens with
 * exactly one of the two keys. A key file holds the raw key, 16, 24 or 32 bytes.
 */
@Command(name = "rotate", mixinStandardHelpOptions = true,
    description = "Re-encrypt the key registry of a closed encrypted store under a new master key.")
final class RotateCommand implements Callable<Integer> {
  @Option(names = "--dir", required = true, description = "Directory of the store.")
  Path dir;

  @Option(names = "--old-key-file", required = true,
      description = "File holding the current master key (16, 24 or 32 raw bytes).")
  Path oldKeyFile;

  @Option(names = "--new-key-file", required = true,
      description = "File holding the new master key (16, 24 or 32 raw bytes).")
  Path newKeyFile;

  @picocli.CommandLine.Spec
  private picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    StoreDirectories.requireStore(dir);
    byte[] oldKey = KeyFileOption.readKey(oldKeyFile, "--old-key-file");
    byte[] newKey = KeyFileOption.readKey(newKeyFile, "--new-key-file");
    Path store = dir.toAbsolutePath();
    FileSystem fs = FileSystem.defaultFileSystem();
    if (!KeyRegistry.exists(fs, store)) {
      throw new IllegalStateException("the store at " + dir + " is not encrypted: it has no "
          + KeyRegistry.FILE_NAME);
    }
    int keys;
    try (DirectoryLock lock = fs.lock(store, false)) {
      keys = KeyRegistry.rotateMasterKey(fs, store, oldKey, newKey);
    } catch (MasterKeyMismatchException e) {
      throw new IllegalStateException("the key in " + oldKeyFile + " is not the store's master"
          + " key; nothing was changed", e);
    }
    spec.commandLine().getOut().printf(java.util.Locale.ROOT,
        "re-encrypted the key registry of %s (%d data keys) under the key in %s%n", dir, keys,
        newKeyFile);
    return 0;
  }
}
