package dev.sett.jmh;

import dev.sett.DB;
import dev.sett.Options;
import dev.sett.Txn;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Commits through the write pipeline on one thread, in a store opened fresh for each trial with
 * default options: a read-write transaction of one key, and one of 1,000 keys (ops are keys, so
 * the two scores compare per key), {@code valueSize}-byte random values, 16-byte keys that never
 * repeat. With {@code syncWrites} off the figure is CPU work (the committing thread writes its own
 * commit); run {@code -p syncWrites=true} for the disk's fsync rate.
 *
 * <pre>mvn -q -Pjmh test-compile exec:exec@jmh -Djmh.args="-f 1 -wi 3 -i 5 CommitBenchmark"</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CommitBenchmark {
  private static final int BATCH = 1000;

  @Param({"100"})
  int valueSize;

  @Param({"false"})
  boolean syncWrites;

  private Path dir;
  private DB db;
  private byte[] value;
  private long prefix;
  private long next;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("sett-jmh-commit");
    db = DB.open(Options.builder(dir).syncWrites(syncWrites).build());
    SplittableRandom random = new SplittableRandom(1);
    value = new byte[valueSize];
    random.nextBytes(value);
    prefix = random.nextLong();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    db.close();
    try (var paths = Files.walk(dir)) {
      for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(path);
      }
    }
  }

  private byte[] nextKey() {
    long n = next++;
    byte[] key = new byte[16];
    for (int i = 0; i < 8; i++) {
      key[i] = (byte) (prefix >>> (56 - 8 * i));
      key[8 + i] = (byte) (n >>> (56 - 8 * i));
    }
    return key;
  }

  /** {@code newTransaction(true)}, one {@code set}, {@code commit}. */
  @Benchmark
  public void commitOneKey() {
    try (Txn txn = db.newTransaction(true)) {
      txn.set(nextKey(), value);
      txn.commit();
    }
  }

  /** One transaction of 1,000 {@code set}s, committed; scored per key. */
  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void commitThousandKeys() {
    try (Txn txn = db.newTransaction(true)) {
      for (int i = 0; i < BATCH; i++) {
        txn.set(nextKey(), value);
      }
      txn.commit();
    }
  }
}
