package dev.sett.tool;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code sett bench}: the parent of {@code write} and {@code read}. */
@Command(name = "bench", aliases = "benchmark", mixinStandardHelpOptions = true,
    description = "Benchmark a Sett store (the flags of Badger's `badger benchmark`).",
    subcommands = {BenchWrite.class, BenchRead.class})
final class BenchCommand implements Runnable {
  @CommandLine.Spec
  private CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "missing a command: write or read");
  }
}
