package dev.sett.tool;

import static dev.sett.testing.Bytes.bytes;
import static dev.sett.tool.CliRun.assertOneLineError;
import static dev.sett.tool.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.DB;
import dev.sett.LevelInfo;
import dev.sett.Options;
import dev.sett.WriteBatch;
import dev.sett.tool.CliRun.Outcome;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sett stream}, {@code sett flatten} and {@code sett info --show-keys}. */
class StreamFlattenInfoCommandsTest {
  @TempDir
  Path dir;

  private Path fill(String name, int keys) {
    Path store = dir.resolve(name);
    try (DB db = DB.open(Options.builder(store).memTableSize(64 << 10).valueThreshold(100).build())) {
      try (WriteBatch wb = db.newWriteBatch()) {
        for (int i = 0; i < keys; i++) {
          wb.set(bytes(String.format("key%05d", i)), bytes("value-" + i + "-" + "x".repeat(i % 300)));
        }
        wb.flush();
      }
      db.delete(bytes("key00003"));
      db.put(bytes("key00004"), bytes("second"));
    }
    return store;
  }

  @Test
  void streamCopiesTheLiveDataIntoANewStore() {
    Path source = fill("source", 3000);
    Path copy = dir.resolve("copy");
    Outcome outcome = run("stream", "--dir", source.toString(), "--out-dir", copy.toString());
    assertEquals(0, outcome.code(), outcome.toString());
    assertTrue(outcome.out().contains("copied 2,999 versions"), outcome.out());
    try (DB db = DB.open(Options.builder(copy).build())) {
      assertNull(db.get(bytes("key00003")));
      assertEquals("second", new String(db.get(bytes("key00004")), StandardCharsets.UTF_8));
      assertEquals("value-2999-" + "x".repeat(2999 % 300),
          new String(db.get(bytes("key02999")), StandardCharsets.UTF_8));
      for (LevelInfo level : db.levels()) {
        if (level.numTables() > 0) {
          assertEquals(db.levels().size() - 1, level.level(), "tables on the last level only");
        }
      }
    }
  }

  @Test
  void streamRefusesABadSourceOrANonEmptyTarget() throws Exception {
    Path source = fill("source", 10);
    assertOneLineError(run("stream", "--dir", dir.resolve("absent").toString(), "--out-dir",
        dir.resolve("o").toString()), Sett.FAILED, "no store at");
    Path busy = Files.createDirectories(dir.resolve("busy"));
    Files.writeString(busy.resolve("something"), "x");
    assertOneLineError(run("stream", "--dir", source.toString(), "--out-dir", busy.toString()),
        Sett.FAILED, "not an empty directory");
    assertOneLineError(run("stream", "--dir", source.toString()), Sett.BAD_USAGE, "--out-dir");
  }

  @Test
  void flattenLeavesOneLevel() {
    Path store = fill("store", 5000);
    Outcome outcome = run("flatten", "--dir", store.toString(), "--workers", "2");
    assertEquals(0, outcome.code(), outcome.toString());
    assertEquals(1, outcome.out().lines().filter(line -> line.matches("L\\d+: .*")).count(),
        outcome.out());
    assertOneLineError(run("flatten", "--dir", store.toString(), "--workers", "0"),
        Sett.BAD_USAGE, "--workers");
    assertOneLineError(run("flatten", "--dir", dir.resolve("absent").toString()),
        Sett.FAILED, "no store at");
  }

  @Test
  void infoShowsKeysWithAPrefixAndTheirHistory() {
    Path store = fill("store", 20);
    Outcome keys = run("info", "--dir", store.toString(), "--show-keys", "--with-prefix", "key0000");
    assertEquals(0, keys.code(), keys.toString());
    assertTrue(keys.out().contains("key00004  version="), keys.out());
    assertFalse(keys.out().contains("key00003"), "deleted: " + keys.out());
    assertFalse(keys.out().contains("key00010"), "outside the prefix: " + keys.out());
    assertTrue(keys.out().contains("  9 keys"), keys.out());

    Outcome history = run("info", "--dir", store.toString(), "--show-keys", "--with-prefix",
        "key0000", "--history");
    assertEquals(0, history.code(), history.toString());
    assertEquals(2, history.out().lines().filter(line -> line.startsWith("  key00004 ")).count(),
        history.out());
    assertTrue(history.out().lines().anyMatch(line -> line.startsWith("  key00003 ")
        && line.contains("deleted-or-expired")), history.out());
    assertTrue(history.out().contains("  12 versions"), history.out());

    assertOneLineError(run("info", "--dir", store.toString(), "--history"), Sett.BAD_USAGE,
        "--show-keys");
  }
}
