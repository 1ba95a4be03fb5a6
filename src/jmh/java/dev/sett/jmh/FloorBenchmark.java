package dev.sett.jmh;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * The floor under every read phase of the side-by-side driver: what reading a record costs when
 * nothing but the memory is in the way. A file of {@code fileMiB} MiB of records (a 16-byte key
 * and a {@code valueSize}-byte value, back to back, random bytes) is written, read once so every
 * page is in the page cache and mapped, and memory-mapped. Each operation reads one record, in
 * file order ({@code sequential*}) or in a random order fixed at set-up ({@code random*}, a
 * shuffled permutation of every record), copies its value once into a new {@code byte[]} (as
 * every engine in the driver hands values back), and in the {@code *Crc} variants first computes
 * CRC32C over the whole record in the mapping (as Sett verifies a value log record). The score is
 * ns per record; a scan or a point read of an engine cannot beat the matching figure.
 *
 * <pre>mvn -q -Pjmh test-compile exec:exec@jmh -Djmh.args="FloorBenchmark -f 1 -wi 3 -i 5"</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class FloorBenchmark {
  private static final int KEY_SIZE = 16;
  private static final int PAGE = 4096;

  @Param({"128", "1024", "16384"})
  int valueSize;

  /** The file's size: at least 256 MiB so it is far larger than every CPU cache; below 2 GiB (one mapping). */
  @Param({"1024"})
  int fileMiB;

  private Path file;
  private MappedByteBuffer map;
  /** A view of the map whose position and limit select the record under CRC. */
  private ByteBuffer window;
  private int recordSize;
  private int records;
  private int[] randomOrder;
  private int next;
  private final CRC32C crc = new CRC32C();

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    if (fileMiB < 256 || fileMiB >= 2048) {
      throw new IllegalArgumentException("fileMiB must be in [256, 2048) (one mapping, beyond the caches), was " + fileMiB);
    }
    recordSize = KEY_SIZE + valueSize;
    records = (int) (((long) fileMiB << 20) / recordSize);
    long size = (long) records * recordSize;
    file = Files.createTempFile("sett-jmh-floor", ".records");
    SplittableRandom random = new SplittableRandom(11);
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      ByteBuffer chunk = ByteBuffer.allocate(8 << 20);
      for (long written = 0; written < size; ) {
        chunk.clear();
        byte[] bytes = chunk.array();
        random.nextBytes(bytes);
        chunk.limit((int) Math.min(bytes.length, size - written));
        while (chunk.hasRemaining()) {
          written += channel.write(chunk, written);
        }
      }
      map = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
    }
    long touched = 0;
    for (int offset = 0; offset < size; offset += PAGE) {
      touched += map.get(offset); // fault every page in: the store is warm in the page cache
    }
    if (touched == Long.MIN_VALUE) {
      throw new AssertionError(); // keeps the loop
    }
    window = map.duplicate();
    randomOrder = new int[records];
    for (int i = 0; i < records; i++) {
      randomOrder[i] = i;
    }
    for (int i = records - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = randomOrder[i];
      randomOrder[i] = randomOrder[j];
      randomOrder[j] = swap;
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    map = null;
    window = null;
    Files.deleteIfExists(file);
  }

  @Benchmark
  public byte[] sequential() {
    return copyValue(nextSequential());
  }

  @Benchmark
  public void sequentialCrc(Blackhole blackhole) {
    int record = nextSequential();
    blackhole.consume(checksum(record));
    blackhole.consume(copyValue(record));
  }

  @Benchmark
  public byte[] random() {
    return copyValue(nextRandom());
  }

  @Benchmark
  public void randomCrc(Blackhole blackhole) {
    int record = nextRandom();
    blackhole.consume(checksum(record));
    blackhole.consume(copyValue(record));
  }

  private int nextSequential() {
    int record = next;
    next = record + 1 == records ? 0 : record + 1;
    return record;
  }

  private int nextRandom() {
    int record = randomOrder[next];
    next = next + 1 == records ? 0 : next + 1;
    return record;
  }

  private byte[] copyValue(int record) {
    byte[] value = new byte[valueSize];
    map.get(record * recordSize + KEY_SIZE, value);
    return value;
  }

  private long checksum(int record) {
    int offset = record * recordSize;
    window.limit(offset + recordSize).position(offset);
    crc.reset();
    crc.update(window);
    return crc.getValue();
  }
}
