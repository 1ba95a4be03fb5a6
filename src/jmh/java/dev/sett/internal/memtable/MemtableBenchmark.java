package dev.sett.internal.memtable;

import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValue;
import dev.sett.internal.key.KeyValueIterator;
import dev.sett.internal.key.ValueStruct;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * The memtable's arena skiplist: inserting random 16-byte keys (into a fresh list each invocation,
 * so the list does not grow without bound), looking keys up in a memtable of {@code size} entries
 * (present keys, and absent ones that the filter should turn away), and iterating: a seek, and the
 * per-key cost of stepping with the key and value read, as a DB iterator does.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class MemtableBenchmark {
  private static final int INSERTS = 10_000;

  @Param({"1000000"})
  int size;

  @Param({"100"})
  int valueSize;

  private Memtable memtable;
  private byte[][] userKeys;
  private byte[][] insertKeys;
  private ValueStruct value;
  private byte[][] missingKeys;
  private byte[][] seekKeys;
  private int next;
  private KeyValueIterator iterator;

  @Setup(Level.Trial)
  public void setUp() throws java.io.IOException {
    SplittableRandom random = new SplittableRandom(1);
    value = new ValueStruct((byte) 0, (byte) 0, 0, 0, new byte[valueSize]);
    memtable = Memtable.inMemory(1, new MemtableOptions(1L << 31, MemtableOptions.DEFAULT_ARENA_CHUNK_SIZE),
        new java.util.Random(2));
    userKeys = new byte[size][];
    java.util.List<KeyValue> batch = new java.util.ArrayList<>();
    for (int i = 0; i < size; i++) {
      userKeys[i] = randomKey(random);
      batch.add(KeyValue.of(userKeys[i], 1, value));
      if (batch.size() == 1000 || i == size - 1) {
        memtable.write(batch);
        batch.clear();
      }
    }
    missingKeys = new byte[size][];
    seekKeys = new byte[size][];
    for (int i = 0; i < size; i++) {
      missingKeys[i] = randomKey(random);
      seekKeys[i] = InternalKey.of(randomKey(random), Long.MAX_VALUE - 1);
    }
    iterator = memtable.iterator(false);
    iterator.rewind();
    insertKeys = new byte[INSERTS][];
    for (int i = 0; i < INSERTS; i++) {
      insertKeys[i] = InternalKey.of(randomKey(random), 1);
    }
  }

  private static byte[] randomKey(SplittableRandom random) {
    byte[] key = new byte[16];
    random.nextBytes(key);
    return key;
  }

  /** 10,000 inserts of random keys into an empty skiplist. */
  @Benchmark
  @OperationsPerInvocation(INSERTS)
  public SkipList insert() {
    SkipList list = new SkipList(new Arena(MemtableOptions.DEFAULT_ARENA_CHUNK_SIZE), new java.util.Random(3));
    for (byte[] key : insertKeys) {
      list.put(key, value);
    }
    return list;
  }

  /** A lookup of a present key in a memtable of {@code size} entries. */
  @Benchmark
  public ValueStruct lookup() {
    int i = next;
    next = i + 1 == size ? 0 : i + 1;
    return memtable.get(userKeys[i], Long.MAX_VALUE - 1);
  }

  /** A lookup of an absent key (random, so the filter turns most of them away). */
  @Benchmark
  public ValueStruct lookupMissing() {
    int i = next;
    next = i + 1 == size ? 0 : i + 1;
    return memtable.get(missingKeys[i], Long.MAX_VALUE - 1);
  }

  /** A seek of a fresh iterator to a random key, reading the key there. */
  @Benchmark
  public byte[] seek() {
    int i = next;
    next = i + 1 == size ? 0 : i + 1;
    KeyValueIterator seeking = memtable.iterator(false);
    seeking.seek(seekKeys[i]);
    byte[] found = seeking.valid() ? seeking.key() : null;
    seeking.close();
    return found;
  }

  /** One step of a forward scan with its key and value read (wrapping at the end). */
  @Benchmark
  public void scanNext(Blackhole blackhole) {
    KeyValueIterator scan = iterator;
    blackhole.consume(scan.key());
    blackhole.consume(scan.value());
    scan.next();
    if (!scan.valid()) {
      scan.rewind();
    }
  }
}
