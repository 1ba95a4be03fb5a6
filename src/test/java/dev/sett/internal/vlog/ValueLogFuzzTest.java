package dev.sett.internal.vlog;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.sett.internal.fs.DecoderFuzzing;
import dev.sett.internal.fs.InMemoryFileSystem;
import dev.sett.internal.fs.WritableFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The value-log reader on arbitrary bytes: a sealed-mode scan (damage is corruption), a
 * recovery-mode scan (damage may be a torn tail), and pointer reads of the records a valid file
 * had. See {@link DecoderFuzzing} for the rule and the commands.
 */
class ValueLogFuzzTest {
  private static final Path DIR = Path.of("/fuzz");
  private static final long FILE_ID = 3;
  private static final List<ValuePointer> POINTERS = new ArrayList<>();

  @FuzzTest(maxDuration = "10s")
  void valueLogRead(byte[] data) {
    DecoderFuzzing.check(ValueLogFuzzTest::decode, data);
  }

  @Test
  void mutatedValueLogsAreReadOrReportedAsCorrupt() throws IOException {
    byte[] valid = validValueLog();
    DecoderFuzzing.maybeWriteSeed(ValueLogFuzzTest.class, "valueLogRead", valid);
    DecoderFuzzing.mutationRun("value log", valid, ValueLogFuzzTest::decode);
  }

  static void decode(byte[] data) throws IOException {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    fs.createDirectories(DIR);
    Path path = DIR.resolve(ValueLogFile.fileName(FILE_ID));
    try (WritableFile file = fs.createFile(path)) {
      file.write(data);
    }
    ValueLogFile file = ValueLogFile.open(fs, path, FILE_ID);
    try {
      for (ValueLogScanner.Mode mode : ValueLogScanner.Mode.values()) {
        try (ValueLogScanner scanner = file.scan(mode)) {
          while (scanner.next() != null) {
            // each record is verified by next()
          }
        } catch (dev.sett.internal.fs.CorruptFileException e) {
          if (mode == ValueLogScanner.Mode.RECOVERY) {
            throw e;
          }
        }
      }
      synchronized (POINTERS) {
        for (ValuePointer pointer : POINTERS) {
          try {
            file.read(pointer);
          } catch (dev.sett.internal.fs.CorruptFileException e) {
            // a damaged record behind a pointer: reported, as it must be
          }
        }
      }
    } finally {
      file.release();
    }
  }

  private static byte[] validValueLog() throws IOException {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    fs.createDirectories(DIR);
    try (ValueLogWriter writer = ValueLogWriter.create(fs, DIR, FILE_ID)) {
      List<ValuePointer> pointers = new ArrayList<>();
      pointers.addAll(writer.append(List.of(ValueLogTestSupport.entry("apple", 5, "red".repeat(40)))));
      pointers.addAll(writer.append(List.of(ValueLogTestSupport.entry("fig", 6, ""),
          ValueLogTestSupport.entry("pear", 6, "green".repeat(20)))));
      writer.sync();
      writer.seal();
      synchronized (POINTERS) {
        POINTERS.clear();
        POINTERS.addAll(pointers);
      }
    }
    return fs.readAllBytes(DIR.resolve(ValueLogFile.fileName(FILE_ID)));
  }
}
