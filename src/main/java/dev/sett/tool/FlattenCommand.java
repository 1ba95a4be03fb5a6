package dev.sett.tool;

import dev.sett.DB;
import dev.sett.LevelInfo;
import dev.sett.Options;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sett flatten --dir D [--workers N]}: compacts a store until its data sits on one level,
 * like {@code badger flatten}; prints the levels that hold tables afterwards.
 */
@Command(name = "flatten", mixinStandardHelpOptions = true,
    description = "Compact a store until all of its data sits on one level.")
final class FlattenCommand implements Callable<Integer> {
  @Option(names = "--dir", required = true, description = "Directory of the store.")
  java.nio.file.Path dir;

  @Option(names = {"-w", "--workers"}, defaultValue = "1",
      description = "Compactions run in parallel (default ${DEFAULT-VALUE}).")
  int workers;

  @picocli.CommandLine.Spec
  private picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    if (workers < 1) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--workers must be at least 1, was " + workers);
    }
    StoreDirectories.requireStore(dir);
    try (DB db = DB.open(Options.builder(dir).build())) {
      long start = System.nanoTime();
      spec.commandLine().getErr().println("flattening " + dir + " with " + workers + " worker(s)...");
      db.flatten(workers);
      double seconds = (System.nanoTime() - start) / 1e9;
      for (LevelInfo level : db.levels()) {
        if (level.numTables() > 0) {
          spec.commandLine().getOut().printf(java.util.Locale.ROOT, "L%d: %d tables, %,d bytes%n",
              level.level(), level.numTables(), level.size());
        }
      }
      spec.commandLine().getOut().printf(java.util.Locale.ROOT, "flattened in %.1f s%n", seconds);
    }
    return 0;
  }
}
