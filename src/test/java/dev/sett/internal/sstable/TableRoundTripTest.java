package dev.sett.internal.sstable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.codec.CompressionType;
import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValueIterator;
import dev.sett.internal.key.ValueStruct;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Random tables, written to real files and mapped, read back against a {@link TableModel}. */
class TableRoundTripTest {
  private static final int STEPS_AFTER_SEEK = 3;

  @TempDir
  Path dir;

  private final FileSystem fs = FileSystem.defaultFileSystem();

  static Stream<Arguments> layouts() {
    List<Arguments> layouts = new ArrayList<>();
    for (CompressionType compression : CompressionType.values()) {
      layouts.add(Arguments.of(compression, 64));
      layouts.add(Arguments.of(compression, TableOptions.DEFAULT_BLOCK_SIZE));
    }
    return layouts.stream();
  }

  @ParameterizedTest(name = "{0}, {1}-byte blocks")
  @MethodSource("layouts")
  void randomTableMatchesModel(CompressionType compression, int blockSize) throws IOException {
    long seed = new Random().nextLong();
    System.out.println("TableRoundTripTest seed " + seed + " (" + compression + ", " + blockSize + ")");
    Random random = new Random(seed);
    TableModel model = TableModel.random(random, 500);
    TableOptions options = new TableOptions(blockSize, 0.01, compression, 3, false, true);
    Path path = dir.resolve(Table.fileName(7));
    model.writeTable(options, fs, path);

    Table table = Table.open(fs, path, 7, options, new BlockCache(1 << 20));
    try {
      checkProperties(model, table, blockSize);
      checkScans(model, table);
      checkSeeksAroundBlockBoundaries(model, table);
      checkRandomSeeks(model, table, random);
      checkGets(model, table, random);
      table.verifyChecksums();
    } finally {
      table.release();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("compressions")
  void hugeValuesGetBlocksOfTheirOwn(CompressionType compression) throws IOException {
    Random random = new Random(42);
    TableModel model = new TableModel();
    byte[] incompressible = new byte[3 << 20];
    random.nextBytes(incompressible);
    byte[] compressible = new byte[2 << 20];
    Arrays.fill(compressible, (byte) 'z');
    model.put(new byte[] {'a'}, 1, new ValueStruct((byte) 0, (byte) 0, 0, 0, new byte[] {1}));
    model.put(new byte[] {'b'}, 1, new ValueStruct((byte) 0, (byte) 0, 0, 0, incompressible));
    model.put(new byte[] {'c'}, 1, new ValueStruct((byte) 0, (byte) 0, 0, 0, compressible));
    model.put(new byte[] {'d'}, 1, new ValueStruct((byte) 0, (byte) 0, 0, 0, new byte[] {2}));
    TableOptions options = new TableOptions(4096, 0.01, compression, 1, true, true);
    Path path = dir.resolve(Table.fileName(1));
    model.writeTable(options, fs, path);

    Table table = Table.open(fs, path, 1, options, new BlockCache(16 << 20));
    try {
      assertEquals(4, table.blockCount());
      if (compression != CompressionType.NONE) {
        assertTrue(table.onDiskSize() < incompressible.length + compressible.length / 2,
            "the compressible value was compressed and the random one was not grown");
      }
      checkScans(model, table);
      assertArrayEquals(incompressible, table.get(new byte[] {'b'}, 5).value());
      assertArrayEquals(compressible, table.get(new byte[] {'c'}, 5).value());
    } finally {
      table.release();
    }
  }

  static Stream<CompressionType> compressions() {
    return Stream.of(CompressionType.values());
  }

  @Test
  void concurrentReadersAgree() throws Exception {
    Random random = new Random(7);
    TableModel model = TableModel.random(random, 300);
    TableOptions options = new TableOptions(256, 0.01, CompressionType.LZ4, 1, false, true);
    Path path = dir.resolve(Table.fileName(3));
    model.writeTable(options, fs, path);
    Table table = Table.open(fs, path, 3, options, new BlockCache(64 << 10));
    ExecutorService executor = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> results = new ArrayList<>();
      for (int thread = 0; thread < 2; thread++) {
        results.add(executor.submit(() -> {
          for (int round = 0; round < 3; round++) {
            checkScans(model, table);
            for (byte[] key : model.entries.keySet()) {
              byte[] userKey = InternalKey.userKey(key);
              assertEquals(model.get(userKey, -1L), table.get(userKey, -1L));
            }
          }
          return null;
        }));
      }
      for (Future<?> result : results) {
        result.get();
      }
    } finally {
      executor.shutdown();
      table.release();
    }
  }

  private static void checkProperties(TableModel model, Table table, int blockSize) {
    assertEquals(model.entries.size(), table.keyCount());
    assertArrayEquals(model.entries.firstKey(), table.smallestKey());
    assertArrayEquals(model.entries.lastKey(), table.biggestKey());
    long maxVersion = model.entries.keySet().stream().mapToLong(InternalKey::version)
        .reduce(0, (a, b) -> Long.compareUnsigned(a, b) >= 0 ? a : b);
    assertEquals(maxVersion, table.maxVersion());
    assertTrue(table.bloomFilterSize() > 0);
    if (blockSize == 64) {
      assertTrue(table.blockCount() > 50, "tiny blocks make many blocks: " + table.blockCount());
    }
  }

  private static void checkScans(TableModel model, Table table) {
    for (boolean reverse : new boolean[] {false, true}) {
      try (KeyValueIterator iterator = table.iterator(reverse)) {
        iterator.rewind();
        TableModel.assertYields(model.run(null, reverse, Integer.MAX_VALUE), Integer.MAX_VALUE,
            iterator);
      }
    }
  }

  /**
   * Seeks, both ways, to each block's first key, to keys just before and after it (neighbouring
   * versions and the model's neighbours), then steps across the boundary.
   */
  private static void checkSeeksAroundBlockBoundaries(TableModel model, Table table) {
    List<byte[]> targets = new ArrayList<>();
    targets.add(InternalKey.of(new byte[0], InternalKey.MAX_VERSION)); // before everything
    targets.add(InternalKey.of(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
        (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
        (byte) 0xFF, (byte) 0xFF}, 0)); // after everything
    for (int block = 0; block < table.blockCount(); block++) {
      byte[] first = table.firstKeyOfBlock(block);
      byte[] userKey = InternalKey.userKey(first);
      long version = InternalKey.version(first);
      targets.add(first);
      targets.add(InternalKey.of(userKey, version + 1)); // just before, unless taken
      targets.add(InternalKey.of(userKey, version - 1)); // just after, unless taken
      byte[] previous = model.entries.lowerKey(first);
      if (previous != null) {
        targets.add(previous);
        targets.add(InternalKey.of(InternalKey.userKey(previous), 0)); // between the user keys
      }
      byte[] shorter = Arrays.copyOf(userKey, Math.max(0, userKey.length - 1));
      targets.add(InternalKey.of(shorter, 0));
    }
    checkSeeks(model, table, targets);
  }

  private static void checkRandomSeeks(TableModel model, Table table, Random random) {
    List<byte[]> targets = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      targets.add(InternalKey.of(TableModel.random(random, 1).entries.firstKey(), 0));
      byte[] userKey = InternalKey.userKey(TableModel.random(random, 1).entries.firstKey());
      targets.add(InternalKey.of(userKey, random.nextInt(1000)));
    }
    checkSeeks(model, table, targets);
  }

  private static void checkSeeks(TableModel model, Table table, List<byte[]> targets) {
    try (KeyValueIterator forward = table.iterator(false);
        KeyValueIterator reverse = table.iterator(true)) {
      for (byte[] target : targets) {
        forward.seek(target);
        TableModel.assertYields(model.run(target, false, STEPS_AFTER_SEEK), STEPS_AFTER_SEEK,
            forward);
        reverse.seek(target);
        TableModel.assertYields(model.run(target, true, STEPS_AFTER_SEEK), STEPS_AFTER_SEEK,
            reverse);
      }
    }
  }

  private static void checkGets(TableModel model, Table table, Random random) throws IOException {
    for (byte[] key : model.entries.keySet()) {
      byte[] userKey = InternalKey.userKey(key);
      long version = InternalKey.version(key);
      for (long readTs : new long[] {0, version - 1, version, version + 1, InternalKey.MAX_VERSION,
          Long.MAX_VALUE}) {
        ValueStruct expected = model.get(userKey, readTs);
        assertEquals(expected, table.get(userKey, readTs),
            () -> "get " + InternalKey.toString(InternalKey.of(userKey, readTs)));
      }
      assertTrue(table.mayContain(userKey));
    }
    int absent = 0;
    while (absent < 300) {
      byte[] userKey = new byte[1 + random.nextInt(14)];
      random.nextBytes(userKey);
      if (model.get(userKey, InternalKey.MAX_VERSION) == null) {
        assertNull(table.get(userKey, InternalKey.MAX_VERSION));
        absent++;
      }
    }
  }
}
