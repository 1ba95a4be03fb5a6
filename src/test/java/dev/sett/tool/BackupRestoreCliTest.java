package dev.sett.tool;

import static dev.sett.testing.Bytes.bytes;
import static dev.sett.tool.CliRun.assertOneErrorLineBesideProgress;
import static dev.sett.tool.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.DB;
import dev.sett.Options;
import dev.sett.tool.CliRun.Outcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sett backup} and {@code sett restore}: a full and incremental round trip, and bad input. */
class BackupRestoreCliTest {
  @TempDir
  Path dir;

  @Test
  void backupThenRestoreGivesTheSameStore() {
    Path source = dir.resolve("source");
    try (DB db = DB.open(Options.builder(source).build())) {
      for (int i = 0; i < 1000; i++) {
        db.put(bytes("key" + i), bytes("value" + i));
      }
      db.delete(bytes("key5"));
    }
    Path full = dir.resolve("full.bak");
    Outcome backup = run("backup", "--dir", source.toString(), "--backup-file", full.toString());
    assertEquals(0, backup.code(), backup.toString());
    assertTrue(backup.out().contains("highest version 1001"), backup.out());
    assertFalse(Files.exists(dir.resolve("full.bak.tmp")));

    try (DB db = DB.open(Options.builder(source).build())) {
      db.put(bytes("key5"), bytes("back"));
      db.put(bytes("new"), bytes("later"));
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
      assertArrayEquals(bytes("value999"), db.get(bytes("key999")));
      assertEquals(null, db.get(bytes("key5")));
    }
    assertOneErrorLineBesideProgress(run("restore", "--dir", target.toString(), "-f", incr.toString()),
        Sett.FAILED, "already exists");
    Outcome more = run("restore", "--dir", target.toString(), "-f", incr.toString(), "-w", "1",
        "--existing");
    assertEquals(0, more.code(), more.toString());
    try (DB db = DB.open(Options.builder(target).build())) {
      assertArrayEquals(bytes("back"), db.get(bytes("key5")));
      assertArrayEquals(bytes("later"), db.get(bytes("new")));
      assertEquals(1003, db.maxVersion());
    }
  }

  @Test
  void badInputFailsOnOneLine() throws IOException {
    assertOneErrorLineBesideProgress(run("backup", "--dir", dir.resolve("absent").toString(), "-f",
        dir.resolve("x.bak").toString()), Sett.FAILED, "no store at");
    assertOneErrorLineBesideProgress(run("backup", "--dir", dir.toString(), "--since", "-1"), Sett.BAD_USAGE,
        "--since must not be negative");
    assertOneErrorLineBesideProgress(run("backup", "--backup-file", "x"), Sett.BAD_USAGE, "--dir");
    assertOneErrorLineBesideProgress(run("restore", "--dir", dir.resolve("t").toString(), "-f",
        dir.resolve("absent.bak").toString()), Sett.FAILED, "no backup file");
    assertOneErrorLineBesideProgress(run("restore", "--dir", dir.resolve("t").toString(), "-w", "0"),
        Sett.BAD_USAGE, "--max-pending-writes must be at least 1");

    Path source = dir.resolve("source");
    try (DB db = DB.open(Options.builder(source).build())) {
      db.put(bytes("a"), bytes("1"));
    }
    Path good = dir.resolve("good.bak");
    assertEquals(0, run("backup", "--dir", source.toString(), "-f", good.toString()).code());
    byte[] bytes = Files.readAllBytes(good);
    Path truncated = dir.resolve("truncated.bak");
    Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 1));
    assertOneErrorLineBesideProgress(run("restore", "--dir", dir.resolve("t").toString(), "-f",
        truncated.toString()), Sett.FAILED, truncated + " is damaged at byte 0");
  }
}
