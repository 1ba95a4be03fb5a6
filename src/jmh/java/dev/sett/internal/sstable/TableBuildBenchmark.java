package dev.sett.internal.sstable;

import dev.sett.internal.codec.CompressionType;
import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.fs.InMemoryFileSystem;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.ValueStruct;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
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
 * Building (and writing) a table of 2,000 entries with 1 KiB values, as flushes and compactions
 * do, into an in-memory file system, with the default LZ4 compression: incompressible values (the standard workload's) or
 * compressible ones. Reported per entry.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TableBuildBenchmark {
  private static final int ENTRIES = 2000;

  @Param({"true", "false"})
  boolean incompressible;

  /** In memory, so the figure is the builder's CPU, not the disk's fsync latency. */
  private final FileSystem fs = new InMemoryFileSystem();
  private Path dir;
  private byte[][] keys;
  private ValueStruct[] values;
  private TableOptions options;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    SplittableRandom random = new SplittableRandom(1);
    keys = new byte[ENTRIES][];
    values = new ValueStruct[ENTRIES];
    for (int i = 0; i < ENTRIES; i++) {
      keys[i] = new byte[16];
      random.nextBytes(keys[i]);
    }
    Arrays.sort(keys, Arrays::compareUnsigned);
    for (int i = 0; i < ENTRIES; i++) {
      byte[] value = new byte[1024];
      if (incompressible) {
        random.nextBytes(value);
      } else {
        Arrays.fill(value, (byte) ('a' + i % 26));
      }
      keys[i] = InternalKey.of(keys[i], 1);
      values[i] = new ValueStruct((byte) 0, (byte) 0, 0, 0, value);
    }
    options = new TableOptions(TableOptions.DEFAULT_BLOCK_SIZE, TableOptions.DEFAULT_BLOOM_FALSE_POSITIVE,
        CompressionType.LZ4, 1, false, true);
    dir = Path.of("/build");
  }

  @Benchmark
  @OperationsPerInvocation(ENTRIES)
  public void build() throws IOException {
    TableBuilder builder = new TableBuilder(options);
    for (int i = 0; i < ENTRIES; i++) {
      builder.add(keys[i], values[i]);
    }
    Path path = dir.resolve(Table.fileName(1));
    fs.delete(path);
    builder.writeTo(fs, path);
  }
}
