package dev.sett.measure;

import dev.sett.DB;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * What the measurement programs share: bytes written to storage, clearing a directory, random
 * keys and loading them.
 */
final class MeasureSupport {
  private MeasureSupport() {
  }

  /** write_bytes of /proc/self/io: bytes this process caused to be written to storage. */
  static long writeBytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/io"))) {
      if (line.startsWith("write_bytes:")) {
        return Long.parseLong(line.substring("write_bytes:".length()).trim());
      }
    }
    throw new IOException("no write_bytes in /proc/self/io");
  }

  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(path);
      }
    }
  }

  /** {@code count} random 16-byte keys. */
  static byte[][] randomKeys(SplittableRandom random, int count) {
    byte[][] keys = new byte[count][];
    for (int i = 0; i < count; i++) {
      keys[i] = new byte[16];
      random.nextBytes(keys[i]);
    }
    return keys;
  }

  /** Writes every key with {@code value}, 1,000 keys per transaction. */
  static void load(DB db, byte[][] keys, byte[] value) {
    for (int first = 0; first < keys.length; first += 1000) {
      int start = first;
      db.update(txn -> {
        for (int i = start; i < Math.min(start + 1000, keys.length); i++) {
          txn.set(keys[i], value);
        }
      });
    }
  }
}
