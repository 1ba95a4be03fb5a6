package dev.sett.tool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the {@code sett} command line in this JVM and checks what it printed. */
final class CliRun {
  private CliRun() {}

  /** A command's exit code and what it printed on standard output and standard error. */
  record Outcome(int code, String out, String err) {
    /** Standard error without the progress bar's redraws. */
    String errorLines() {
      return err.lines().filter(line -> line.startsWith("sett:")).reduce("", (a, b) -> a + b + "\n");
    }
  }

  static Outcome run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Sett.run(args, new PrintWriter(out), new PrintWriter(err));
    return new Outcome(code, out.toString(), err.toString());
  }

  /** Exit {@code code} and nothing on standard error but one {@code sett:} line naming {@code fragment}. */
  static void assertOneLineError(Outcome outcome, int code, String fragment) {
    assertEquals(code, outcome.code(), outcome.toString());
    String[] lines = outcome.err().strip().split("\n");
    assertEquals(1, lines.length, "one line on standard error: " + outcome.err());
    assertTrue(lines[0].startsWith("sett: "), lines[0]);
    assertTrue(lines[0].contains(fragment), lines[0]);
  }

  /**
   * Exit {@code code} and, beside a progress bar's lines, one {@code sett:} line naming
   * {@code fragment}, and no stack trace.
   */
  static void assertOneErrorLineBesideProgress(Outcome outcome, int code, String fragment) {
    assertEquals(code, outcome.code(), outcome.toString());
    String[] lines = outcome.err().lines().filter(line -> line.startsWith("sett:"))
        .toArray(String[]::new);
    assertEquals(1, lines.length, "one error line: " + outcome.err());
    assertTrue(lines[0].contains(fragment), lines[0]);
    assertFalse(outcome.err().contains("\tat "), "no stack trace: " + outcome.err());
  }
}
