package dev.sett.internal.memtable;

import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValue;
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

/**
 * The memtable's arena skiplist: inserting random 16-byte keys (into a fresh list each invocation,
 * so the list does not grow without bound) and looking keys up in a list of {@code size} entries.
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
  private int next;

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
}
