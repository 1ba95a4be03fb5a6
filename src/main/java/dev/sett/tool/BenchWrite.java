package dev.sett.tool;

import dev.sett.DB;
import dev.sett.Options;
import dev.sett.WriteBatch;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code sett bench write}: writes random keys and incompressible values through a
 * {@link WriteBatch}, as {@code badger benchmark write} does, and reports the rate. Values are
 * slices of a pool of random bytes, so each one is different and none compresses (Badger writes
 * one random value over and over, which a compressing store would flatter itself on).
 */
@Command(name = "write", mixinStandardHelpOptions = true,
    description = "Write random data to a store to benchmark write speed.")
final class BenchWrite implements Callable<Integer> {
  private static final int VALUE_POOL = 4 << 20;

  @CommandLine.Mixin
  KeyFileOption keyFile = new KeyFileOption();

  @CommandLine.Spec
  private CommandLine.Model.CommandSpec spec;

  @Option(names = "--dir", required = true, description = "Directory of the store (created if absent).")
  Path dir;

  @Option(names = {"-m", "--keys-mil"}, defaultValue = "10",
      description = "Number of keys to add, in millions; fractions such as 0.1 work (default: ${DEFAULT-VALUE}).")
  double keysMil;

  @Option(names = {"-k", "--key-size"}, defaultValue = "32", description = "Size of a key in bytes (default: ${DEFAULT-VALUE}).")
  int keySize;

  @Option(names = "--val-size", defaultValue = "128", description = "Size of a value in bytes (default: ${DEFAULT-VALUE}).")
  int valueSize;

  @Option(names = {"-s", "--sorted"}, arity = "0..1", description = "Write keys in sorted order.")
  boolean sorted;

  @Option(names = "--sync", arity = "0..1", description = "Sync writes to disk (syncWrites).")
  boolean sync;

  @Option(names = {"-t", "--value-th"}, defaultValue = "1024",
      description = "Value threshold: values at least this long go to the value log (default: ${DEFAULT-VALUE}).")
  int valueThreshold;

  @Option(names = {"-f", "--force-compact"}, arity = "0..1", defaultValue = "true",
      description = "Compact level 0 on close (default: ${DEFAULT-VALUE}).")
  boolean forceCompact;

  @Option(names = {"-n", "--num-versions"}, defaultValue = "1",
      description = "Number of versions to keep (default: ${DEFAULT-VALUE}).")
  int numVersions;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the random keys and values (default: ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() throws java.io.IOException {
    long keys = Math.round(keysMil * 1e6);
    if (!(keysMil > 0) || keys < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--keys-mil must be positive and name at least one key: " + keysMil);
    }
    if (keySize < 1 || sorted && keySize < 8) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--key-size must be at least " + (sorted ? "8 with --sorted" : "1") + ": " + keySize);
    }
    if (valueSize < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--val-size must not be negative: " + valueSize);
    }
    Options options;
    try {
      options = Options.builder(dir).syncWrites(sync).valueThreshold(valueThreshold)
          .compactL0OnClose(forceCompact).numVersionsToKeep(numVersions)
          .encryptionKey(keyFile.key()).build();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    SplittableRandom random = new SplittableRandom(seed);
    byte[] pool = new byte[VALUE_POOL + valueSize];
    random.nextBytes(pool);

    long start = System.nanoTime();
    long written;
    keyFile.requireKeyFor(dir);
    try (DB db = DB.open(options)) {
      out.printf(Locale.ROOT, "writing %,d keys of %d B with values of %d B to %s%s%n", keys,
          keySize, valueSize, dir, sync ? " (sync)" : "");
      out.flush();
      try (ProgressBar progress = ProgressBar.ofCount(err, "keys", keys).start();
           WriteBatch batch = db.newWriteBatch()) {
        for (long i = 0; i < keys; i++) {
          byte[] key = new byte[keySize];
          if (sorted) {
            putLongBigEndian(key, keySize - 8, i);
          } else {
            random.nextBytes(key);
          }
          int offset = random.nextInt(VALUE_POOL);
          batch.set(key, Arrays.copyOfRange(pool, offset, offset + valueSize));
          if ((i & 1023) == 1023) {
            progress.add(1024);
          }
        }
        batch.flush();
        progress.add(keys - progress.done());
      }
      written = System.nanoTime() - start;
      long logical = keys * (keySize + valueSize);
      out.printf(Locale.ROOT, "wrote %,d keys (%s) in %.2f s: %,.0f keys/s, %.1f MB/s%n", keys,
          Info.bytes(logical), written / 1e9, keys / (written / 1e9), logical / 1e6 / (written / 1e9));
      out.flush();
    }
    out.printf(Locale.ROOT, "closed the store in %.2f s%s%n", (System.nanoTime() - start - written) / 1e9,
        forceCompact ? " (level 0 compacted on close)" : "");
    return 0;
  }

  private static void putLongBigEndian(byte[] dst, int offset, long value) {
    for (int i = 7; i >= 0; i--) {
      dst[offset + i] = (byte) value;
      value >>>= 8;
    }
  }
}
