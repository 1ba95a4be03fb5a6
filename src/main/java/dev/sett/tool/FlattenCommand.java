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

  @picocli.CommandLine.Mixin
  KeyFileOption keyFile = new KeyFileOption();

  @picocli.CommandLine.Spec
  private picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws java.io.IOException {
    if (workers < 1) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "--workers must be at least 1, was " + workers);
    }
    StoreDirectories.requireStore(dir);
    try (DB db = keyFile.open(dir, Options.builder(dir))) {
      long start = System.nanoTime();
      spec.commandLine().getErr().println("flattening " + dir + " with " + workers + " worker(s)");
      long toMove = kibAboveTheBottom(db);
      try (ProgressBar progress = ProgressBar.ofCount(spec.commandLine().getErr(), "KiB", toMove)
          .start()) {
        Thread poller = new Thread(() -> {
          long reported = 0;
          while (!Thread.currentThread().isInterrupted()) {
            long moved = Math.max(0, toMove - kibAboveTheBottom(db));
            if (moved > reported) {
              progress.add(moved - reported);
              reported = moved;
            }
            try {
              Thread.sleep(250);
            } catch (InterruptedException e) {
              return;
            }
          }
        }, "sett-flatten-progress");
        poller.setDaemon(true);
        poller.start();
        try {
          db.flatten(workers);
        } finally {
          poller.interrupt();
          joinQuietly(poller);
        }
        progress.add(Math.max(0, toMove - progress.done()));
      }
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

  /** KiB of tables on the levels above the lowest level that holds tables: what flatten moves. */
  private static long kibAboveTheBottom(DB db) {
    java.util.List<LevelInfo> levels = db.levels();
    int bottom = -1;
    for (LevelInfo level : levels) {
      if (level.numTables() > 0) {
        bottom = level.level();
      }
    }
    long bytes = 0;
    for (LevelInfo level : levels) {
      if (level.level() < bottom) {
        bytes += level.size();
      }
    }
    return bytes / 1024;
  }

  private static void joinQuietly(Thread thread) {
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
