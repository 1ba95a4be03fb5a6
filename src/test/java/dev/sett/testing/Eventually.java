package dev.sett.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting for background work (a flush, a compaction) that a test cannot call synchronously. */
public final class Eventually {
  private static final Duration LIMIT = Duration.ofSeconds(60);

  private Eventually() {}

  /** Returns once {@code condition} holds; fails with {@code what} if it does not within a minute. */
  public static void await(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + LIMIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        fail(what + " did not happen within " + LIMIT.toSeconds() + " s");
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted while waiting until " + what);
      }
    }
  }
}
