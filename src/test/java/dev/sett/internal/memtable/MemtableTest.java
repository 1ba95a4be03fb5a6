package dev.sett.internal.memtable;

import static dev.sett.internal.memtable.TestEntries.drain;
import static dev.sett.internal.memtable.TestEntries.entry;
import static dev.sett.internal.memtable.TestEntries.text;
import static dev.sett.internal.memtable.TestEntries.tombstone;
import static dev.sett.testing.Bytes.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValue;
import dev.sett.internal.key.KeyValueIterator;
import dev.sett.internal.key.ValueStruct;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class MemtableTest {

  @RegisterExtension
  final OpenedMemtables memtables = new OpenedMemtables();
  private static final FileSystem FILE_SYSTEM = FileSystem.defaultFileSystem();
  private static final MemtableOptions OPTIONS = new MemtableOptions(1 << 20, 4096);

  @TempDir
  Path directory;

  private Memtable create(long id) throws IOException {
    return memtables.track(Memtable.create(FILE_SYSTEM, directory.resolve(String.format("%05d.mem", id)), id,
        OPTIONS, new SplittableRandom(id)));
  }

  /** a@3, a@1, aa@2, b@2 (tombstone), c@5 */
  private static void writeSample(Memtable memtable) throws IOException {
    memtable.write(List.of(entry("a", 1, "a1"), entry("c", 5, "c5")));
    memtable.write(List.of(entry("a", 3, "a3"), tombstone("b", 2), entry("aa", 2, "aa2")));
  }

  @Test
  void getReturnsTheNewestVersionAtOrBelowTheReadTimestamp() throws IOException {
    Memtable memtable = create(1);
    writeSample(memtable);
    assertNull(memtable.get(bytes("a"), 0));
    assertEquals("a1", text(memtable.get(bytes("a"), 1).value()));
    assertEquals(1, memtable.get(bytes("a"), 2).version());
    assertEquals("a3", text(memtable.get(bytes("a"), 3).value()));
    assertEquals(3, memtable.get(bytes("a"), InternalKey.MAX_VERSION).version());
    assertNull(memtable.get(bytes("aa"), 1), "must not fall through to the next user key");
    assertEquals("aa2", text(memtable.get(bytes("aa"), 9).value()));
    assertTrue(memtable.get(bytes("b"), 2).isDeleted(), "tombstones are returned");
    assertNull(memtable.get(bytes(""), 9));
    assertNull(memtable.get(bytes("d"), 9));
    assertEquals(5, memtable.entryCount());
    assertEquals(5, memtable.maxVersion());
    assertFalse(memtable.isEmpty());
  }

  @Test
  void aRewrittenInternalKeyReplacesItsValue() throws IOException {
    Memtable memtable = create(1);
    memtable.write(List.of(entry("k", 4, "old")));
    memtable.write(List.of(entry("k", 4, "new")));
    assertEquals("new", text(memtable.get(bytes("k"), 4).value()));
    assertEquals(1, memtable.entryCount());
  }

  @Test
  void iteratesForwardAndSeeksAtTheBoundaries() throws IOException {
    Memtable memtable = create(1);
    writeSample(memtable);
    try (KeyValueIterator iterator = memtable.iterator(false)) {
      iterator.rewind();
      assertEquals(List.of("a@3=a3", "a@1=a1", "aa@2=aa2", "b@2=<deleted>", "c@5=c5"),
          drain(iterator));
      assertEquals("a@3", seek(iterator, InternalKey.of(bytes(""), InternalKey.MAX_VERSION)));
      assertEquals("a@3", seek(iterator, InternalKey.of(bytes("a"), InternalKey.MAX_VERSION)));
      assertEquals("a@3", seek(iterator, InternalKey.of(bytes("a"), 3)));
      assertEquals("a@1", seek(iterator, InternalKey.of(bytes("a"), 2)));
      assertEquals("aa@2", seek(iterator, InternalKey.of(bytes("a"), 0)));
      assertEquals("c@5", seek(iterator, InternalKey.of(bytes("c"), 5)));
      assertEquals("end", seek(iterator, InternalKey.of(bytes("c"), 4)));
      assertEquals("end", seek(iterator, InternalKey.of(bytes("d"), InternalKey.MAX_VERSION)));
    }
  }

  @Test
  void iteratesInReverseAndSeeksAtTheBoundaries() throws IOException {
    Memtable memtable = create(1);
    writeSample(memtable);
    try (KeyValueIterator iterator = memtable.iterator(true)) {
      iterator.rewind();
      assertEquals(List.of("c@5=c5", "b@2=<deleted>", "aa@2=aa2", "a@1=a1", "a@3=a3"),
          drain(iterator));
      assertEquals("c@5", seek(iterator, InternalKey.of(bytes("zz"), 0)));
      assertEquals("c@5", seek(iterator, InternalKey.of(bytes("c"), 0)));
      assertEquals("c@5", seek(iterator, InternalKey.of(bytes("c"), 5)));
      assertEquals("b@2", seek(iterator, InternalKey.of(bytes("c"), 6)));
      assertEquals("a@1", seek(iterator, InternalKey.of(bytes("a"), 0)));
      assertEquals("a@3", seek(iterator, InternalKey.of(bytes("a"), 2)));
      assertEquals("a@3", seek(iterator, InternalKey.of(bytes("a"), 3)));
      assertEquals("end", seek(iterator, InternalKey.of(bytes("a"), 4)));
      assertEquals("end", seek(iterator, InternalKey.of(bytes(""), 0)));
      iterator.seek(InternalKey.of(bytes("aa"), 2));
      assertEquals(List.of("aa@2=aa2", "a@1=a1", "a@3=a3"), drain(iterator));
    }
  }

  @Test
  void anEmptyMemtableIteratesNothing() throws IOException {
    Memtable memtable = create(1);
    assertTrue(memtable.isEmpty());
    assertEquals(0, memtable.maxVersion());
    for (boolean reverse : new boolean[] {false, true}) {
      try (KeyValueIterator iterator = memtable.iterator(reverse)) {
        iterator.rewind();
        assertFalse(iterator.valid());
        iterator.seek(InternalKey.of(bytes("a"), 1));
        assertFalse(iterator.valid());
        assertThrows(IllegalStateException.class, iterator::key);
      }
    }
  }

  @Test
  void iteratorKeysAreCopiesAndAClosedIteratorRefusesWork() throws IOException {
    Memtable memtable = create(1);
    writeSample(memtable);
    KeyValueIterator iterator = memtable.iterator(false);
    iterator.rewind();
    byte[] key = iterator.key();
    assertSame(key, iterator.key(), "one copy per position (KeyValueIterator: callers must not modify it)");
    key[0] = 'z';
    KeyValueIterator another = memtable.iterator(false);
    another.rewind();
    assertEquals("a@3", InternalKey.toString(another.key()), "the arena's bytes are not exposed");
    another.close();
    iterator.close();
    iterator.close();
    assertFalse(iterator.valid());
    assertThrows(IllegalStateException.class, iterator::rewind);
    assertThrows(IllegalStateException.class, iterator::next);
  }

  @Test
  void recoversWhatWasWrittenAndKeepsAppending() throws IOException {
    Memtable memtable = create(42);
    writeSample(memtable);
    long walSize = memtable.walSize();
    assertEquals(walSize, Files.size(memtable.walPath()));
    memtable.closeWal();

    Memtable recovered = memtables.track(Memtable.recover(FILE_SYSTEM, memtable.walPath(), OPTIONS,
        new SplittableRandom(1), false));
    assertEquals(42, recovered.id());
    assertEquals(walSize, recovered.walSize());
    assertEquals(5, recovered.entryCount());
    assertEquals(5, recovered.maxVersion());
    assertEquals(dump(memtable), dump(recovered));
    recovered.write(List.of(entry("d", 7, "d7")));
    recovered.sync();
    recovered.closeWal();

    Memtable again = memtables.track(Memtable.recover(FILE_SYSTEM, memtable.walPath(), OPTIONS,
        new SplittableRandom(2), true));
    assertEquals("d7", text(again.get(bytes("d"), 9).value()));
    assertEquals(7, again.maxVersion());
    assertEquals(6, again.entryCount());
    assertThrows(IllegalStateException.class,
        () -> again.write(List.of(entry("e", 8, "e8"))), "a read-only memtable takes no writes");
  }

  @Test
  void closeWalMakesTheMemtableImmutableAndDeleteWalRemovesTheFile() throws IOException {
    Memtable memtable = create(3);
    writeSample(memtable);
    Path wal = memtable.walPath();
    memtable.closeWal();
    memtable.closeWal();
    memtable.sync();
    assertThrows(IllegalStateException.class, () -> memtable.write(List.of(entry("x", 9, "x"))));
    assertTrue(Files.exists(wal));
    memtable.deleteWal();
    memtable.deleteWal();
    assertFalse(Files.exists(wal));
    assertEquals("c5", text(memtable.get(bytes("c"), 5).value()), "readers outlive the WAL");
  }

  @Test
  void deleteWalClosesAnOpenWal() throws IOException {
    Memtable memtable = create(3);
    writeSample(memtable);
    memtable.deleteWal();
    assertFalse(Files.exists(memtable.walPath()));
    assertThrows(IllegalStateException.class, () -> memtable.write(List.of(entry("x", 9, "x"))));
  }

  @Test
  void createRefusesAnExistingFile() throws IOException {
    create(5).closeWal();
    assertThrows(FileAlreadyExistsException.class, () -> create(5));
  }

  @Test
  void anInMemoryMemtableHasNoWal() throws IOException {
    Memtable memtable = Memtable.inMemory(9, OPTIONS, new SplittableRandom(9));
    assertNull(memtable.walPath());
    writeSample(memtable);
    memtable.sync();
    assertEquals(0, memtable.walSize());
    assertEquals(9, memtable.id());
    assertEquals("a3", text(memtable.get(bytes("a"), 3).value()));
    memtable.closeWal();
    assertThrows(IllegalStateException.class, () -> memtable.write(List.of(entry("x", 9, "x"))));
    memtable.deleteWal();
    try (var files = Files.list(directory)) {
      assertEquals(0, files.count());
    }
  }

  @Test
  void becomesFullWhenTheArenaOrTheWalReachesTheLimit() throws IOException {
    MemtableOptions small = new MemtableOptions(16 << 10, 1024);
    Memtable memtable = memtables.track(Memtable.create(FILE_SYSTEM, directory.resolve("small.mem"), 1, small,
        new SplittableRandom(1)));
    long previousMemory = memtable.memoryUsed();
    long previousWal = memtable.walSize();
    int writes = 0;
    while (!memtable.isFull()) {
      memtable.write(List.of(entry(String.format("key%05d", writes), writes, "value")));
      assertTrue(memtable.memoryUsed() > previousMemory);
      assertTrue(memtable.walSize() > previousWal);
      previousMemory = memtable.memoryUsed();
      previousWal = memtable.walSize();
      writes++;
    }
    assertTrue(memtable.memoryUsed() >= small.memTableSize()
        || memtable.walSize() >= small.memTableSize());
    assertTrue(memtable.memoryUsed() < small.memTableSize() + 1024);
    assertTrue(writes > 50, "wrote " + writes);

    Memtable bigValues = Memtable.inMemory(2, small, new SplittableRandom(2));
    bigValues.write(List.of(KeyValue.of(bytes("big"), 1,
        new ValueStruct((byte) 0, (byte) 0, 0, 0, new byte[20 << 10]))));
    assertTrue(bigValues.isFull(), "an oversized value fills the arena by itself");
  }

  @Test
  void anEmptyBatchWritesNothing() throws IOException {
    Memtable memtable = create(1);
    long walSize = memtable.walSize();
    memtable.write(List.of());
    assertEquals(walSize, memtable.walSize());
    assertEquals(walSize, Files.size(memtable.walPath()));
    assertTrue(memtable.isEmpty());
  }

  @Test
  void aBadKeyRejectsTheWholeBatchBeforeAnythingIsWritten() throws IOException {
    Memtable memtable = create(1);
    long walSize = memtable.walSize();
    List<KeyValue> batch = List.of(entry("ok", 1, "v"),
        new KeyValue(new byte[3], TestEntries.value("v")));
    assertThrows(IllegalArgumentException.class, () -> memtable.write(batch));
    assertEquals(walSize, Files.size(memtable.walPath()));
    assertTrue(memtable.isEmpty());
  }

  @Test
  void maxVersionComparesUnsigned() throws IOException {
    Memtable memtable = Memtable.inMemory(1, OPTIONS, new SplittableRandom(1));
    memtable.write(List.of(entry("a", Long.MAX_VALUE + 2, "big"), entry("b", 7, "small")));
    assertEquals(Long.MAX_VALUE + 2, memtable.maxVersion());
  }

  @Test
  void optionsRejectNonsense() {
    assertThrows(IllegalArgumentException.class, () -> new MemtableOptions(0, 4096));
    assertThrows(IllegalArgumentException.class, () -> new MemtableOptions(1 << 20, 16));
  }

  private static String seek(KeyValueIterator iterator, byte[] target) {
    iterator.seek(target);
    return iterator.valid() ? InternalKey.toString(iterator.key()) : "end";
  }

  static List<String> dump(Memtable memtable) {
    try (KeyValueIterator iterator = memtable.iterator(false)) {
      iterator.rewind();
      return drain(iterator);
    }
  }

  @Test
  void valuesKeepEveryField() throws IOException {
    Memtable memtable = create(1);
    ValueStruct value = new ValueStruct((byte) 0x0A, (byte) 0x7F, 1_700_000_000L, 0,
        new byte[] {1, 2, 3});
    memtable.write(List.of(KeyValue.of(bytes("k"), 11, value)));
    ValueStruct found = memtable.get(bytes("k"), 11);
    assertEquals(value.withVersion(11), found);
    assertArrayEquals(new byte[] {1, 2, 3}, found.value());
  }
}
