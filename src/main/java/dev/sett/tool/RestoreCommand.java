package dev.sett.tool;

import dev.sett.CorruptionException;
import dev.sett.DB;
import dev.sett.Options;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sett restore --dir D --backup-file F [--max-pending-writes N]}: loads a backup written by
 * {@code sett backup} or by Badger into a new store, like {@code badger restore}. It refuses a
 * directory that already holds a store unless {@code --existing} says to load into it (an
 * incremental backup on top of the full one). A damaged backup fails with the byte offset of the
 * damage, after everything before it was loaded.
 */
@Command(name = "restore", mixinStandardHelpOptions = true,
    description = "Load a backup (Sett's or Badger's) into a new store.")
final class RestoreCommand implements Callable<Integer> {
  @Option(names = "--dir", required = true, description = "Directory of the store to create.")
  Path dir;

  @Option(names = {"-f", "--backup-file"}, defaultValue = "sett.bak",
      description = "The backup file to load (default: ${DEFAULT-VALUE}).")
  Path backupFile;

  @Option(names = {"-w", "--max-pending-writes"}, defaultValue = "256",
      description = "Batches queued for the writer at once (default: ${DEFAULT-VALUE}).")
  int maxPendingWrites;

  @Option(names = "--existing",
      description = "Load into the store already at --dir (for an incremental backup).")
  boolean existing;

  @CommandLine.Mixin
  KeyFileOption keyFile = new KeyFileOption();

  @CommandLine.Spec
  private CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (maxPendingWrites < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--max-pending-writes must be at least 1, was " + maxPendingWrites);
    }
    if (!Files.isRegularFile(backupFile)) {
      throw new IllegalStateException("no backup file at " + backupFile);
    }
    if (!existing && Files.exists(dir.resolve("MANIFEST"))) {
      throw new IllegalStateException("a store already exists at " + dir
          + "; restore into a new directory, or pass --existing to load into it");
    }
    long size = Files.size(backupFile);
    long maxVersion;
    try (DB db = keyFile.open(dir, Options.builder(dir).numVersionsToKeep(Integer.MAX_VALUE));
        ProgressBar progress = ProgressBar.ofCount(spec.commandLine().getErr(), "bytes", size)
            .start();
        InputStream in = CountingStreams.counting(
            new BufferedInputStream(Files.newInputStream(backupFile), 1 << 20), progress)) {
      try {
        db.load(in, maxPendingWrites);
      } catch (CorruptionException e) {
        throw new IllegalStateException(backupFile + " is damaged at byte " + e.offset()
            + " (everything before it was loaded into " + dir + "): " + e.getMessage(), e);
      }
      maxVersion = db.maxVersion();
    }
    spec.commandLine().getOut().printf("restored %,d bytes from %s into %s; highest version %d%n",
        size, backupFile, dir, maxVersion);
    return 0;
  }
}
