package dev.sett.tool;

import dev.sett.DB;
import dev.sett.Options;
import dev.sett.StreamWriter;
import dev.sett.TableInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sett stream --dir D --out-dir O}: copies the live contents of a store (every key's
 * versions down to its first deletion; tombstones and expired versions are left behind) into a
 * new store through a {@code Stream} and a {@code StreamWriter}, like {@code badger stream}. The
 * source is opened read-only; the target directory must be absent or empty.
 */
@Command(name = "stream", mixinStandardHelpOptions = true,
    description = "Copy a store's live data into a new store (Stream + StreamWriter).")
final class StreamCommand implements Callable<Integer> {
  @Option(names = "--dir", required = true, description = "Directory of the store to copy.")
  Path dir;

  @Option(names = "--out-dir", required = true,
      description = "Directory of the new store; must be absent or empty.")
  Path outDir;

  @picocli.CommandLine.Mixin
  KeyFileOption keyFile = new KeyFileOption();

  @Option(names = "--out-key-file",
      description = "File holding the master key to encrypt the new store with (default: none).")
  java.nio.file.Path outKeyFile;

  @picocli.CommandLine.Spec
  private picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    StoreDirectories.requireStore(dir);
    if (Files.exists(outDir) && !isEmptyDirectory(outDir)) {
      throw new IllegalStateException("--out-dir " + outDir + " is not an empty directory; "
          + "refusing to write into it");
    }
    if (outDir.toAbsolutePath().normalize().equals(dir.toAbsolutePath().normalize())) {
      throw new IllegalStateException("--out-dir must differ from --dir");
    }
    byte[] outKey = outKeyFile == null ? null
        : KeyFileOption.readKey(outKeyFile, "--out-key-file");
    long copied;
    try (DB source = keyFile.open(dir, Options.builder(dir).readOnly(true));
        DB target = DB.open(Options.builder(outDir).encryptionKey(outKey).build());
        StreamWriter writer = target.newStreamWriter()) {
      long estimate = source.tables().stream().mapToLong(TableInfo::keyCount).sum();
      writer.prepare();
      try (ProgressBar progress = ProgressBar.ofCount(spec.commandLine().getErr(), "versions", estimate)
          .start()) {
        // The writer takes keys in ascending order across batches.
        source.newStream().numGo(4).inKeyOrder(true).send(batch -> {
          writer.write(batch);
          progress.add(batch.size());
        }).orchestrate();
        copied = progress.done();
        progress.finish();
      }
      writer.flush();
    }
    spec.commandLine().getOut().printf("copied %,d versions from %s to %s%n", copied, dir, outDir);
    return 0;
  }

  private static boolean isEmptyDirectory(Path path) throws IOException {
    if (!Files.isDirectory(path)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(path)) {
      return entries.findAny().isEmpty();
    }
  }
}
