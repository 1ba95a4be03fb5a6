package dev.sett.internal.sstable;

import static dev.sett.testing.Bytes.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.codec.CompressionType;
import dev.sett.internal.fs.FaultInjectingFileSystem;
import dev.sett.internal.fs.FaultInjectingFileSystem.Call;
import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.fs.InMemoryFileSystem;
import dev.sett.internal.fs.MappedFile;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValueIterator;
import dev.sett.internal.key.ValueStruct;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reference counting, deletion, file names and the builder's rules. */
class TableLifecycleTest {
  private static final TableOptions OPTIONS = TableOptions.defaults();

  @TempDir
  Path dir;

  @Test
  void markedTableIsDeletedWhenTheLastIteratorCloses() throws IOException {
    FileSystem fs = FileSystem.defaultFileSystem();
    Path path = dir.resolve(Table.fileName(12));
    tinyModel().writeTable(OPTIONS, fs, path);
    Table table = Table.open(fs, path, 12, OPTIONS, BlockCache.disabled());
    KeyValueIterator iterator = table.iterator(false);
    table.markForDeletion();
    table.release();
    assertTrue(fs.exists(path), "an open iterator keeps the file");
    iterator.rewind();
    assertTrue(iterator.valid(), "and keeps it readable");
    iterator.close();
    assertFalse(fs.exists(path));
    assertEquals(0, table.referenceCount());
    iterator.close(); // idempotent: does not release again
    assertEquals(0, table.referenceCount());
    assertThrows(IllegalStateException.class, () -> table.get(new byte[] {'a'}, 1));
    assertThrows(IllegalStateException.class, () -> table.iterator(false));
  }

  @Test
  void mappingIsReleasedOnlyAfterTheLastReference() throws IOException {
    List<MappedFile> mappings = new CopyOnWriteArrayList<>();
    FaultInjectingFileSystem fs =
        new FaultInjectingFileSystem(new InMemoryFileSystem()).onMapped(mappings::add);
    Path path = Path.of("/db", Table.fileName(5));
    tinyModel().writeTable(OPTIONS, fs, path);
    Table table = Table.open(fs, path, 5, OPTIONS, BlockCache.disabled());
    MappedFile mapping = mappings.get(0);
    try (KeyValueIterator first = table.iterator(true);
        KeyValueIterator second = table.iterator(false)) {
      table.release();
      first.rewind();
      second.rewind();
      assertEquals(1, mapping.referenceCount());
    }
    assertEquals(0, mapping.referenceCount());
    assertTrue(fs.exists(path), "released without markForDeletion: the file stays");
  }

  @Test
  void failedOpenReleasesTheMapping() throws IOException {
    List<MappedFile> mappings = new CopyOnWriteArrayList<>();
    FaultInjectingFileSystem fs =
        new FaultInjectingFileSystem(new InMemoryFileSystem()).onMapped(mappings::add);
    Path path = Path.of("/db", Table.fileName(5));
    TableFiles.replace(fs, path, new byte[100]);
    assertThrows(IOException.class, () -> Table.open(fs, path, 5, OPTIONS, BlockCache.disabled()));
    assertEquals(0, mappings.get(0).referenceCount());
  }

  @Test
  void fileNames() {
    assertEquals("000001.sst", Table.fileName(1));
    assertEquals("1234567.sst", Table.fileName(1234567));
    assertEquals(1, Table.parseFileName("000001.sst"));
    assertEquals(1234567, Table.parseFileName("1234567.sst"));
    assertEquals(0, Table.parseFileName("000000.sst"));
    for (String other : new String[] {"1.sst", "0000001.sst", "000001.vlog", ".sst", "00000a.sst",
        "-00001.sst", "000001.sst.tmp", "99999999999999999999.sst", "MANIFEST"}) {
      assertEquals(-1, Table.parseFileName(other), other);
    }
    assertThrows(IllegalArgumentException.class, () -> Table.fileName(-1));
  }

  @Test
  void builderRejectsKeysOutOfOrder() throws IOException {
    TableBuilder builder = new TableBuilder(OPTIONS);
    byte[] key = InternalKey.of(bytes("b"), 5);
    builder.add(key, value("x"));
    assertThrows(IllegalArgumentException.class, () -> builder.add(key, value("y")));
    assertThrows(IllegalArgumentException.class,
        () -> builder.add(InternalKey.of(bytes("b"), 6), value("y")), "newer version sorts first");
    assertThrows(IllegalArgumentException.class,
        () -> builder.add(InternalKey.of(bytes("a"), 1), value("y")));
    assertThrows(IllegalArgumentException.class, () -> builder.add(new byte[7], value("y")));
    assertThrows(IllegalArgumentException.class, () -> builder.add(new byte[65536], value("y")));
    builder.add(InternalKey.of(bytes("b"), 4), value("z"));
  }

  @Test
  void emptyBuilderWritesNothing() {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    TableBuilder builder = new TableBuilder(OPTIONS);
    assertTrue(builder.isEmpty());
    Path path = Path.of("/db/000001.sst");
    assertThrows(IllegalStateException.class, () -> builder.writeTo(fs, path));
    assertFalse(fs.exists(path));
  }

  @Test
  void writeToNeverOverwritesAndSealsTheBuilder() throws IOException {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    Path path = Path.of("/db/000001.sst");
    TableFiles.replace(fs, path, bytes("precious"));
    TableBuilder builder = new TableBuilder(OPTIONS);
    builder.add(InternalKey.of(bytes("a"), 1), value("v"));
    assertThrows(FileAlreadyExistsException.class, () -> builder.writeTo(fs, path));
    assertEquals("precious", new String(fs.readAllBytes(path), StandardCharsets.US_ASCII));
    Path other = Path.of("/db/000002.sst");
    builder.writeTo(fs, other);
    assertThrows(IllegalStateException.class,
        () -> builder.add(InternalKey.of(bytes("b"), 1), value("v")));
  }

  @Test
  void failedWriteLeavesNoFile() throws IOException {
    IOException diskFull = new IOException("No space left on device");
    FileSystem fs = new FaultInjectingFileSystem(new InMemoryFileSystem())
        .before(Call.WRITE, (path, length) -> {
          throw diskFull;
        });
    Path path = Path.of("/db/000001.sst");
    TableBuilder builder = new TableBuilder(OPTIONS);
    builder.add(InternalKey.of(bytes("a"), 1), value("v"));
    assertSame(diskFull, assertThrows(IOException.class, () -> builder.writeTo(fs, path)));
    assertFalse(fs.exists(path));
  }

  @Test
  void estimatedSizeIsExactWithoutCompression() throws IOException {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    Random random = new Random(3);
    for (double bloom : new double[] {0, 0.01}) {
      TableOptions options = new TableOptions(128, bloom, CompressionType.NONE, 1, false, true);
      TableBuilder builder = new TableBuilder(options);
      TableModel model = TableModel.random(random, 200);
      model.addAll(builder);
      Path path = Path.of("/db/" + bloom + ".sst");
      long estimate = builder.estimatedSize();
      builder.writeTo(fs, path);
      assertEquals(fs.size(path), estimate);
    }
  }

  @Test
  void propertiesAreKept() throws IOException {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    TableOptions options = new TableOptions(4096, 0, CompressionType.ZSTD, 3, false, true);
    TableBuilder builder = new TableBuilder(options);
    builder.add(InternalKey.of(bytes("a"), 9), value("12345"));
    builder.addStale(InternalKey.of(bytes("a"), 3), value("123"));
    builder.add(InternalKey.of(bytes("b"), 4), value(""));
    Path path = Path.of("/db/000004.sst");
    builder.writeTo(fs, path);
    Table table = Table.open(fs, path, 4, options, BlockCache.disabled());
    try {
      assertEquals(3, table.keyCount());
      assertEquals(9, table.maxVersion());
      assertEquals(9 + 3 + 3, table.staleDataSize(), "stale entry's key and encoded value");
      assertEquals(CompressionType.ZSTD, table.compression());
      assertEquals(0, table.bloomFilterSize());
      assertTrue(table.mayContain(bytes("absent")), "no filter: everything may be there");
      assertEquals(fs.size(path), table.onDiskSize());
      assertEquals(1, table.blockCount());
      assertTrue(table.indexSize() > 0);
      assertTrue(table.uncompressedSize() > 0);
      assertEquals(4, table.id());
      assertEquals(path, table.path());
    } finally {
      table.release();
    }
  }

  @Test
  void rejectsIdsThatDoNotFitCacheKeys() throws IOException {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    Path path = Path.of("/db/000004.sst");
    tinyModel().writeTable(OPTIONS, fs, path);
    assertThrows(IllegalArgumentException.class,
        () -> Table.open(fs, path, 1L << 39, OPTIONS, BlockCache.disabled()));
  }

  private static TableModel tinyModel() {
    TableModel model = new TableModel();
    model.put(bytes("a"), 2, value("one"));
    model.put(bytes("b"), 1, value("two"));
    return model;
  }

  private static ValueStruct value(String text) {
    return new ValueStruct((byte) 0, (byte) 0, 0, 0, bytes(text));
  }
}
