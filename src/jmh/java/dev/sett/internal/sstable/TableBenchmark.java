package dev.sett.internal.sstable;

import dev.sett.internal.codec.CompressionType;
import dev.sett.internal.fs.CorruptFileException;
import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.ValueStruct;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
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
 * One SSTable of {@code keys} random 16-byte keys (4 KiB blocks, no compression, default
 * verification): a seek inside a block (binary search over its entries), a bloom-filter probe for
 * a present and an absent key, and a point lookup through the table.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TableBenchmark {
  @Param({"100000"})
  int keys;

  @Param({"100"})
  int valueSize;

  private final FileSystem fs = FileSystem.defaultFileSystem();
  private Path dir;
  private Table table;
  private byte[][] userKeys;
  private byte[][] searchKeys;
  private byte[][] absentKeys;
  private int[] blockOf;
  private int next;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    SplittableRandom random = new SplittableRandom(1);
    userKeys = new byte[keys][];
    for (int i = 0; i < keys; i++) {
      userKeys[i] = new byte[16];
      random.nextBytes(userKeys[i]);
    }
    byte[][] sorted = userKeys.clone();
    Arrays.sort(sorted, Arrays::compareUnsigned);
    TableOptions options = new TableOptions(TableOptions.DEFAULT_BLOCK_SIZE,
        TableOptions.DEFAULT_BLOOM_FALSE_POSITIVE, CompressionType.NONE, 1, false, true);
    TableBuilder builder = new TableBuilder(options);
    ValueStruct value = new ValueStruct((byte) 0, (byte) 0, 0, 0, new byte[valueSize]);
    for (byte[] key : sorted) {
      builder.add(InternalKey.of(key, 1), value);
    }
    dir = Files.createTempDirectory("sett-jmh-table");
    Path path = dir.resolve(Table.fileName(1));
    builder.writeTo(fs, path);
    table = Table.open(fs, path, 1, options, new BlockCache(64 << 20));

    searchKeys = new byte[keys][];
    absentKeys = new byte[keys][];
    blockOf = new int[keys];
    for (int i = 0; i < keys; i++) {
      searchKeys[i] = InternalKey.of(userKeys[i], 1);
      absentKeys[i] = new byte[16];
      random.nextBytes(absentKeys[i]);
      blockOf[i] = blockHolding(searchKeys[i]);
    }
  }

  private int blockHolding(byte[] internalKey) {
    int low = 0;
    int high = table.blockCount() - 1;
    while (low < high) {
      int middle = (low + high + 1) >>> 1;
      if (InternalKey.compare(table.firstKeyOfBlock(middle), internalKey) <= 0) {
        low = middle;
      } else {
        high = middle - 1;
      }
    }
    return low;
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    table.release();
    try (var paths = Files.walk(dir)) {
      for (Path path : (Iterable<Path>) paths.sorted(java.util.Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(path);
      }
    }
  }

  private int nextIndex() {
    int i = next;
    next = i + 1 == keys ? 0 : i + 1;
    return i;
  }

  /** Binary search for a key inside the (cached, already verified) block that holds it. */
  @Benchmark
  public int blockSeek() throws CorruptFileException {
    int i = nextIndex();
    return table.readBlock(table.indexes().index(), blockOf[i]).search(searchKeys[i]);
  }

  @Benchmark
  public boolean bloomProbePresent() {
    return table.mayContain(userKeys[nextIndex()]);
  }

  @Benchmark
  public boolean bloomProbeAbsent() {
    return table.mayContain(absentKeys[nextIndex()]);
  }

  /** Bloom filter, block index, block search and value decoding for a present key. */
  @Benchmark
  public ValueStruct tableGet() throws IOException {
    return table.get(userKeys[nextIndex()], Long.MAX_VALUE - 1);
  }
}
