package dev.sett.tool;

import dev.sett.DB;
import dev.sett.Options;
import dev.sett.internal.codec.KeyRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sett info --dir D}: what is in a store, like {@code badger info}: its files by kind,
 * the value-log files, the levels and their tables, and the health of the MANIFEST (it replays,
 * every table it lists is on disk, and no table file on disk is missing from it). The store is
 * opened read-only, so {@code info} never changes it.
 */
@Command(name = "info", mixinStandardHelpOptions = true,
    description = "Show the files, levels, tables and MANIFEST health of a store, and its keys.")
final class InfoCommand implements Callable<Integer> {
  @Option(names = "--dir", required = true, description = "Directory of the store.")
  Path dir;

  @Option(names = {"-s", "--show-tables"}, arity = "0..1", description = "List every table.")
  boolean showTables;

  @Option(names = "--show-keys", description = "List the keys (newest version of each).")
  boolean showKeys;

  @Option(names = "--with-prefix", description = "With --show-keys: only keys with this prefix.")
  String withPrefix;

  @Option(names = "--history", description = "With --show-keys: every version, deletions included.")
  boolean history;

  @picocli.CommandLine.Mixin
  KeyFileOption keyFile = new KeyFileOption();

  @picocli.CommandLine.Spec
  private picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if ((withPrefix != null || history) && !showKeys) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--with-prefix and --history go with --show-keys");
    }
    StoreDirectories.requireStore(dir);
    Map<String, Long> filesBefore = files(dir);
    byte[] key = keyFile.key();
    try (DB db = keyFile.open(dir, Options.builder(dir).readOnly(true))) {
      Info.print(dir, filesBefore, db, showTables, spec.commandLine().getOut());
      spec.commandLine().getOut().println("Encryption: " + encryption(dir, key));
      if (showKeys) {
        byte[] prefix = withPrefix == null ? new byte[0]
            : withPrefix.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        KeyListing.print(db, prefix, history, spec.commandLine().getOut());
      }
    }
    return 0;
  }

  /** "none", or the cipher and the number of data keys in the key registry. */
  private static String encryption(Path dir, byte[] key) throws IOException {
    Path registry = dir.resolve(KeyRegistry.FILE_NAME);
    if (key == null || !Files.exists(registry)) {
      return "none";
    }
    int keys = KeyRegistry.decode(Files.readAllBytes(registry), key, registry).size();
    return "AES-" + key.length * 8 + "-CTR, " + keys + " data key" + (keys == 1 ? "" : "s")
        + " in " + KeyRegistry.FILE_NAME;
  }

  private static Map<String, Long> files(Path dir) throws IOException {
    Map<String, Long> files = new TreeMap<>();
    try (Stream<Path> list = Files.list(dir)) {
      for (Path path : (Iterable<Path>) list::iterator) {
        if (Files.isRegularFile(path)) {
          files.put(path.getFileName().toString(), Files.size(path));
        }
      }
    }
    return files;
  }
}

