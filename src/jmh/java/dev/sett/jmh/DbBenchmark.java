package dev.sett.jmh;

import dev.sett.DB;
import dev.sett.DbIterator;
import dev.sett.IteratorOptions;
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
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The public API on a store of {@code keys} random 16-byte keys with {@code valueSize}-byte
 * values, written in batches of 1,000 and flattened into tables: {@code DB.get} of a present and
 * of an absent key, one {@code next} of an open iterator, and the commit of a one-key transaction.
 * Default options throughout.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DbBenchmark {
  @Param({"200000"})
  int keys;

  @Param({"1024"})
  int valueSize;

  private Path dir;
  private DB db;
  private byte[][] present;
  private byte[][] absent;
  private byte[] value;
  private Txn iteratorTxn;
  private DbIterator iterator;
  private int next;
  private long commits;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("sett-jmh-db");
    db = DB.open(Options.builder(dir).build());
    SplittableRandom random = new SplittableRandom(1);
    present = new byte[keys][];
    absent = new byte[keys][];
    value = new byte[valueSize];
    random.nextBytes(value);
    for (int first = 0; first < keys; first += 1000) {
      int start = first;
      db.update(txn -> {
        for (int i = start; i < Math.min(start + 1000, keys); i++) {
          present[i] = new byte[16];
          random.nextBytes(present[i]);
          txn.set(present[i], value);
        }
      });
    }
    for (int i = 0; i < keys; i++) {
      absent[i] = new byte[16];
      random.nextBytes(absent[i]);
    }
    db.flatten(1);
    iteratorTxn = db.newTransaction(false);
    iterator = iteratorTxn.newIterator(IteratorOptions.DEFAULT);
    iterator.rewind();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    iterator.close();
    iteratorTxn.close();
    db.close();
    try (var paths = Files.walk(dir)) {
      for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(path);
      }
    }
  }

  private int nextIndex() {
    int i = next;
    next = i + 1 == keys ? 0 : i + 1;
    return i;
  }

  @Benchmark
  public byte[] getHit() {
    return db.get(present[nextIndex()]);
  }

  @Benchmark
  public byte[] getMiss() {
    return db.get(absent[nextIndex()]);
  }

  /** One step of a forward iterator over the whole store, rewinding at the end; reads the value. */
  @Benchmark
  public byte[] iteratorNext() {
    iterator.next();
    if (!iterator.valid()) {
      iterator.rewind();
    }
    return iterator.item().value();
  }

  /** A read-write transaction that sets one key and commits (no sync). */
  @Benchmark
  public void commitSmallTransaction() {
    byte[] key = new byte[16];
    long n = ++commits;
    for (int i = 0; i < 8; i++) {
      key[i] = (byte) (n >>> (56 - 8 * i));
    }
    key[8] = 1; // apart from the loaded keys' range only by chance; overwrites are fine too
    try (Txn txn = db.newTransaction(true)) {
      txn.set(key, value);
      txn.commit();
    }
  }
}
