package dev.sett.tool;

import dev.sett.DB;
import dev.sett.DbSize;
import dev.sett.Options;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sett backup --dir D --backup-file F [--since V]}: writes a backup of the store in
 * Badger's format (docs/format/backup.md), like {@code badger backup}. The store is opened
 * read-only. The backup is written to {@code F.tmp}, forced to disk and renamed over {@code F}, so
 * a failed backup never destroys an older one. Prints the highest version written: the
 * {@code --since} of the next incremental backup.
 */
@Command(name = "backup", mixinStandardHelpOptions = true,
    description = "Write a backup of a store in Badger's format (full, or incremental with --since).")
final class BackupCommand implements Callable<Integer> {
  @Option(names = "--dir", required = true, description = "Directory of the store.")
  Path dir;

  @Option(names = {"-f", "--backup-file"}, defaultValue = "sett.bak",
      description = "The backup file to write (default: ${DEFAULT-VALUE}).")
  Path backupFile;

  @Option(names = "--since", defaultValue = "0",
      description = "Only versions above this one: the result of the previous backup (default: 0, a full backup).")
  long since;

  @CommandLine.Mixin
  KeyFileOption keyFile = new KeyFileOption();

  @CommandLine.Spec
  private CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (since < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--since must not be negative, was " + since);
    }
    StoreDirectories.requireStore(dir);
    Path temporary = backupFile.resolveSibling(backupFile.getFileName() + ".tmp");
    long maxVersion;
    long bytes;
    try (DB db = keyFile.open(dir, Options.builder(dir).readOnly(true))) {
      DbSize size = db.size();
      try (ProgressBar progress = ProgressBar.ofCount(spec.commandLine().getErr(), "bytes",
              size.lsmBytes() + size.vlogBytes()).start();
          FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
        OutputStream out = CountingStreams.counting(
            new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel), 1 << 20),
            progress);
        maxVersion = db.backup(out, since);
        out.flush();
        channel.force(true);
        bytes = progress.done();
      }
      Files.move(temporary, backupFile, StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(temporary);
      throw e;
    }
    spec.commandLine().getOut().printf("backed up %,d bytes to %s; highest version %d (--since %d"
        + " for the next incremental backup)%n", bytes, backupFile, maxVersion, maxVersion);
    return 0;
  }
}
