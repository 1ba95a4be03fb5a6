package dev.sett.internal.fs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Shared by the decoder fuzz tests (issue 7): the rule every decoder of on-disk bytes must keep,
 * and a mutation run that CI can afford.
 *
 * <p>The rule: given arbitrary bytes, a decoder returns, or throws {@link CorruptFileException} or
 * {@link UnsupportedFormatException} (possibly wrapped in an {@link UncheckedIOException} by an
 * iterator). Any other exception, an {@link Error} (such as {@link OutOfMemoryError} from a length
 * read off the disk and trusted), or a hang is a bug. Jazzer's {@code @FuzzTest} feeds the same
 * targets with coverage guidance when run in fuzzing mode ({@code JAZZER_FUZZ=1}); in CI each
 * {@code @FuzzTest} replays its corpus and each target also gets {@link #mutationRun}.
 */
public final class DecoderFuzzing {
  /** A decoder under test: reads {@code data} as its file format, end to end. */
  @FunctionalInterface
  public interface Target {
    void decode(byte[] data) throws IOException;
  }

  /** Mutations per target in CI; more with {@code -Dsett.fuzz.mutations=1000000}. */
  public static final int MUTATIONS = Integer.getInteger("sett.fuzz.mutations", 3000);

  private static long executions;

  private DecoderFuzzing() {
  }

  /** Total decoder executions in this JVM (for the figures in docs/reliability.md). */
  public static synchronized long executions() {
    return executions;
  }

  /** Runs {@code target} on {@code data} and enforces the rule. */
  public static void check(Target target, byte[] data) {
    synchronized (DecoderFuzzing.class) {
      executions++;
    }
    try {
      target.decode(data);
    } catch (CorruptFileException | UnsupportedFormatException expected) {
      // the decoder recognised damage
    } catch (UncheckedIOException e) {
      if (!(e.getCause() instanceof CorruptFileException)) {
        throw e;
      }
    } catch (IOException e) {
      throw new AssertionError("a decoder failed with an IOException that is not a corruption"
          + " report: " + e, e);
    }
  }

  /**
   * Decodes {@code iterations} mutants of {@code valid} (bit flips, overwritten bytes, extreme
   * integers, truncation, extension, spliced copies) and the valid file itself. Prints the seed;
   * replay with {@code -Dsett.seed=...}.
   */
  public static void mutationRun(String name, byte[] valid, Target target) {
    long seed = Long.getLong("sett.seed", new SplittableRandom().nextLong());
    System.out.println(name + " mutation seed " + seed + " (-Dsett.seed=" + seed + "), "
        + MUTATIONS + " mutants of a " + valid.length + "-byte file");
    SplittableRandom random = new SplittableRandom(seed);
    check(target, valid);
    check(target, new byte[0]);
    for (int i = 0; i < MUTATIONS; i++) {
      byte[] mutant = mutate(valid, random);
      long start = System.nanoTime();
      try {
        check(target, mutant);
      } catch (RuntimeException | Error e) {
        throw new AssertionError(name + ": mutant " + i + " broke the rule; seed " + seed, e);
      }
      long millis = (System.nanoTime() - start) / 1_000_000;
      if (millis > 5_000) {
        throw new AssertionError(name + ": mutant " + i + " took " + millis + " ms; seed " + seed);
      }
    }
  }

  static byte[] mutate(byte[] valid, SplittableRandom random) {
    byte[] bytes = valid.clone();
    int rounds = 1 + random.nextInt(random.nextInt(4) == 0 ? 8 : 2);
    for (int round = 0; round < rounds; round++) {
      if (bytes.length == 0) {
        bytes = new byte[1 + random.nextInt(64)];
        random.nextBytes(bytes);
        continue;
      }
      int at = random.nextInt(bytes.length);
      switch (random.nextInt(7)) {
        case 0, 1 -> bytes[at] ^= (byte) (1 << random.nextInt(8));
        case 2 -> bytes[at] = (byte) random.nextInt(256);
        case 3 -> {
          int[] extremes = {0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, bytes.length,
              bytes.length - at, 1 << 28, 0x7F};
          int value = extremes[random.nextInt(extremes.length)];
          for (int k = 0; k < 4 && at + k < bytes.length; k++) {
            bytes[at + k] = (byte) (value >>> (8 * k));
          }
        }
        case 4 -> bytes = Arrays.copyOf(bytes, at);
        case 5 -> {
          byte[] tail = new byte[1 + random.nextInt(32)];
          random.nextBytes(tail);
          byte[] longer = Arrays.copyOf(bytes, bytes.length + tail.length);
          System.arraycopy(tail, 0, longer, bytes.length, tail.length);
          bytes = longer;
        }
        default -> {
          int from = random.nextInt(bytes.length);
          int length = Math.min(1 + random.nextInt(64), Math.min(bytes.length - from,
              bytes.length - at));
          System.arraycopy(bytes.clone(), from, bytes, at, length);
        }
      }
    }
    return bytes;
  }

  /**
   * With {@code -Dsett.fuzz.writeSeeds=true}, stores {@code valid} as a seed of the Jazzer corpus
   * of {@code testClass}'s {@code method}, under src/test/resources (commit it).
   */
  public static void maybeWriteSeed(Class<?> testClass, String method, byte[] valid)
      throws IOException {
    if (!Boolean.getBoolean("sett.fuzz.writeSeeds")) {
      return;
    }
    Path dir = Path.of("src/test/resources", testClass.getPackageName().replace('.', '/'),
        testClass.getSimpleName() + "Inputs", method);
    Files.createDirectories(dir);
    Files.write(dir.resolve("valid"), valid);
  }
}
