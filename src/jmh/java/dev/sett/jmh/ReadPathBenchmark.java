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
 * The read path on a store small enough to stay in the page cache, so what is measured is CPU
 * work, not first touches of mapped pages: {@code keys} random 16-byte keys with
 * {@code valueSize}-byte values, written in batches of 1,000.
 *
 * <ul>
 *   <li>{@code source = memtable}: nothing is flushed; every get is served by the memtable.
 *   <li>{@code source = table}: the keys are flattened into tables, then as many other keys are
 *       written and left in the memtables; every get is served by a table but pays for the
 *       memtables first, as a read while writes go on does.
 * </ul>
 *
 * Benchmarks: {@code DB.get} of a present and of an absent key, a view (read-only transaction)
 * doing 16 gets, a seek followed by reading 100 pairs, and one {@code next} of an open iterator.
 * Run with {@code -prof gc}: {@code gc.alloc.rate.norm} is the figure the read path is driven by
 * (bytes per operation; a get should allocate little more than the value it returns).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ReadPathBenchmark {
  @Param({"200000"})
  int keys;

  @Param({"128"})
  int valueSize;

  @Param({"memtable", "table"})
  String source;

  private Path dir;
  private DB db;
  private byte[][] present;
  private byte[][] absent;
  private Txn iteratorTxn;
  private DbIterator iterator;
  private int next;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("sett-jmh-read");
    db = DB.open(Options.builder(dir).build());
    SplittableRandom random = new SplittableRandom(7);
    byte[] value = new byte[valueSize];
    random.nextBytes(value);
    present = randomKeys(random, keys);
    absent = randomKeys(random, keys);
    load(present, value);
    if (source.equals("table")) {
      db.flatten(1);
      load(randomKeys(random, keys), value);
    } else if (!source.equals("memtable")) {
      throw new IllegalArgumentException("source must be memtable or table, was " + source);
    }
    // Reads in a different order from the writes.
    for (int i = present.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      byte[] swap = present[i];
      present[i] = present[j];
      present[j] = swap;
    }
    iteratorTxn = db.newTransaction(false);
    iterator = iteratorTxn.newIterator(IteratorOptions.DEFAULT);
    iterator.rewind();
  }

  private static byte[][] randomKeys(SplittableRandom random, int count) {
    byte[][] keys = new byte[count][];
    for (int i = 0; i < count; i++) {
      keys[i] = new byte[16];
      random.nextBytes(keys[i]);
    }
    return keys;
  }

  private void load(byte[][] keysToWrite, byte[] value) {
    for (int first = 0; first < keysToWrite.length; first += 1000) {
      int start = first;
      db.update(txn -> {
        for (int i = start; i < Math.min(start + 1000, keysToWrite.length); i++) {
          txn.set(keysToWrite[i], value);
        }
      });
    }
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
  public byte[] get() {
    return db.get(present[nextIndex()]);
  }

  @Benchmark
  public byte[] getMissing() {
    return db.get(absent[nextIndex()]);
  }

  /**
   * One get in a read-only transaction of its own: what {@code DB.get} did before it pinned its
   * read timestamp (oracle lock and registration, the transaction, the Item, two more copies).
   * Against {@link #get} in the same run, with {@code -t 2}, it shows what the pin saves.
   */
  @Benchmark
  public byte[] getInView() {
    byte[][] value = new byte[1][];
    db.view(txn -> value[0] = txn.get(present[nextIndex()]).value());
    return value[0];
  }

  /** Sixteen gets in one read-only transaction; returns the summed value lengths. */
  @Benchmark
  public int viewOf16Gets() {
    int[] total = {0};
    db.view(txn -> {
      for (int i = 0; i < 16; i++) {
        total[0] += txn.get(present[nextIndex()]).value().length;
      }
    });
    return total[0];
  }

  /** A new iterator, a seek to a random present key and 100 pairs read, values included. */
  @Benchmark
  public long seekAndRead100() {
    long sum = 0;
    try (Txn txn = db.newTransaction(false);
        DbIterator it = txn.newIterator(IteratorOptions.DEFAULT)) {
      int n = 0;
      for (it.seek(present[nextIndex()]); it.valid() && n < 100; it.next(), n++) {
        sum += it.item().key().length + it.item().value().length;
      }
    }
    return sum;
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
}
