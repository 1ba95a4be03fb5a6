package dev.sett.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny run of the side-by-side driver on every engine, each in its child JVM: the result files
 * the children write parse, every phase saw every key, and the report has every engine's column.
 */
class SideBySideTest {
  private static final List<String> ENGINES = List.of("Sett", "Sett txn", "RocksDB", "LMDB", "LevelDB-Java");

  @TempDir
  Path dir;

  @Test
  void tinyRunOfEveryEngineEachInItsOwnJvm() throws Exception {
    SideBySide.Config config = SideBySide.Config.parse(new String[] {"--keys", "2000",
        "--value-size", "100", "--seeks", "20", "--put1", "300", "--settle-ms", "50", "--dir",
        dir.resolve("data").toString(), "--out", dir.resolve("out").toString()});
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    List<SideBySide.RunResult> runs = new SideBySide(config, new PrintStream(log, true, StandardCharsets.UTF_8)).runAll();
    String output = log.toString(StandardCharsets.UTF_8);

    assertEquals(1, runs.size());
    assertEquals(ENGINES, runs.get(0).results().stream().map(r -> r.engine).toList());
    for (String engine : SideBySide.ALL_ENGINES) {
      Result result = Result.read(dir.resolve("out").resolve("results").resolve(engine + "-2kx100-1.properties"));
      assertEquals(2000, result.fill.operations(), engine);
      assertEquals(2000, result.readHot.operations(), engine);
      assertEquals(2000, result.readRandom.operations(), engine);
      assertEquals(400, result.readMissing.operations(), engine);
      assertEquals(2000, result.scan.operations(), engine);
      assertEquals(2000L * (16 + 100), result.scan.bytes(), engine);
      assertEquals(20, result.seek.operations(), engine);
      assertNotNull(result.put1, engine);
      assertEquals(300, result.put1.operations(), engine);
      assertTrue(result.longestBatchNanos > 0 && result.longestBatchNanos <= result.fill.nanos(), engine);
      assertTrue(result.fillStallNanos <= result.fill.nanos(), engine);
      assertTrue(result.totalWriteAmplification >= result.fillWriteAmplification, engine);
      assertTrue(result.spaceAmplification > 0.5, engine + " " + result.spaceAmplification);
      assertTrue(result.peakHeapBytes >= 0, engine);
    }
    // Every child says its pid: five engines, five JVMs, none of them this one.
    List<String> pids = output.lines().filter(l -> l.startsWith("== ")).map(l -> l.replaceAll(".*\\(pid (\\d+)\\)$", "$1"))
        .toList();
    assertEquals(5, pids.stream().distinct().count(), output);
    assertTrue(pids.stream().noneMatch(p -> p.equals(Long.toString(ProcessHandle.current().pid()))), output);

    String table = Files.readString(dir.resolve("out").resolve("bench.md"));
    for (String engine : ENGINES) {
      assertTrue(table.contains("| " + engine + " |") || table.contains(" " + engine + " |"), table);
    }
    assertTrue(table.contains("| Sett ÷ best peer | Sett txn ÷ best peer | target |"), table);
    assertTrue(table.contains("| put1 ops/s (single-key writes) |"), table);
    assertTrue(table.contains("| readhot ops/s (before settling) |"), table);
    assertTrue(table.contains("exec:exec@bench") && table.contains("nproc"), table);
    String svg = Files.readString(dir.resolve("out").resolve("bench-2kx100.svg"));
    assertTrue(svg.startsWith("<svg") && svg.contains("LevelDB-Java") && svg.contains("put1"), svg);
  }

  @Test
  void aFailingChildFailsTheRunNamingItsEngineAndExitCode() throws Exception {
    Path notADirectory = Files.writeString(dir.resolve("file"), "the store directory cannot be made under a file");
    SideBySide.Config config = SideBySide.Config.parse(new String[] {"--keys", "1000", "--value-size", "10",
        "--engines", "sett", "--put1", "0", "--dir", notADirectory.toString(), "--out", dir.resolve("out").toString()});
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    IllegalStateException failure = assertThrows(IllegalStateException.class,
        () -> new SideBySide(config, new PrintStream(log, true, StandardCharsets.UTF_8)).runAll());
    assertTrue(failure.getMessage().contains("engine sett") && failure.getMessage().contains("exit code 1"),
        failure.getMessage());
    assertTrue(log.toString(StandardCharsets.UTF_8).contains("FileSystemException")
        || log.toString(StandardCharsets.UTF_8).contains("IOException"), log.toString(StandardCharsets.UTF_8));
  }
}
