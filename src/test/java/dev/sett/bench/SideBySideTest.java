package dev.sett.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny run of the side-by-side driver on every engine: it works end to end and writes its report. */
class SideBySideTest {
  @TempDir
  Path dir;

  @Test
  void tinyRunOfEveryEngine() throws Exception {
    SideBySide.Config config = SideBySide.Config.parse(new String[] {"--keys", "2000",
        "--value-size", "100", "--seeks", "20", "--settle-ms", "50", "--dir",
        dir.resolve("data").toString(), "--out", dir.resolve("out").toString()});
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    List<SideBySide.RunResult> runs = new SideBySide(config, new PrintStream(log, true)).runAll();
    assertEquals(1, runs.size());
    assertEquals(List.of("Sett", "RocksDB", "LMDB", "LevelDB-Java"),
        runs.get(0).results().stream().map(r -> r.engine).toList());
    for (SideBySide.Result result : runs.get(0).results()) {
      assertEquals(2000, result.fill.operations());
      assertEquals(2000, result.scan.operations());
      assertTrue(result.spaceAmplification > 0.5, result.engine + " " + result.spaceAmplification);
    }
    String table = Files.readString(dir.resolve("out").resolve("bench.md"));
    assertTrue(table.contains("| fillrandom ops/s |"), table);
    assertTrue(table.contains("Sett ÷ best peer"), table);
    String svg = Files.readString(dir.resolve("out").resolve("bench-2kx100.svg"));
    assertTrue(svg.startsWith("<svg") && svg.contains("LevelDB-Java"), svg);
  }
}
