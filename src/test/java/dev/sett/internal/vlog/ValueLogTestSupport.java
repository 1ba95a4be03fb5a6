package dev.sett.internal.vlog;

import static dev.sett.testing.Bytes.bytes;
import static dev.sett.testing.Bytes.unhex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.fs.WritableFile;
import dev.sett.internal.key.KeyValue;
import dev.sett.internal.key.ValueStruct;
import java.io.IOException;
import java.nio.file.Path;

/** Small builders, file helpers and assertions shared by the value log tests. */
final class ValueLogTestSupport {
  private ValueLogTestSupport() {
  }


  static KeyValue entry(String userKey, long version, String value) {
    return KeyValue.of(bytes(userKey), version,
        new ValueStruct((byte) 0, (byte) 0, 0, 0, bytes(value)));
  }


  /** Replaces whatever is at {@code path} with exactly {@code content}. */
  static void replace(FileSystem fileSystem, Path path, byte[] content) throws IOException {
    fileSystem.delete(path);
    try (WritableFile file = fileSystem.createFile(path)) {
      file.write(content);
    }
  }

  /** Asserts that {@code record} is {@code expected} stored at {@code pointer}. */
  static void assertRecord(KeyValue expected, ValuePointer pointer, ValueLogRecord record) {
    assertEquals(pointer, record.pointer());
    assertArrayEquals(expected.key(), record.key(), "key at " + pointer);
    assertEquals(expected.value(), record.value(), "value at " + pointer);
  }

  /** A seed from {@code -Dsett.seed} or the clock, printed so that a failure can be replayed. */
  static long seed(String test) {
    String fixed = System.getProperty("sett.seed");
    long seed = fixed != null ? Long.parseLong(fixed) : System.nanoTime();
    System.out.println(test + ": seed " + seed + " (rerun with -Dsett.seed=" + seed + ")");
    return seed;
  }
}
