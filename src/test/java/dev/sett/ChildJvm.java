package dev.sett;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of the test classpath in a child JVM, so a test can kill it with SIGKILL
 * ({@link Process#destroyForcibly()}) in the middle of its work: the crash harness shared by the
 * crash tests.
 */
final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final BufferedReader stdout;

  private ChildJvm(Process process) {
    this.process = process;
    this.stdout = new BufferedReader(new InputStreamReader(process.getInputStream(),
        StandardCharsets.UTF_8));
  }

  static ChildJvm start(Class<?> mainClass, String... args) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>();
    command.add(java.toString());
    command.add("-Xmx256m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass.getName());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.redirectError(ProcessBuilder.Redirect.INHERIT);
    return new ChildJvm(builder.start());
  }

  /** The next line the child printed, or null at its end. */
  String readLine() throws IOException {
    return stdout.readLine();
  }

  /** Kills the child with SIGKILL and waits for it to be gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("child JVM did not die");
    }
  }

  int waitFor() throws InterruptedException {
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("child JVM did not finish");
    }
    return process.exitValue();
  }

  @Override
  public void close() throws IOException {
    try {
      if (process.isAlive()) {
        kill();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted while killing the child JVM");
    } finally {
      stdout.close();
    }
  }
}
