package dev.sett.measure;

import dev.sett.DB;
import dev.sett.Options;
import java.nio.file.Path;

/**
 * Measures how long {@code DB.open} takes on an existing store (DESIGN.md §5: a 10 GB store must
 * reopen in under a second). Opens and closes it three times and prints each time; the first open
 * also pays for loading Sett's classes.
 *
 * <pre>java -jar target/sett-cli.jar bench write --dir /tmp/sett-10g --keys-mil 10 --key-size 16 \
 *     --val-size 1024
 * mvn -q test-compile exec:java -Dexec.mainClass=dev.sett.measure.OpenTime \
 *     -Dexec.args="/tmp/sett-10g"</pre>
 */
public final class OpenTime {
  private OpenTime() {
  }

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    for (int i = 1; i <= 3; i++) {
      long start = System.nanoTime();
      try (DB db = DB.open(Options.builder(dir).build())) {
        long nanos = System.nanoTime() - start;
        System.out.printf("open %d: %.3f s (%,d bytes of LSM, %,d bytes of value log)%n", i,
            nanos / 1e9, db.size().lsmBytes(), db.size().vlogBytes());
      }
    }
  }
}
