package dev.sett.behaviour;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Runs the bank test ({@link Bank}, reference/badger-v4.md §12.3) by hand, for as long as asked:
 *
 * <pre>mvn -q test-compile exec:java -Dexec.mainClass=dev.sett.behaviour.BankTestMain -Dexec.args="600"</pre>
 *
 * <p>Arguments: seconds (default 60), transfer threads (default 8), seed (default random), store
 * directory (default a fresh temporary directory, deleted afterwards). Exits with status 1 when the
 * invariant broke.
 */
public final class BankTestMain {
  private BankTestMain() {
  }

  public static void main(String[] args) throws Exception {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 60;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    long seed = args.length > 2 ? Long.parseLong(args[2]) : Support.seed();
    boolean temporary = args.length <= 3;
    Path dir = temporary ? Files.createTempDirectory("sett-bank") : Path.of(args[3]);
    System.out.printf("bank: %.0f s, %d transfer threads, seed %d, dir %s%n", seconds, threads, seed, dir);
    Bank.Result result;
    try {
      result = Bank.run(dir, seconds, threads, seed);
    } finally {
      if (temporary) {
        deleteRecursively(dir);
      }
    }
    System.out.println(result.summary());
    System.out.println(result.violation() == null ? "Test OK" : "Test FAILED");
    System.exit(result.violation() == null ? 0 : 1);
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
