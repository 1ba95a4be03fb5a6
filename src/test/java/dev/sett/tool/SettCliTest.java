package dev.sett.tool;

import static dev.sett.tool.CliRun.assertOneLineError;
import static dev.sett.tool.CliRun.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.tool.CliRun.Outcome;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code sett} command line: parsing, exit codes, one-line errors, and what it prints. */
class SettCliTest {
  @TempDir
  Path dir;

  @Test
  void noCommandIsBadUsage() {
    assertOneLineError(run(), Sett.BAD_USAGE, "missing a command");
    assertOneLineError(run("bench"), Sett.BAD_USAGE, "missing a command");
  }

  @Test
  void badFlagsAreBadUsageOnOneLine() {
    assertOneLineError(run("bench", "write", "--dir", dir.toString(), "--keys-mil", "lots"),
        Sett.BAD_USAGE, "--keys-mil");
    assertOneLineError(run("bench", "write", "--keys-mil", "0.1"), Sett.BAD_USAGE, "--dir");
    assertOneLineError(run("bench", "write", "--dir", dir.toString(), "--keys-mil", "0"),
        Sett.BAD_USAGE, "--keys-mil must be positive");
    assertOneLineError(run("bench", "write", "--dir", dir.toString(), "--no-such-flag"),
        Sett.BAD_USAGE, "--no-such-flag");
    assertOneLineError(run("bench", "read", "--dir", dir.toString(), "--duration", "soon"),
        Sett.BAD_USAGE, "--duration");
    assertOneLineError(run("bench", "write", "--dir", dir.toString(), "--keys-mil", "0.001",
        "--value-th", "-5"), Sett.BAD_USAGE, "valueThreshold");
    assertOneLineError(run("frobnicate"), Sett.BAD_USAGE, "frobnicate");
  }

  @Test
  void helpAndVersionSucceed() {
    Outcome help = run("bench", "write", "--help");
    assertEquals(0, help.code());
    for (String flag : new String[] {"--keys-mil", "--key-size", "--val-size", "--sorted", "--sync",
        "--value-th", "--dir"}) {
      assertTrue(help.out().contains(flag), flag + " in " + help.out());
    }
    assertTrue(run("bench", "read", "--help").out().contains("--duration"));
    assertEquals(0, run("--version").code());
  }

  @Test
  void infoOnAMissingStoreFailsOnOneLine() {
    assertOneLineError(run("info", "--dir", dir.resolve("absent").toString()), Sett.FAILED, "no store at");
    assertOneLineError(run("info", "--dir", dir.toString()), Sett.FAILED, "no MANIFEST");
    assertOneLineError(run("bench", "read", "--dir", dir.resolve("absent").toString(), "-d", "1s"),
        Sett.FAILED, "no store at");
  }

  @Test
  void infoOnACorruptStoreFailsOnOneLine() throws Exception {
    Path store = dir.resolve("store");
    assertEquals(0, run("bench", "write", "--dir", store.toString(), "--keys-mil", "0.001").code());
    Files.write(store.resolve("MANIFEST"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
    Outcome outcome = run("info", "--dir", store.toString());
    assertEquals(Sett.FAILED, outcome.code(), outcome.toString());
    assertEquals(1, outcome.err().strip().split("\n").length, outcome.err());
  }

  @Test
  void writeThenInfoThenRead() {
    Path store = dir.resolve("store");
    Outcome write = run("bench", "write", "--dir", store.toString(), "--keys-mil", "0.005",
        "--key-size", "16", "--val-size", "100", "--sorted");
    assertEquals(0, write.code(), write.toString());
    assertTrue(write.out().contains("wrote 5,000 keys"), write.out());
    assertTrue(write.err().contains("100%"), "a progress bar on standard error: " + write.err());
    assertEquals("", write.errorLines());

    Outcome info = run("info", "--dir", store.toString(), "--show-tables");
    assertEquals(0, info.code(), info.toString());
    for (String part : new String[] {"Files", "MANIFEST", "Value log files", "Levels", "L0", "L6",
        "Tables", "health: ok", "5,000 keys in tables"}) {
      assertTrue(info.out().contains(part), part + " in\n" + info.out());
    }

    Outcome read = run("bench", "read", "--dir", store.toString(), "--duration", "300ms", "-g", "2",
        "--sample-size", "100");
    assertEquals(0, read.code(), read.toString());
    assertTrue(read.out().contains("sampled 100 keys"), read.out());
    assertTrue(read.out().matches("(?s).*read [0-9,]+ entries.*"), read.out());

    Outcome scan = run("bench", "read", "--dir", store.toString(), "--full-scan");
    assertEquals(0, scan.code(), scan.toString());
    assertTrue(scan.out().contains("scanned 5,000 entries"), scan.out());
  }

  @Test
  void progressBarShowsRateAndEta() {
    ProgressBar bar = ProgressBar.ofCount(new PrintWriter(new StringWriter()), "keys", 1000);
    bar.add(250);
    String line = bar.line(System.nanoTime());
    assertTrue(line.contains(" 25%"), line);
    assertTrue(line.contains("250 / 1,000 keys"), line);
    assertTrue(line.contains("keys/s"), line);
    assertTrue(line.contains("ETA "), line);
    assertEquals("1:01:01", ProgressBar.clock(3661_000_000_000L));
    assertEquals("1.5 k", ProgressBar.humanRate(1500));
  }
}
