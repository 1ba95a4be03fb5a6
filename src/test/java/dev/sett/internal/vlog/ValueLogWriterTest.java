package dev.sett.internal.vlog;

import static dev.sett.internal.vlog.ValueLogGoldenTest.GOLDEN_TRANSACTION;
import static dev.sett.internal.vlog.ValueLogTestSupport.assertRecord;
import static dev.sett.internal.vlog.ValueLogTestSupport.entry;
import static dev.sett.testing.Bytes.bytes;
import static dev.sett.testing.Bytes.hex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.fs.CorruptFileException;
import dev.sett.internal.fs.FaultInjectingFileSystem;
import dev.sett.internal.fs.FaultInjectingFileSystem.Call;
import dev.sett.internal.fs.InMemoryFileSystem;
import dev.sett.internal.key.KeyValue;
import dev.sett.internal.key.Meta;
import dev.sett.internal.key.ValueStruct;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Creating, appending, rolling back, sealing, and the rotation helpers. */
class ValueLogWriterTest {
  private static final Path DIRECTORY = Path.of("/db");

  private final FaultInjectingFileSystem fileSystem =
      new FaultInjectingFileSystem(new InMemoryFileSystem());
  /** "write N", "sync", "truncate N", "syncDirectory DIR", "close", in call order. */
  private final List<String> events = new CopyOnWriteArrayList<>();
  /** Every truncate of an open file throws. */
  private volatile boolean failTruncate;
  /** Every directory sync throws. */
  private volatile boolean failSyncDirectory;

  ValueLogWriterTest() throws IOException {
    fileSystem.createDirectories(DIRECTORY);
    fileSystem
        .before(Call.WRITE, (path, length) -> events.add("write " + length))
        .before(Call.SYNC, (path, unused) -> events.add("sync"))
        .before(Call.TRUNCATE, (path, size) -> {
          events.add("truncate " + size);
          if (failTruncate) {
            throw new IOException("injected truncate failure");
          }
        })
        .before(Call.SYNC_DIRECTORY, (dir, unused) -> {
          events.add("syncDirectory " + dir);
          if (failSyncDirectory) {
            throw new IOException("injected directory sync failure");
          }
        })
        .before(Call.CLOSE, (path, unused) -> events.add("close"));
  }

  private static List<KeyValue> transaction(String name, int entries, int valueLength) {
    List<KeyValue> transaction = new ArrayList<>();
    for (int i = 0; i < entries; i++) {
      transaction.add(entry(name + i, 7, "v".repeat(valueLength)));
    }
    return transaction;
  }

  /** Every record of the sealed file, by a sealed scan. */
  private List<ValueLogRecord> scanAll(Path path, long fileId) throws IOException {
    ValueLogFile file = ValueLogFile.open(fileSystem, path, fileId);
    List<ValueLogRecord> records = new ArrayList<>();
    try (ValueLogScanner scanner = file.scan(ValueLogScanner.Mode.SEALED)) {
      for (ValueLogRecord record = scanner.next(); record != null; record = scanner.next()) {
        records.add(record);
      }
      assertEquals(file.size(), scanner.validEnd());
    } finally {
      file.release();
    }
    return records;
  }

  @Test
  void createWritesAndForcesTheHeaderThenTheDirectory() throws IOException {
    try (ValueLogWriter writer = ValueLogWriter.create(fileSystem, DIRECTORY, 1)) {
      assertEquals(DIRECTORY.resolve("000001.vlog"), writer.path());
      assertEquals(1, writer.fileId());
      assertEquals(ValueLogFormat.HEADER_LENGTH, writer.size());
      assertEquals(0, writer.entryCount());
      assertEquals(List.of("write 20", "sync", "syncDirectory " + DIRECTORY), events);
      assertEquals(hex(ValueLogFormat.header(1)), hex(fileSystem.readAllBytes(writer.path())));
    }
  }

  @Test
  void createIsExclusiveAndCleansUpAfterItself() throws IOException {
    try (ValueLogWriter writer = ValueLogWriter.create(fileSystem, DIRECTORY, 2)) {
      writer.append(GOLDEN_TRANSACTION);
      long size = writer.size();
      assertThrows(FileAlreadyExistsException.class,
          () -> ValueLogWriter.create(fileSystem, DIRECTORY, 2));
      assertEquals(size, fileSystem.size(writer.path()), "the existing file is untouched");
    }
    failSyncDirectory = true;
    assertThrows(IOException.class, () -> ValueLogWriter.create(fileSystem, DIRECTORY, 3));
    assertFalse(fileSystem.exists(DIRECTORY.resolve(ValueLogFile.fileName(3))),
        "a file whose creation failed is removed");
    assertThrows(IllegalArgumentException.class,
        () -> ValueLogWriter.create(fileSystem, DIRECTORY, 0));
    assertThrows(IllegalArgumentException.class,
        () -> ValueLogWriter.create(fileSystem, DIRECTORY, 1L << 32));
  }

  @Test
  void oneTransactionIsOneWriteWithContiguousPointers() throws IOException {
    try (ValueLogWriter writer = ValueLogWriter.create(fileSystem, DIRECTORY, 4)) {
      events.clear();
      List<KeyValue> transaction = transaction("k", 5, 300);
      List<ValuePointer> pointers = writer.append(transaction);
      long length = ValueLogFormat.transactionLength(transaction);
      assertEquals(List.of("write " + length), events);
      long offset = ValueLogFormat.HEADER_LENGTH;
      for (int i = 0; i < pointers.size(); i++) {
        ValuePointer pointer = pointers.get(i);
        assertEquals(new ValuePointer(4, ValueLogFormat.recordLength(transaction.get(i)), offset),
            pointer);
        offset = pointer.end();
      }
      assertEquals(offset, writer.size());
      assertEquals(5, writer.entryCount());
      assertEquals(List.of(), writer.append(List.of()), "an empty transaction writes nothing");
      assertEquals(List.of("write " + length), events);
    }
  }

  @Test
  void aFailedAppendIsRolledBack() throws IOException {
    List<KeyValue> first = transaction("a", 3, 100);
    List<KeyValue> failed = transaction("b", 4, 5000);
    List<KeyValue> third = transaction("c", 2, 10);
    List<ValuePointer> firstPointers;
    List<ValuePointer> thirdPointers;
    Path path;
    try (ValueLogWriter writer = ValueLogWriter.create(fileSystem, DIRECTORY, 5)) {
      path = writer.path();
      firstPointers = writer.append(first);
      long size = writer.size();
      fileSystem.tearNextWrite();
      IOException e = assertThrows(IOException.class, () -> writer.append(failed));
      assertEquals("injected write failure", e.getMessage());
      assertEquals(size, writer.size());
      assertEquals(3, writer.entryCount());
      assertEquals(size, fileSystem.size(path), "the half-written records are cut off");
      thirdPointers = writer.append(third);
      assertEquals(size, thirdPointers.get(0).offset(), "the next transaction takes their place");
      writer.seal();
    }
    List<ValueLogRecord> records = scanAll(path, 5);
    List<KeyValue> expected = new ArrayList<>(first);
    expected.addAll(third);
    List<ValuePointer> pointers = new ArrayList<>(firstPointers);
    pointers.addAll(thirdPointers);
    assertEquals(expected.size(), records.size());
    for (int i = 0; i < expected.size(); i++) {
      assertRecord(expected.get(i), pointers.get(i), records.get(i));
    }
  }

  @Test
  void aFailedRollbackRefusesEveryLaterAppend() throws IOException {
    Path path;
    long validEnd;
    try (ValueLogWriter writer = ValueLogWriter.create(fileSystem, DIRECTORY, 6)) {
      path = writer.path();
      writer.append(transaction("a", 2, 50));
      validEnd = writer.size();
      fileSystem.tearNextWrite();
      failTruncate = true;
      // One record, so that the half written is a torn record. (Whole records of a failed
      // transaction may survive; no pointer refers to them.)
      IOException e = assertThrows(IOException.class,
          () -> writer.append(transaction("b", 1, 50)));
      assertEquals("injected truncate failure", e.getSuppressed()[0].getMessage());
      failTruncate = false;
      IOException refused = assertThrows(IOException.class,
          () -> writer.append(transaction("c", 1, 1)));
      assertTrue(refused.getMessage().contains("refuses"), refused.getMessage());
      assertTrue(refused.getMessage().contains(path.toString()), refused.getMessage());
      assertEquals(e, refused.getCause());
      assertThrows(IOException.class, writer::seal, "a torn file is not sealed as if whole");
    }
    assertTrue(fileSystem.size(path) > validEnd, "the torn records are still there");
    ValueLogScanner.RecoveryResult recovered =
        ValueLogScanner.recover(fileSystem, path, 6, false);
    assertEquals(validEnd, recovered.validEnd(), "recovery cuts them off");
    assertEquals(2, recovered.records());
  }

  @Test
  void appendRejectsEntriesItCannotStoreWithoutWriting() throws IOException {
    try (ValueLogWriter writer = ValueLogWriter.create(fileSystem, DIRECTORY, 7)) {
      events.clear();
      KeyValue shortKey = new KeyValue(new byte[7],
          new ValueStruct((byte) 0, (byte) 0, 0, 0, bytes("x")));
      KeyValue pointer = KeyValue.of(bytes("p"), 1,
          new ValueStruct(Meta.VALUE_POINTER, (byte) 0, 0, 0, new byte[12]));
      assertThrows(IllegalArgumentException.class,
          () -> writer.append(List.of(entry("ok", 1, "v"), shortKey)));
      assertThrows(IllegalArgumentException.class,
          () -> writer.append(List.of(entry("ok", 1, "v"), pointer)));
      assertEquals(List.of(), events);
      assertEquals(ValueLogFormat.HEADER_LENGTH, writer.size());
      assertEquals(0, writer.entryCount());
    }
  }

  @Test
  void aSealedWriterKeepsTheFileAndRefusesAppends() throws IOException {
    ValueLogWriter writer = ValueLogWriter.create(fileSystem, DIRECTORY, 8);
    writer.append(GOLDEN_TRANSACTION);
    events.clear();
    writer.seal();
    assertEquals(List.of("sync", "close"), events);
    assertTrue(writer.isSealed());
    writer.seal();
    writer.sync();
    assertEquals(List.of("sync", "close"), events, "both are no-ops once sealed");
    assertThrows(IllegalStateException.class, () -> writer.append(GOLDEN_TRANSACTION));
    writer.close();
    writer.close();
    assertEquals(List.of("sync", "close"), events, "sealing closed the file");
    assertThrows(IllegalStateException.class, writer::sync);
    assertTrue(fileSystem.exists(writer.path()));
    assertEquals(2, scanAll(writer.path(), 8).size());
  }

  @Test
  void closeWithoutSealForcesNothing() throws IOException {
    ValueLogWriter writer = ValueLogWriter.create(fileSystem, DIRECTORY, 9);
    writer.append(GOLDEN_TRANSACTION);
    events.clear();
    writer.close();
    assertEquals(List.of("close"), events);
    assertThrows(IllegalStateException.class, () -> writer.append(GOLDEN_TRANSACTION));
    assertThrows(IllegalStateException.class, writer::seal);
  }

  @Test
  void theActiveFileIsReadableUpToTheLastWholeRecord() throws IOException {
    try (ValueLogWriter writer = ValueLogWriter.create(fileSystem, DIRECTORY, 10)) {
      ValueLogFile active = ValueLogFile.openActive(fileSystem, writer);
      try {
        for (int round = 0; round < 5; round++) {
          List<KeyValue> transaction = transaction("r" + round, 3, 40 * round);
          List<ValuePointer> pointers = writer.append(transaction);
          assertEquals(writer.size(), active.size());
          for (int i = 0; i < pointers.size(); i++) {
            assertRecord(transaction.get(i), pointers.get(i), active.read(pointers.get(i)));
          }
          ValuePointer next = new ValuePointer(10, 50, writer.size());
          CorruptFileException e =
              assertThrows(CorruptFileException.class, () -> active.read(next));
          assertEquals(writer.size(), e.offset(), "nothing past the last whole record");
        }
        try (ValueLogScanner scanner = active.scan(ValueLogScanner.Mode.SEALED)) {
          int count = 0;
          while (scanner.next() != null) {
            count++;
          }
          assertEquals(15, count);
        }
      } finally {
        active.release();
      }
    }
  }

  @Test
  void rotationHelpersCountBytesAndEntries() throws IOException {
    try (ValueLogWriter writer = ValueLogWriter.create(fileSystem, DIRECTORY, 11)) {
      assertFalse(writer.wouldExceed(1L << 30, 1 << 20, 1 << 20, 1),
          "a file with no record takes any transaction");
      writer.append(transaction("a", 2, 100));
      long size = writer.size();
      long room = 4096 - size;
      assertFalse(writer.wouldExceed(room, 1, 4096, 3), "exactly up to the size limit");
      assertTrue(writer.wouldExceed(room + 1, 1, 4096, 3), "one byte more");
      assertTrue(writer.wouldExceed(10, 2, 4096, 3), "one entry more");
      assertFalse(writer.wouldExceed(0, 0, 4096, 2), "nothing more");
      assertTrue(writer.wouldExceed(0, 0, size - 1, 100), "already past the limit");
      List<KeyValue> transaction = transaction("b", 1, 200);
      assertEquals(writer.wouldExceed(ValueLogFormat.transactionLength(transaction), 1,
          size + 200, 10), writer.wouldExceed(transaction, size + 200, 10));
      assertTrue(writer.wouldExceed(transaction, size + 200, 10));
      assertFalse(writer.wouldExceed(transaction,
          size + ValueLogFormat.transactionLength(transaction), 10));
      assertThrows(IllegalArgumentException.class, () -> writer.wouldExceed(-1, 1, 4096, 3));
      assertThrows(IllegalArgumentException.class, () -> writer.wouldExceed(1, -1, 4096, 3));
      assertThrows(IllegalArgumentException.class, () -> writer.wouldExceed(1, 1, 20, 3));
      assertThrows(IllegalArgumentException.class,
          () -> writer.wouldExceed(1, 1, 1L << 31, 3));
      assertThrows(IllegalArgumentException.class, () -> writer.wouldExceed(1, 1, 4096, 0));
    }
  }

  @Test
  void recordLengthsAreExact() {
    assertEquals(29, ValueLogFormat.recordLength(GOLDEN_TRANSACTION.get(0)));
    assertEquals(28, ValueLogFormat.recordLength(GOLDEN_TRANSACTION.get(1)));
    assertEquals(57, ValueLogFormat.transactionLength(GOLDEN_TRANSACTION));
    assertEquals(0, ValueLogFormat.transactionLength(List.of()));
    KeyValue large = KeyValue.of(new byte[200], 1,
        new ValueStruct((byte) 0, (byte) 0, -1L, 0, new byte[70_000]));
    // 8 header + 2 + 10-byte expiresAt + 2-byte key length + 208 key + 70,000 value
    assertEquals(8 + 2 + 10 + 2 + 208 + 70_000, ValueLogFormat.recordLength(large));
  }

  @Test
  void rotatingWithTheHelpersNeverSplitsATransaction() throws IOException {
    long fileSizeLimit = 2048;
    int entryLimit = 6;
    List<List<KeyValue>> transactions = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      transactions.add(transaction("t" + i + "-", 1 + i % 4, i % 7 == 0 ? 3000 : 40 * (i % 5)));
    }
    long fileId = 100;
    ValueLogWriter writer = ValueLogWriter.create(fileSystem, DIRECTORY, fileId);
    List<List<ValuePointer>> written = new ArrayList<>();
    for (List<KeyValue> transaction : transactions) {
      if (writer.wouldExceed(transaction, fileSizeLimit, entryLimit)) {
        writer.seal();
        writer.close();
        writer = ValueLogWriter.create(fileSystem, DIRECTORY, ++fileId);
      }
      written.add(writer.append(transaction));
    }
    writer.seal();
    writer.close();
    assertTrue(fileId > 105, "the limits made it rotate: " + fileId);
    for (long id = 100; id <= fileId; id++) {
      long thisFile = id;
      List<ValueLogRecord> records = scanAll(DIRECTORY.resolve(ValueLogFile.fileName(id)), id);
      long size = fileSystem.size(DIRECTORY.resolve(ValueLogFile.fileName(id)));
      long transactionsInFile = 0;
      for (List<ValuePointer> pointers : written) {
        long inFile = pointers.stream().filter(p -> p.fileId() == thisFile).count();
        assertTrue(inFile == 0 || inFile == pointers.size(), "a transaction split across files");
        transactionsInFile += inFile > 0 ? 1 : 0;
      }
      if (transactionsInFile > 1) {
        assertTrue(size <= fileSizeLimit, "file " + id + " is " + size + " bytes");
        assertTrue(records.size() <= entryLimit, "file " + id + " has " + records.size());
      }
    }
    for (int t = 0; t < transactions.size(); t++) {
      List<ValuePointer> pointers = written.get(t);
      ValueLogFile file = ValueLogFile.open(fileSystem,
          DIRECTORY.resolve(ValueLogFile.fileName(pointers.get(0).fileId())),
          pointers.get(0).fileId());
      try {
        for (int i = 0; i < pointers.size(); i++) {
          assertRecord(transactions.get(t).get(i), pointers.get(i), file.read(pointers.get(i)));
        }
      } finally {
        file.release();
      }
    }
  }
}
