package dev.sett.tool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.DB;
import dev.sett.Options;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sett backup} and {@code sett restore}: a full and incremental round trip, and bad input. */
class BackupRestoreCliTest {
  @TempDir
  Path dir;

  private record Outcome(int code, String out, String err) {
  }

  private static Outcome run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Sett.run(args, new PrintWriter(out), new PrintWriter(err));
    return new Outcome(code, out.toString(), err.toString());
  }

  /** The one {@code sett:} line on standard error (the progress bar's lines aside). */
  private static void assertOneLineError(Outcome outcome, int code, String fragment) {
    assertEquals(code, outcome.code(), outcome.toString());
    String[] lines = outcome.err().lines().filter(line -> line.startsWith("sett:"))
        .toArray(String[]::new);
    assertEquals(1, lines.length, "one error line: " + outcome.err());
    assertTrue(lines[0].contains(fragment), lines[0]);
    assertFalse(outcome.err().contains("\tat "), "no stack trace: " + outcome.err());
  }

  private static byte[] b(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void backupThenRestoreGivesTheSameStore() {
    Path source = dir.resolve("source");
    try (DB db = DB.open(Options.builder(source).build())) {
      for (int i = 0; i < 1000; i++) {
        db.put(b("key" + i), b("value" + i));
      }
      db.delete(b("key5"));
    }
    Path full = dir.resolve("full.bak");
    Outcome backup = run("backup", "--dir", source.toString(), "--backup-file", full.toString());
    assertEquals(0, backup.code(), backup.toString());
    assertTrue(backup.out().contains("highest version 1001"), backup.out());
    assertFalse(Files.exists(dir.resolve("full.bak.tmp")));

    try (DB db = DB.open(Options.builder(source).build())) {
      db.put(b("key5"), b("back"));
      db.put(b("new"), b("later"));
    }
    Path incr = dir.resolve("incr.bak");
    Outcome incremental = run("backup", "--dir", source.toString(), "-f", incr.toString(),
        "--since", "1001");
    assertEquals(0, incremental.code(), incremental.toString());
    assertTrue(incremental.out().contains("highest version 1003"), incremental.out());

    Path target = dir.resolve("target");
    Outcome restore = run("restore", "--dir", target.toString(), "--backup-file", full.toString(),
        "--max-pending-writes", "4");
    assertEquals(0, restore.code(), restore.toString());
    try (DB db = DB.open(Options.builder(target).build())) {
      assertArrayEquals(b("value999"), db.get(b("key999")));
      assertEquals(null, db.get(b("key5")));
    }
    assertOneLineError(run("restore", "--dir", target.toString(), "-f", incr.toString()),
        Sett.FAILED, "already exists");
    Outcome more = run("restore", "--dir", target.toString(), "-f", incr.toString(), "-w", "1",
        "--existing");
    assertEquals(0, more.code(), more.toString());
    try (DB db = DB.open(Options.builder(target).build())) {
      assertArrayEquals(b("back"), db.get(b("key5")));
      assertArrayEquals(b("later"), db.get(b("new")));
      assertEquals(1003, db.maxVersion());
    }
  }

  @Test
  void badInputFailsOnOneLine() throws IOException {
    assertOneLineError(run("backup", "--dir", dir.resolve("absent").toString(), "-f",
        dir.resolve("x.bak").toString()), Sett.FAILED, "no store at");
    assertOneLineError(run("backup", "--dir", dir.toString(), "--since", "-1"), Sett.BAD_USAGE,
        "--since must not be negative");
    assertOneLineError(run("backup", "--backup-file", "x"), Sett.BAD_USAGE, "--dir");
    assertOneLineError(run("restore", "--dir", dir.resolve("t").toString(), "-f",
        dir.resolve("absent.bak").toString()), Sett.FAILED, "no backup file");
    assertOneLineError(run("restore", "--dir", dir.resolve("t").toString(), "-w", "0"),
        Sett.BAD_USAGE, "--max-pending-writes must be at least 1");

    Path source = dir.resolve("source");
    try (DB db = DB.open(Options.builder(source).build())) {
      db.put(b("a"), b("1"));
    }
    Path good = dir.resolve("good.bak");
    assertEquals(0, run("backup", "--dir", source.toString(), "-f", good.toString()).code());
    byte[] bytes = Files.readAllBytes(good);
    Path truncated = dir.resolve("truncated.bak");
    Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 1));
    assertOneLineError(run("restore", "--dir", dir.resolve("t").toString(), "-f",
        truncated.toString()), Sett.FAILED, truncated + " is damaged at byte 0");
  }
}
