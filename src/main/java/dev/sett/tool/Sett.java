package dev.sett.tool;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code sett} command line: {@code sett bench write|read} (the flags of Badger's
 * {@code badger benchmark write|read}, so the two tools compare run for run) and
 * {@code sett info}. Built into {@code target/sett-cli.jar} by {@code mvn package}; picocli is an
 * optional dependency of the library, so only the runnable jar carries it.
 *
 * <p>Exit codes: 0 success, 1 the command failed (for example a store that cannot be opened),
 * 2 bad flags. Errors are one line on standard error; progress goes to standard error too, so
 * standard output holds only results.
 */
@Command(name = "sett", mixinStandardHelpOptions = true, versionProvider = Sett.Version.class,
    description = "Tools for Sett stores: benchmarks, inspection, backup and restore, copying and"
        + " compaction.",
    subcommands = {BenchCommand.class, InfoCommand.class, BackupCommand.class, RestoreCommand.class,
        StreamCommand.class, FlattenCommand.class, RotateCommand.class,
        CommandLine.HelpCommand.class})
public final class Sett implements Runnable {
  /** Exit code of a command that failed while running. */
  static final int FAILED = 1;
  /** Exit code of a command line that did not parse. */
  static final int BAD_USAGE = 2;

  @CommandLine.Spec
  private CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    // Sett's warnings reach the terminal through the jar's slf4j-simple; its info lines do not.
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /** Runs the command line {@code args}, printing to {@code out} and {@code err}; returns the exit code. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine commandLine = new CommandLine(new Sett())
        .setOut(out)
        .setErr(err)
        .setParameterExceptionHandler((exception, arguments) -> {
          CommandLine failed = exception.getCommandLine();
          failed.getErr().println("sett: " + exception.getMessage() + " (see '"
              + failed.getCommandSpec().qualifiedName() + " --help')");
          return BAD_USAGE;
        })
        .setExecutionExceptionHandler((exception, failed, parseResult) -> {
          failed.getErr().println("sett: " + oneLine(exception));
          return FAILED;
        });
    int code = commandLine.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  /** The message of {@code failure} and of its causes, on one line. */
  static String oneLine(Throwable failure) {
    StringBuilder message = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      String text = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
      if (message.indexOf(text) >= 0) {
        continue;
      }
      if (message.length() > 0) {
        message.append(": ");
      }
      message.append(text);
    }
    return message.toString().replace('\n', ' ');
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing a command: bench, info, stream or flatten");
  }

  /** The version in the jar's manifest, or "development" when run from classes. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Sett.class.getPackage().getImplementationVersion();
      return new String[] {"sett " + (version == null ? "(development build)" : version)};
    }
  }
}
