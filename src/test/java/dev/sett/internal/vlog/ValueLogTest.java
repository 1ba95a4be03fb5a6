package dev.sett.internal.vlog;

import static dev.sett.internal.vlog.ValueLogTestSupport.entry;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.fs.InMemoryFileSystem;
import dev.sett.internal.key.KeyValue;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The value log manager: files, rotation, reads, deletion and what open finds. */
class ValueLogTest {
  private static final Path DIR = Path.of("/db");
  private static final ValueLogOptions OPTIONS = new ValueLogOptions(4096, 1000, true, false);

  private final InMemoryFileSystem fileSystem = new InMemoryFileSystem();

  private ValueLog open(Set<Long> deleted) throws IOException {
    fileSystem.createDirectories(DIR);
    return ValueLog.open(fileSystem, DIR, OPTIONS, deleted);
  }

  private static List<KeyValue> txn(int n, int size) {
    List<KeyValue> entries = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      entries.add(entry("k" + i, 5, "v".repeat(size)));
    }
    return entries;
  }

  @Test
  void transactionsNeverSpanFilesAndEveryPointerReadsBack() throws IOException {
    List<ValuePointer> pointers = new ArrayList<>();
    List<KeyValue> written = new ArrayList<>();
    try (ValueLog log = open(Set.of())) {
      assertEquals(1, log.activeFileId());
      for (int t = 0; t < 20; t++) {
        List<KeyValue> entries = txn(3, 300);
        List<ValuePointer> got = log.append(entries);
        assertEquals(1, got.stream().map(ValuePointer::fileId).distinct().count(),
            "one transaction, one file: " + got);
        pointers.addAll(got);
        written.addAll(entries);
      }
      assertTrue(log.files().size() >= 5, "4 KiB files rotate: " + log.files());
      assertEquals(log.files().stream().mapToLong(ValueLog.FileInfo::size).sum(),
          log.totalBytes());
      for (int i = 0; i < pointers.size(); i++) {
        ValueLogTestSupport.assertRecord(written.get(i), pointers.get(i), log.read(pointers.get(i)));
      }
      log.verifyChecksums();
    }
    try (ValueLog reopened = open(Set.of())) {
      long last = pointers.get(pointers.size() - 1).fileId();
      assertEquals(last + 1, reopened.activeFileId(), "a reopened log starts a new file");
      assertEquals(new ValueLog.Recovery(last, pointers.get(pointers.size() - 1).end()),
          reopened.recovery());
      ValueLogTestSupport.assertRecord(written.get(0), pointers.get(0), reopened.read(pointers.get(0)));
    }
  }

  @org.junit.jupiter.api.io.TempDir
  Path tempDir;

  @Test
  void theActiveFileIsReadThroughMappingsThatFollowItsGrowth() throws IOException {
    readsFollowTheActiveFile(fileSystem, DIR);
  }

  @Test
  void theActiveFileIsReadThroughMappingsThatFollowItsGrowthOnDisk() throws IOException {
    readsFollowTheActiveFile(dev.sett.internal.fs.FileSystem.defaultFileSystem(), tempDir);
  }

  private static void readsFollowTheActiveFile(dev.sett.internal.fs.FileSystem fileSystem,
      Path dir) throws IOException {
    fileSystem.createDirectories(dir);
    List<ValuePointer> pointers = new ArrayList<>();
    List<KeyValue> written = new ArrayList<>();
    try (ValueLog log = ValueLog.open(fileSystem, dir,
        new ValueLogOptions(256L << 20, 1_000_000, true, false), Set.of())) {
      // 40 MiB in the one active file: two remaps, and reads before, between and after them.
      for (int t = 0; t < 400; t++) {
        List<KeyValue> entries = txn(10, 10_000);
        pointers.addAll(log.append(entries));
        written.addAll(entries);
        int probe = (t * 7919) % pointers.size();
        ValueLogTestSupport.assertRecord(written.get(probe), pointers.get(probe),
            log.read(pointers.get(probe)));
      }
      assertEquals(1, log.files().size());
      for (int i = 0; i < pointers.size(); i += 13) {
        ValueLogTestSupport.assertRecord(written.get(i), pointers.get(i), log.read(pointers.get(i)));
      }
      log.verifyChecksums();
    }
  }

  @Test
  void aDeletedFileReadsAsGoneAndIsRemembered() throws IOException {
    try (ValueLog log = open(Set.of())) {
      ValuePointer pointer = log.append(txn(1, 100)).get(0);
      log.rotate();
      assertThrows(IllegalArgumentException.class, () -> log.delete(log.activeFileId()));
      log.delete(pointer.fileId());
      assertNull(log.read(pointer), "gone, so the caller looks the key up again");
      assertTrue(log.wasDeleted(pointer.fileId()));
      assertFalse(fileSystem.exists(log.path(pointer.fileId())));
    }
  }

  @Test
  void openDeletesFilesTheManifestRecordsAsDeletedAndNeverReusesTheirIds() throws IOException {
    try (ValueLog log = open(Set.of())) {
      log.append(txn(1, 100));
      log.rotate();
      log.append(txn(1, 100));
    }
    try (ValueLog log = open(Set.of(1L, 2L, 7L))) {
      assertFalse(fileSystem.exists(DIR.resolve("000001.vlog")));
      assertEquals(8, log.activeFileId(), "ids above every deleted one");
      assertTrue(log.wasDeleted(7));
    }
  }

  @Test
  void deleteAllLeavesOneFreshFile() throws IOException {
    try (ValueLog log = open(Set.of())) {
      for (int i = 0; i < 10; i++) {
        log.append(txn(2, 500));
      }
      List<Long> deleted = log.deleteAll();
      assertTrue(deleted.size() > 1);
      assertEquals(1, log.files().size());
      assertEquals(ValueLogFormat.HEADER_LENGTH, log.totalBytes());
      assertTrue(log.activeFileId() > deleted.get(deleted.size() - 1));
    }
  }

  @Test
  void aReadOnlyLogWritesNothing() throws IOException {
    try (ValueLog log = open(Set.of())) {
      log.append(txn(1, 100));
    }
    fileSystem.createDirectories(DIR);
    try (ValueLog log = ValueLog.open(fileSystem, DIR,
        new ValueLogOptions(4096, 1000, true, true), Set.of())) {
      assertEquals(0, log.activeFileId());
      assertThrows(IllegalStateException.class, () -> log.append(txn(1, 1)));
      assertEquals(1, log.files().size());
    }
  }

  /**
   * Readers of the file being appended to never see it vanish when the writer seals it: rotate
   * swaps in the sealed mapping and releases the appending file, and a reader that looked the old
   * one up just before must read through the new one instead of reporting the file missing.
   */
  @Test
  void readsOfTheActiveFileSurviveItsRotation() throws Exception {
    try (ValueLog log = open(Set.of())) {
      java.util.concurrent.atomic.AtomicReference<ValuePointer> latest =
          new java.util.concurrent.atomic.AtomicReference<>();
      java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
      java.util.concurrent.atomic.AtomicReference<String> failure =
          new java.util.concurrent.atomic.AtomicReference<>();
      java.util.concurrent.atomic.AtomicLong reads = new java.util.concurrent.atomic.AtomicLong();
      latest.set(log.append(txn(1, 100)).get(0));
      Thread[] readers = new Thread[2];
      for (int r = 0; r < readers.length; r++) {
        readers[r] = new Thread(() -> {
          try {
            while (!stop.get()) {
              ValuePointer pointer = latest.get();
              if (log.read(pointer) == null) {
                failure.compareAndSet(null, "read of " + pointer + " found no file");
              }
              reads.incrementAndGet();
            }
          } catch (IOException | RuntimeException e) {
            failure.compareAndSet(null, e.toString());
          }
        });
        readers[r].start();
      }
      for (int round = 0; round < 2_000 && failure.get() == null; round++) {
        latest.set(log.append(txn(1, 100)).get(0));
        log.rotate(); // the file just read from is sealed and replaced
      }
      stop.set(true);
      for (Thread reader : readers) {
        reader.join();
      }
      assertEquals(null, failure.get(), "after " + reads.get() + " reads");
    }
  }

  /**
   * The active file is sealed and replaced by its mapping both when it fills ({@code rotate}) and
   * when a compaction reserves an id for relocated values ({@code reserveFileId}); a pinned read
   * of the old reader racing either must finish on it or move to the mapping, never meet a closed
   * file (a reserved id once released the old reader under pinned reads).
   */
  @Test
  void readsOfTheActiveFileRacingItsSealingNeverMeetAClosedFile() throws Exception {
    dev.sett.internal.fs.FileSystem disk = dev.sett.internal.fs.FileSystem.defaultFileSystem();
    AtomicReference<ValuePointer> latest = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicBoolean stop = new AtomicBoolean();
    byte[] key = dev.sett.testing.Bytes.bytes("key");
    String value = "v".repeat(200);
    try (ValueLog log = ValueLog.open(disk, tempDir, new ValueLogOptions(1 << 20, 1 << 20, true,
        false), Set.of())) {
      List<Thread> readers = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        Thread reader = new Thread(() -> {
          try {
            while (!stop.get()) {
              ValuePointer pointer = latest.get();
              if (pointer != null) {
                assertArrayEquals(dev.sett.testing.Bytes.bytes(value),
                    log.readValue(pointer, key, 5), "at " + pointer);
              }
            }
          } catch (Throwable t) {
            failure.compareAndSet(null, t);
          }
        });
        reader.start();
        readers.add(reader);
      }
      try {
        for (int round = 0; round < 3_000 && failure.get() == null; round++) {
          latest.set(log.append(List.of(entry("key", 5, value))).get(0));
          if (round % 2 == 0) {
            log.rotate();
          } else {
            log.reserveFileId();
          }
        }
      } finally {
        stop.set(true);
        for (Thread reader : readers) {
          reader.join();
        }
      }
    }
    if (failure.get() != null) {
      throw new AssertionError("a read failed", failure.get());
    }
  }
}
