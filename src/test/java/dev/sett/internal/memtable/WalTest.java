package dev.sett.internal.memtable;

import static dev.sett.internal.memtable.TestEntries.entry;
import static dev.sett.internal.memtable.TestEntries.tombstone;
import static dev.sett.testing.Bytes.bytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.codec.Crc32c;
import dev.sett.internal.fs.CorruptFileException;
import dev.sett.internal.fs.FaultInjectingFileSystem;
import dev.sett.internal.fs.FaultInjectingFileSystem.Call;
import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.fs.UnsupportedFormatException;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValue;
import dev.sett.internal.key.Meta;
import dev.sett.internal.key.ValueStruct;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class WalTest {

  @RegisterExtension
  final OpenedMemtables memtables = new OpenedMemtables();
  private static final FileSystem FILE_SYSTEM = FileSystem.defaultFileSystem();
  private static final MemtableOptions OPTIONS = new MemtableOptions(1 << 20, 4096);

  /** Three transactions; the second has a value large enough to span arena chunks. */
  private static final List<List<KeyValue>> BATCHES = List.of(
      List.of(entry("a", 1, "a1"), entry("b", 1, "b1")),
      List.of(entry("c", 2, "c2"), tombstone("d", 2), entry("e", 2, "e".repeat(5000))),
      List.of(entry("f", 3, "f3"), entry("a", 3, "a3")));

  @TempDir
  Path directory;

  /** Writes {@link #BATCHES}; returns the record boundaries: header end, then each record's end. */
  /** Writes {@link #BATCHES}, each synced as with syncWrites; returns where each record ends. */
  private long[] writeBatches(Path wal) throws IOException {
    return writeBatches(wal, true);
  }

  private long[] writeBatches(Path wal, boolean syncEach) throws IOException {
    Memtable memtable = memtables.track(Memtable.create(FILE_SYSTEM, wal, 11, OPTIONS, new SplittableRandom(1)));
    long[] ends = new long[BATCHES.size() + 1];
    ends[0] = memtable.walSize();
    for (int i = 0; i < BATCHES.size(); i++) {
      memtable.write(BATCHES.get(i));
      if (syncEach) {
        memtable.sync();
      }
      ends[i + 1] = memtable.walSize();
    }
    memtable.closeWal();
    assertEquals(ends[BATCHES.size()], Files.size(wal));
    return ends;
  }

  /** What a memtable holding the first {@code count} batches lists. */
  private static List<String> expectedAfter(int count) {
    Memtable model = Memtable.inMemory(0, OPTIONS, new SplittableRandom(0));
    try {
      for (int i = 0; i < count; i++) {
        model.write(BATCHES.get(i));
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return MemtableTest.dump(model);
  }

  @Test
  void replayReturnsEveryTransactionWithEveryField() throws IOException {
    Path wal = directory.resolve("round-trip.mem");
    List<List<KeyValue>> written = List.of(
        List.of(KeyValue.of(bytes("k"), 0, new ValueStruct((byte) 0, (byte) 0, 0, 0, new byte[0]))),
        List.of(
            KeyValue.of(new byte[] {0, (byte) 0xFF, 7}, InternalKey.MAX_VERSION - 1,
                new ValueStruct((byte) (Meta.VALUE_POINTER | Meta.DISCARD_EARLIER_VERSIONS),
                    (byte) 0xFE, Long.MAX_VALUE, 0, new byte[12])),
            KeyValue.of(new byte[0], 5,
                new ValueStruct(Meta.MERGE_ENTRY, (byte) 1, -1L, 0, new byte[100_000])),
            KeyValue.of(bytes("ttl"), 6,
                new ValueStruct((byte) 0, (byte) 0, 1_700_000_000L, 0, bytes("v")))));
    Memtable memtable = memtables.track(Memtable.create(FILE_SYSTEM, wal, 1, OPTIONS, new SplittableRandom(1)));
    for (List<KeyValue> batch : written) {
      memtable.write(batch);
    }
    memtable.sync();
    List<List<String>> replayed = new ArrayList<>();
    WalReader.ReplayResult result = WalReader.replay(FILE_SYSTEM, wal, false,
        batch -> replayed.add(batch.stream().map(WalTest::describeFully).toList()));
    assertEquals(written.stream()
        .map(batch -> batch.stream().map(WalTest::describeFully).toList()).toList(), replayed);
    assertEquals(new WalReader.ReplayResult(1, memtable.walSize(), 2, 0, false, null), result);
  }

  @Test
  void aTornTailKeepsExactlyTheWholeTransactionsBeforeItAndIsCutOff() throws IOException {
    Path original = directory.resolve("original.mem");
    long[] ends = writeBatches(original);
    byte[] bytes = Files.readAllBytes(original);
    for (int record = 1; record < ends.length; record++) {
      long start = ends[record - 1];
      long end = ends[record];
      for (long cut : new long[] {start + 1, start + 4, start + 7, start + 8, start + 9,
          (start + end) / 2, end - 1}) {
        Path wal = directory.resolve("cut-" + cut + ".mem");
        Files.write(wal, Arrays.copyOf(bytes, (int) cut));
        Memtable recovered = memtables.track(Memtable.recover(FILE_SYSTEM, wal, OPTIONS,
            new SplittableRandom(cut), false));
        String context = "cut at " + cut + " inside record " + record;
        assertEquals(expectedAfter(record - 1), MemtableTest.dump(recovered), context);
        assertEquals(start, Files.size(wal), context + ": file truncated to the last whole record");
        assertEquals(start, recovered.walSize(), context);

        recovered.write(List.of(entry("z", 9, "after")));
        recovered.closeWal();
        Memtable again = memtables.track(Memtable.recover(FILE_SYSTEM, wal, OPTIONS, new SplittableRandom(1),
            false));
        assertEquals(recovered.entryCount(), again.entryCount(), context);
        assertEquals("after", TestEntries.text(again.get(bytes("z"), 9).value()), context);
        again.deleteWal();
      }
    }
  }

  @Test
  void aCutAtARecordBoundaryLosesNothingElse() throws IOException {
    Path wal = directory.resolve("boundary.mem");
    long[] ends = writeBatches(wal);
    FILE_SYSTEM.truncate(wal, ends[2]);
    Memtable recovered = memtables.track(Memtable.recover(FILE_SYSTEM, wal, OPTIONS, new SplittableRandom(1),
        false));
    assertEquals(expectedAfter(2), MemtableTest.dump(recovered));
    assertEquals(ends[2], Files.size(wal));
  }

  @Test
  void aTornTailInAWalThatANewerOneFollowsIsCorruption() throws IOException {
    Path wal = directory.resolve("older.mem");
    long[] ends = writeBatches(wal);
    FILE_SYSTEM.truncate(wal, ends[2] + 3);
    CorruptFileException e = assertThrows(CorruptFileException.class,
        () -> memtables.track(Memtable.recover(FILE_SYSTEM, wal, OPTIONS, new SplittableRandom(1), false, false,
            batch -> true)));
    assertEquals(ends[2], e.offset());
    assertEquals(ends[2] + 3, Files.size(wal), "the evidence is left in place");
    // The newest WAL may end torn: that is what a crash leaves.
    Memtable recovered = memtables.track(Memtable.recover(FILE_SYSTEM, wal, OPTIONS, new SplittableRandom(1),
        false, true, batch -> true));
    assertEquals(expectedAfter(2), MemtableTest.dump(recovered));
  }

  @Test
  void aDamagedMiddleRecordIsCorruptionNotATornTail() throws IOException {
    Path original = directory.resolve("original.mem");
    long[] ends = writeBatches(original);
    byte[] bytes = Files.readAllBytes(original);
    int bodyStart = (int) ends[1] + WalFormat.RECORD_HEADER_LENGTH;
    int[] damagedOffsets = {
        (int) ends[1],                        // length
        (int) ends[1] + 3,                    // length, high byte: runs past the end
        (int) ends[1] + 5,                    // checksum
        bodyStart,                            // type
        bodyStart + 2,                        // first entry's meta
        (int) (ends[1] + ends[2]) / 2,        // somewhere in the big value
        (int) ends[2] - 1};                   // last byte of the record
    for (int offset : damagedOffsets) {
      byte[] damaged = bytes.clone();
      damaged[offset] ^= 0x10;
      Path wal = directory.resolve("flip-" + offset + ".mem");
      Files.write(wal, damaged);
      String context = "byte flipped at " + offset;
      for (boolean readOnly : new boolean[] {false, true}) {
        CorruptFileException e = assertThrows(CorruptFileException.class,
            () -> memtables.track(Memtable.recover(FILE_SYSTEM, wal, OPTIONS, new SplittableRandom(1), readOnly)),
            context);
        assertEquals(wal, e.file(), context);
        assertEquals(ends[1], e.offset(), context + ": names the damaged record");
        assertTrue(e.getMessage().contains("the record at offset " + ends[2]
            + " was written when the file was durable to " + ends[2]), e.getMessage());
      }
      assertEquals(bytes.length, Files.size(wal), context + ": nothing is truncated away");
    }
  }

  /**
   * A power loss can keep unsynced pages out of order: a damaged record followed by good ones
   * that were all written while the file was durable only before it is a torn tail, cut whole.
   */
  @Test
  void aDamagedUnsyncedRecordFollowedByGoodOnesIsATornTail() throws IOException {
    Path original = directory.resolve("unsynced.mem");
    long[] ends = writeBatches(original, false);
    byte[] bytes = Files.readAllBytes(original);
    for (int offset : new int[] {(int) ends[1], (int) ends[1] + 5, (int) (ends[1] + ends[2]) / 2}) {
      byte[] damaged = bytes.clone();
      damaged[offset] ^= 0x10;
      Path wal = directory.resolve("unsynced-flip-" + offset + ".mem");
      Files.write(wal, damaged);
      Memtable readOnly = memtables.track(Memtable.recover(FILE_SYSTEM, wal, OPTIONS,
          new SplittableRandom(1), true));
      assertEquals(expectedAfter(1), MemtableTest.dump(readOnly), "flipped at " + offset);
      assertEquals(bytes.length, Files.size(wal), "read-only: left as it is");
      Memtable recovered = memtables.track(Memtable.recover(FILE_SYSTEM, wal, OPTIONS,
          new SplittableRandom(1), false));
      assertEquals(expectedAfter(1), MemtableTest.dump(recovered), "flipped at " + offset);
      assertEquals(ends[1], Files.size(wal), "cut at the damaged record, the good ones after it too");
    }
    // Zeroed pages, as a lost page of an appended file reads, with the last record kept.
    byte[] zeroed = bytes.clone();
    Arrays.fill(zeroed, (int) ends[0], (int) ends[2], (byte) 0);
    Path wal = directory.resolve("zeroed.mem");
    Files.write(wal, zeroed);
    Memtable recovered = memtables.track(Memtable.recover(FILE_SYSTEM, wal, OPTIONS,
        new SplittableRandom(1), false));
    assertEquals(expectedAfter(0), MemtableTest.dump(recovered));
    assertEquals(ends[0], Files.size(wal));
  }

  /**
   * A transaction refused at replay (the value log lost its values) is cut with everything after
   * it only if it may have been unsynced; a synced one (a later record's durable offset passes it,
   * or a newer WAL follows) gets the caller's error instead, and nothing is cut.
   */
  @Test
  void aRefusedTransactionIsCutOnlyIfItMayHaveBeenUnsynced() throws IOException {
    java.util.function.Supplier<java.util.function.Predicate<List<KeyValue>>> refusingSecond =
        () -> {
          int[] seen = {0};
          return batch -> ++seen[0] != 2;
        };
    Memtable.SyncedRefusal refusal = (file, offset, evidence) ->
        new IOException("synced refusal at " + offset + ": " + evidence);
    Path unsynced = directory.resolve("refused-unsynced.mem");
    long[] ends = writeBatches(unsynced, false);
    Memtable cut = memtables.track(Memtable.recover(FILE_SYSTEM, unsynced, OPTIONS,
        new SplittableRandom(1), false, true, dev.sett.internal.codec.DataKeys.NONE,
        refusingSecond.get(),
        refusal));
    assertTrue(cut.replayRefused());
    assertEquals(expectedAfter(1), MemtableTest.dump(cut));
    assertEquals(ends[1], Files.size(unsynced));
    for (boolean newest : new boolean[] {true, false}) {
      Path synced = directory.resolve("refused-synced-" + newest + ".mem");
      long[] syncedEnds = writeBatches(synced, true);
      IOException e = assertThrows(IOException.class, () -> Memtable.recover(FILE_SYSTEM, synced,
          OPTIONS, new SplittableRandom(1), false, newest, dev.sett.internal.codec.DataKeys.NONE,
          refusingSecond.get(), refusal));
      assertTrue(e.getMessage().startsWith("synced refusal at " + syncedEnds[1]), e.getMessage());
      assertTrue(e.getMessage().contains(newest ? "durable to" : "a newer WAL follows"),
          e.getMessage());
      assertEquals(syncedEnds[3], Files.size(synced), "nothing is cut");
    }
  }

  /** A synced prefix, then an unsynced record: damage in the synced part is corruption. */
  @Test
  void damageBeforeTheLastSyncIsCorruptionAfterItATornTail() throws IOException {
    Path wal = directory.resolve("mixed.mem");
    Memtable memtable = memtables.track(Memtable.create(FILE_SYSTEM, wal, 11, OPTIONS,
        new SplittableRandom(1)));
    memtable.write(BATCHES.get(0));
    long first = memtable.walSize();
    memtable.write(BATCHES.get(1));
    long second = memtable.walSize();
    memtable.sync(); // durable to `second`: the next record says so
    memtable.write(BATCHES.get(2));
    memtable.closeWal();
    byte[] bytes = Files.readAllBytes(wal);
    for (long damagedRecord : new long[] {WalFormat.HEADER_LENGTH, first}) {
      byte[] damaged = bytes.clone();
      damaged[(int) damagedRecord + 5] ^= 0x01;
      Files.write(wal, damaged);
      CorruptFileException e = assertThrows(CorruptFileException.class,
          () -> Memtable.recover(FILE_SYSTEM, wal, OPTIONS, new SplittableRandom(1), false));
      assertEquals(damagedRecord, e.offset());
      assertTrue(e.getMessage().contains("durable to " + second), e.getMessage());
    }
  }

  @Test
  void aDamagedLastRecordIsATornTail() throws IOException {
    Path original = directory.resolve("original.mem");
    long[] ends = writeBatches(original);
    byte[] bytes = Files.readAllBytes(original);
    for (long offset = ends[2]; offset < ends[3]; offset += 7) {
      byte[] damaged = bytes.clone();
      damaged[(int) offset] ^= 0x04;
      Path wal = directory.resolve("flip-last-" + offset + ".mem");
      Files.write(wal, damaged);
      Memtable recovered = memtables.track(Memtable.recover(FILE_SYSTEM, wal, OPTIONS, new SplittableRandom(1),
          false));
      assertEquals(expectedAfter(2), MemtableTest.dump(recovered), "flipped at " + offset);
      assertEquals(ends[2], Files.size(wal));
    }
  }

  @Test
  void aReadOnlyRecoveryLeavesTheDamagedFileAlone() throws IOException {
    Path wal = directory.resolve("read-only.mem");
    long[] ends = writeBatches(wal);
    FILE_SYSTEM.truncate(wal, ends[3] - 3);
    Memtable recovered = memtables.track(Memtable.recover(FILE_SYSTEM, wal, OPTIONS, new SplittableRandom(1),
        true));
    assertEquals(expectedAfter(2), MemtableTest.dump(recovered));
    assertEquals(ends[3] - 3, Files.size(wal));
    assertEquals(ends[2], recovered.walSize());
  }

  @Test
  void recordsThatPassTheirChecksumButAreInvalidEndTheReplay() throws IOException {
    byte[] goodEntry = entryBytes(bytes("k"), 1, bytes("v"));
    assertDamage("record length 0 is out of range", new byte[8]);
    assertDamage("out of range", ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
        .putInt((256 << 20) + 1).putInt(0).array());
    assertDamage("runs past the end of the file", ByteBuffer.allocate(12)
        .order(ByteOrder.LITTLE_ENDIAN).putInt(100).array());
    assertDamage("cut short", new byte[] {1, 0, 0});
    assertDamage("unknown record type 2", record(concat(new byte[] {2, 0, 1}, goodEntry)));
    assertDamage("follow the last entry", record(concat(new byte[] {1, 0, 1}, goodEntry,
        new byte[] {0})));
    assertDamage("shorter than its version suffix", record(new byte[] {1, 0, 1, 0, 0, 0, 7,
        1, 2, 3, 4, 5, 6, 7, 0}));
    assertDamage("durable offset 200 lies past the record's own start", record(concat(
        new byte[] {1, (byte) 200, 1, 1}, goodEntry)));
    assertDamage("an entry count of 2 cannot fit", record(concat(new byte[] {1, 0, 2}, goodEntry)));
    assertDamage("entry 0: value length 1 runs past the end", record(concat(new byte[] {1, 0, 1},
        Arrays.copyOf(goodEntry, goodEntry.length - 1))));
    assertDamage("entry 1 is cut short", record(concat(new byte[] {1, 0, 2},
        entryBytes(bytes("k"), 1, new byte[12]))));
    assertDamage("varint longer than 10 bytes", record(concat(new byte[] {1, 0, 1, 0, 0},
        new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80,
            (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80})));
  }

  /** A WAL with one good record followed by {@code tail} stops after the good record. */
  private void assertDamage(String reason, byte[] tail) throws IOException {
    Path wal = directory.resolve("damage.mem");
    Files.deleteIfExists(wal);
    Memtable memtable = memtables.track(Memtable.create(FILE_SYSTEM, wal, 3, OPTIONS, new SplittableRandom(1)));
    memtable.write(List.of(entry("good", 1, "yes")));
    memtable.closeWal();
    long goodEnd = Files.size(wal);
    Files.write(wal, concat(Files.readAllBytes(wal), tail));
    try (WalReader reader = WalReader.open(FILE_SYSTEM, wal)) {
      assertEquals(1, reader.next().size());
      assertNull(reader.next());
      assertNull(reader.next());
      assertEquals(goodEnd, reader.validEnd());
      assertTrue(reader.damage().contains(reason), reader.damage() + " should say " + reason);
    }
  }

  @Test
  void aFileThatIsNotAWalIsRejectedClearly() throws IOException {
    assertCorrupt("magic", bytes("foo"));
    assertCorrupt("empty", new byte[0]);
    assertCorrupt("magic", bytes("SQLite format 3\0 and more bytes"));
    assertCorrupt("truncated", bytes("SWAL\1\0"));
    byte[] header = WalFormat.header(5);
    header[8] ^= 1;
    assertCorrupt("checksum", header);
  }

  @Test
  void anUnknownVersionIsUnsupportedNotCorrupt() throws IOException {
    for (int version : new int[] {0, 5}) { // 1 and 3 are plain, 2 and 4 encrypted
      byte[] header = WalFormat.header(5);
      header[4] = (byte) version;
      ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN).putInt(16, Crc32c.of(header, 0, 16));
      Path wal = directory.resolve("version-" + version + ".mem");
      Files.write(wal, header);
      UnsupportedFormatException e = assertThrows(UnsupportedFormatException.class,
          () -> memtables.track(Memtable.recover(FILE_SYSTEM, wal, OPTIONS, new SplittableRandom(1), false)));
      assertTrue(e.getMessage().contains(version == 0 ? "too old" : "newer"), e.getMessage());
    }
  }

  private void assertCorrupt(String reason, byte[] content) throws IOException {
    Path wal = directory.resolve("corrupt.mem");
    Files.write(wal, content);
    CorruptFileException e = assertThrows(CorruptFileException.class,
        () -> memtables.track(Memtable.recover(FILE_SYSTEM, wal, OPTIONS, new SplittableRandom(1), false)));
    assertEquals(0, e.offset());
    assertEquals(wal, e.file());
    assertTrue(e.getMessage().contains(reason), e.getMessage() + " should say " + reason);
    assertEquals(content.length, Files.size(wal), "a damaged header is never truncated away");
  }

  @Test
  void aFailedAppendIsRolledBackAndLaterWritesSurviveReplay() throws IOException {
    FaultInjectingFileSystem faulty = new FaultInjectingFileSystem(FILE_SYSTEM);
    Path wal = directory.resolve("faulty.mem");
    Memtable memtable = memtables.track(Memtable.create(faulty, wal, 1, OPTIONS, new SplittableRandom(1)));
    memtable.write(BATCHES.get(0));
    long walSize = memtable.walSize();
    faulty.tearNextWrite();
    assertThrows(IOException.class, () -> memtable.write(BATCHES.get(1)));
    assertEquals(walSize, memtable.walSize());
    assertEquals(walSize, Files.size(wal), "the half-written record was cut off");
    assertNull(memtable.get(bytes("c"), 9), "nothing of the failed batch is visible");
    memtable.write(BATCHES.get(2));
    memtable.closeWal();

    Memtable recovered = memtables.track(Memtable.recover(faulty, wal, OPTIONS, new SplittableRandom(1), false));
    assertEquals(MemtableTest.dump(memtable), MemtableTest.dump(recovered));
    assertEquals(3, recovered.maxVersion());
    assertEquals(4, recovered.entryCount());
  }

  @Test
  void aWalThatCannotBeRolledBackRefusesFurtherAppends() throws IOException {
    FaultInjectingFileSystem faulty = new FaultInjectingFileSystem(FILE_SYSTEM);
    AtomicBoolean failTruncate = new AtomicBoolean();
    faulty.before(Call.TRUNCATE, (path, size) -> {
      if (failTruncate.get()) {
        throw new IOException("injected truncate failure");
      }
    });
    Path wal = directory.resolve("stuck.mem");
    Memtable memtable = memtables.track(Memtable.create(faulty, wal, 1, OPTIONS, new SplittableRandom(1)));
    memtable.write(BATCHES.get(0));
    faulty.tearNextWrite();
    failTruncate.set(true);
    IOException first = assertThrows(IOException.class, () -> memtable.write(BATCHES.get(1)));
    assertEquals("injected truncate failure", first.getSuppressed()[0].getMessage());
    IOException second = assertThrows(IOException.class, () -> memtable.write(BATCHES.get(2)));
    assertTrue(second.getMessage().contains("refuses appends"), second.getMessage());
    assertNull(memtable.get(bytes("f"), 9));
    memtable.closeWal();

    Memtable recovered = memtables.track(Memtable.recover(faulty, wal, OPTIONS, new SplittableRandom(1), false));
    assertEquals(expectedAfter(1), MemtableTest.dump(recovered));
  }

  private static String describeFully(KeyValue entry) {
    ValueStruct value = entry.value();
    return InternalKey.toString(entry.key()) + " meta=" + value.meta() + " userMeta="
        + value.userMeta() + " expiresAt=" + value.expiresAt() + " version=" + value.version()
        + " value=" + Arrays.hashCode(value.value()) + "/" + value.value().length;
  }

  private static byte[] entryBytes(byte[] userKey, long version, byte[] value) {
    byte[] key = InternalKey.of(userKey, version);
    return concat(new byte[] {0, 0, 0, (byte) key.length}, key, new byte[] {(byte) value.length},
        value);
  }

  /** A record with a correct checksum around {@code body}. */
  private static byte[] record(byte[] body) {
    ByteBuffer record = ByteBuffer.allocate(8 + body.length).order(ByteOrder.LITTLE_ENDIAN);
    record.putInt(body.length).putInt(0).put(body);
    byte[] checksummed = concat(Arrays.copyOf(record.array(), 4), body);
    record.putInt(4, Crc32c.of(checksummed));
    return record.array();
  }

  private static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] part : parts) {
      length += part.length;
    }
    ByteBuffer out = ByteBuffer.allocate(length);
    for (byte[] part : parts) {
      out.put(part);
    }
    return out.array();
  }
}
