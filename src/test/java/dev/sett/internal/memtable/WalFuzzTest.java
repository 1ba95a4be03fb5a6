package dev.sett.internal.memtable;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sett.internal.fs.DecoderFuzzing;
import dev.sett.internal.fs.InMemoryFileSystem;
import dev.sett.internal.fs.WritableFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The WAL reader on arbitrary bytes: see {@link DecoderFuzzing} for the rule and the commands. */
class WalFuzzTest {
  private static final Path PATH = Path.of("/fuzz/000001.mem");

  @FuzzTest(maxDuration = "10s")
  void walReplay(byte[] data) {
    DecoderFuzzing.check(WalFuzzTest::decode, data);
  }

  @Test
  void mutatedWalsAreReadOrReportedAsCorrupt() throws IOException {
    byte[] valid = validWal();
    DecoderFuzzing.maybeWriteSeed(WalFuzzTest.class, "walReplay", valid);
    DecoderFuzzing.mutationRun("WAL", valid, WalFuzzTest::decode);
  }

  static void decode(byte[] data) throws IOException {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    fs.createDirectories(PATH.getParent());
    try (WritableFile file = fs.createFile(PATH)) {
      file.write(data);
    }
    try (WalReader reader = WalReader.open(fs, PATH)) {
      while (reader.next() != null) {
        // every record is checked and parsed by next()
      }
    }
  }

  private static byte[] validWal() throws IOException {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    fs.createDirectories(PATH.getParent());
    Memtable memtable = Memtable.create(fs, PATH, 1, new MemtableOptions(1 << 20, 1 << 16),
        new SplittableRandom(1));
    memtable.write(List.of(TestEntries.entry("apple", 1, "red"), TestEntries.tombstone("fig", 1)));
    memtable.write(List.of(TestEntries.entry("pear", 2, "green".repeat(10))));
    memtable.write(List.of(TestEntries.entry("a", 3, ""), TestEntries.entry("b", 3, "bb")));
    memtable.closeWal();
    return fs.readAllBytes(PATH);
  }
}
