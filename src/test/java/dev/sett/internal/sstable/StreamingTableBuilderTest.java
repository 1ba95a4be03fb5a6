package dev.sett.internal.sstable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.codec.CompressionType;
import dev.sett.internal.fs.FaultInjectingFileSystem;
import dev.sett.internal.fs.FaultInjectingFileSystem.Call;
import dev.sett.internal.fs.InMemoryFileSystem;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValueIterator;
import dev.sett.internal.key.ValueStruct;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A streaming builder writes the very bytes a buffering one does, holds at most
 * {@link TableBuilder#SPILL_BYTES} of finished blocks, and leaves no partial file when it is
 * abandoned or a write fails.
 */
class StreamingTableBuilderTest {
  private static final TableOptions OPTIONS =
      new TableOptions(4096, 0.01, CompressionType.LZ4, 1, false, true);
  private static final Path PATH = Path.of("/db/000007.sst");

  /** About 3.5 MiB of incompressible entries: three spills and a remainder. */
  private static TableModel bigModel(long seed) {
    System.out.println("seed " + seed);
    Random random = new Random(seed);
    TableModel model = new TableModel();
    for (int i = 0; i < 3500; i++) {
      byte[] value = new byte[1000];
      random.nextBytes(value);
      model.put(String.format("key%08d", i).getBytes(StandardCharsets.US_ASCII),
          1 + random.nextInt(1000), new ValueStruct((byte) 0, (byte) 0, 0, 0, value));
    }
    return model;
  }

  private static TableBuilder streaming(InMemoryFileSystem fs, AtomicInteger chosen) {
    return new TableBuilder(OPTIONS, null, fs, () -> {
      chosen.incrementAndGet();
      return new TableBuilder.FileTarget(7, PATH);
    });
  }

  @Test
  void streamingBuilderWritesTheSameBytesAsWriteTo() throws IOException {
    TableModel model = bigModel(System.nanoTime());
    InMemoryFileSystem fs = new InMemoryFileSystem();
    TableBuilder buffering = new TableBuilder(OPTIONS);
    model.addAll(buffering);
    Path buffered = Path.of("/db/buffered.sst");
    buffering.writeTo(fs, buffered);

    AtomicInteger chosen = new AtomicInteger();
    TableBuilder streaming = streaming(fs, chosen);
    long spilledBefore = 0;
    int spills = 0;
    for (var entry : model.entries.entrySet()) {
      streaming.add(entry.getKey(), entry.getValue());
      if (fs.exists(PATH) && fs.size(PATH) != spilledBefore) {
        spills++;
        spilledBefore = fs.size(PATH);
      }
    }
    assertTrue(spills >= 3, "spilled " + spills + " times");
    assertEquals(1, chosen.get(), "the file is chosen once");
    long estimate = streaming.estimatedSize();
    TableBuilder.FileTarget target = streaming.finish();
    assertEquals(PATH, target.path());
    assertEquals(estimate, fs.size(PATH));
    assertArrayEquals(fs.readAllBytes(buffered), fs.readAllBytes(PATH));
    assertThrows(IllegalStateException.class, streaming::finish);
    streaming.abandon(); // a finished table is the caller's: nothing happens
    assertTrue(fs.exists(PATH));
    Table table = Table.open(fs, PATH, 7, OPTIONS, BlockCache.disabled());
    try (KeyValueIterator iterator = table.iterator(false)) {
      iterator.rewind();
      TableModel.assertYields(model.run(null, false, Integer.MAX_VALUE), Integer.MAX_VALUE,
          iterator);
    } finally {
      table.release();
    }
  }

  @Test
  void smallTableChoosesItsFileOnlyAtFinish() throws IOException {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    AtomicInteger chosen = new AtomicInteger();
    TableBuilder builder = streaming(fs, chosen);
    builder.add(InternalKey.of("a".getBytes(StandardCharsets.US_ASCII), 1),
        new ValueStruct((byte) 0, (byte) 0, 0, 0, new byte[10]));
    assertEquals(0, chosen.get());
    assertFalse(fs.exists(PATH));
    assertThrows(IllegalStateException.class, () -> builder.writeTo(fs, PATH));
    builder.finish();
    assertEquals(1, chosen.get());
    assertTrue(fs.exists(PATH));
  }

  @Test
  void abandonDeletesThePartialFile() throws IOException {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    TableBuilder builder = streaming(fs, new AtomicInteger());
    bigModel(1).addAll(builder);
    assertTrue(fs.exists(PATH));
    builder.abandon();
    assertFalse(fs.exists(PATH));
    assertThrows(IllegalStateException.class, builder::finish);
    assertThrows(IllegalStateException.class, () -> builder.add(
        InternalKey.of("zzz".getBytes(StandardCharsets.US_ASCII), 1),
        new ValueStruct((byte) 0, (byte) 0, 0, 0, new byte[1])));
    builder.abandon(); // idempotent
  }

  @Test
  void failedSpillDeletesThePartialFileAndEndsTheBuilder() throws IOException {
    IOException diskFull = new IOException("No space left on device");
    AtomicLong writes = new AtomicLong();
    InMemoryFileSystem memory = new InMemoryFileSystem();
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(memory)
        .before(Call.WRITE, (path, length) -> {
          if (writes.incrementAndGet() == 5) { // in the second spill
            throw diskFull;
          }
        });
    TableBuilder builder = new TableBuilder(OPTIONS, null, fs,
        () -> new TableBuilder.FileTarget(7, PATH));
    IOException failure = assertThrows(IOException.class, () -> bigModel(2).addAll(builder));
    assertSame(diskFull, failure);
    assertFalse(memory.exists(PATH));
    assertThrows(IllegalStateException.class, builder::finish);
  }

  @Test
  void anExistingFileIsNeverOverwrittenNorDeleted() throws IOException {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    TableFiles.replace(fs, PATH, "precious".getBytes(StandardCharsets.US_ASCII));
    TableBuilder builder = streaming(fs, new AtomicInteger());
    assertThrows(FileAlreadyExistsException.class, () -> bigModel(3).addAll(builder));
    builder.abandon();
    assertEquals("precious", new String(fs.readAllBytes(PATH), StandardCharsets.US_ASCII));
  }
}
