package dev.sett.internal.vlog;

import static dev.sett.internal.vlog.ValueLogTestSupport.assertRecord;
import static dev.sett.internal.vlog.ValueLogTestSupport.seed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValue;
import dev.sett.internal.key.Meta;
import dev.sett.internal.key.ValueStruct;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many records of random shapes, written, then read back by pointer and by scan. */
class ValueLogRoundTripTest {
  private static final int ONE_MIB = 1 << 20;
  private static final byte[] METAS = {0, Meta.DELETE, Meta.DISCARD_EARLIER_VERSIONS,
      Meta.MERGE_ENTRY, (byte) (Meta.DELETE | Meta.DISCARD_EARLIER_VERSIONS)};
  private static final long[] EXPIRIES = {0, 1, 127, 128, 300, 1_700_000_000L, Long.MAX_VALUE,
      -1L};
  private static final long[] VERSIONS = {0, 1, 5, 1L << 40, InternalKey.MAX_VERSION - 1,
      InternalKey.MAX_VERSION};

  @TempDir
  Path directory;

  private static int valueLength(Random random, int index) {
    return switch (index % 50) {
      case 0 -> 0;
      case 17 -> ONE_MIB;
      case 33 -> ONE_MIB - 1;
      default -> random.nextInt(5) == 0 ? random.nextInt(70_000) : random.nextInt(600);
    };
  }

  private static KeyValue randomEntry(Random random, int index) {
    byte[] userKey = new byte[random.nextInt(3) == 0 ? 0 : 1 + random.nextInt(64)];
    random.nextBytes(userKey);
    byte[] value = new byte[valueLength(random, index)];
    random.nextBytes(value);
    long version = random.nextBoolean() ? VERSIONS[random.nextInt(VERSIONS.length)]
        : random.nextLong();
    return KeyValue.of(userKey, version, new ValueStruct(METAS[random.nextInt(METAS.length)],
        (byte) random.nextInt(256), EXPIRIES[random.nextInt(EXPIRIES.length)], 0, value));
  }

  @Test
  void manyRecordsReadBackByPointerAndByScan() throws IOException {
    Random random = new Random(seed("manyRecordsReadBackByPointerAndByScan"));
    FileSystem fileSystem = FileSystem.defaultFileSystem();
    List<KeyValue> entries = new ArrayList<>();
    List<ValuePointer> pointers = new ArrayList<>();
    Path path;
    try (ValueLogWriter writer = ValueLogWriter.create(fileSystem, directory, 42)) {
      ValueLogFile active = ValueLogFile.openActive(fileSystem, writer);
      try {
        while (entries.size() < 200) {
          List<KeyValue> transaction = new ArrayList<>();
          for (int n = 1 + random.nextInt(8); n > 0; n--) {
            transaction.add(randomEntry(random, entries.size() + transaction.size()));
          }
          List<ValuePointer> written = writer.append(transaction);
          // The newest transaction is readable at once through the active file.
          for (int i = 0; i < written.size(); i++) {
            assertRecord(transaction.get(i), written.get(i), active.read(written.get(i)));
          }
          entries.addAll(transaction);
          pointers.addAll(written);
        }
        writer.sync();
        writer.seal();
      } finally {
        active.release();
      }
      path = writer.path();
      assertEquals(Files.size(path), writer.size());
      assertEquals(entries.size(), writer.entryCount());
    }
    assertTrue(Files.size(path) > 4L * ONE_MIB, "the 1 MiB values are in: " + Files.size(path));

    ValueLogFile file = ValueLogFile.open(fileSystem, path, 42);
    try {
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < entries.size(); i++) {
        order.add(i);
      }
      Collections.shuffle(order, random);
      for (int i : order) {
        assertRecord(entries.get(i), pointers.get(i), file.read(pointers.get(i)));
      }
      try (ValueLogScanner scanner = file.scan(ValueLogScanner.Mode.SEALED)) {
        for (int i = 0; i < entries.size(); i++) {
          assertRecord(entries.get(i), pointers.get(i), scanner.next());
        }
        assertNull(scanner.next());
        assertEquals(Files.size(path), scanner.validEnd());
        assertEquals(entries.size(), scanner.recordCount());
        assertNull(scanner.tornTail());
      }
    } finally {
      file.release();
    }
    assertEquals(0, file.referenceCount());
    ValueLogScanner.RecoveryResult recovered = ValueLogScanner.recover(fileSystem, path, 42, false);
    assertEquals(new ValueLogScanner.RecoveryResult(42, Files.size(path), entries.size(), null),
        recovered);
  }
}
