package dev.sett;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.testing.ManualClock;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Encryption at rest seen from the API: no user key or value in plaintext in any file, round trips
 * through every path that writes files, data key rotation, and refused opens that change nothing.
 */
class EncryptionTest {
  private static final byte[] KEY = fill(32, 7);
  private static final byte[] OTHER_KEY = fill(32, 8);
  private static final String KEY_MARKER = "PLAINKEYMARK";
  private static final String VALUE_MARKER = "PLAINVALUEMARK";

  @TempDir
  Path dir;

  private static byte[] fill(int length, int seed) {
    byte[] key = new byte[length];
    new Random(seed).nextBytes(key);
    return key;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] keyOf(int i) {
    return bytes(KEY_MARKER + "-" + i);
  }

  /** Small values stay in the LSM tree, every fourth goes to the value log. */
  private static byte[] valueOf(int i) {
    String text = VALUE_MARKER + "-" + i + ";";
    int length = i % 4 == 0 ? 2048 : 40;
    StringBuilder value = new StringBuilder();
    while (value.length() < length) {
      value.append(text);
    }
    return bytes(value.substring(0, length));
  }

  private Options.Builder small(Path directory, byte[] key) {
    return Options.builder(directory).memTableSize(1 << 20).baseTableSize(256 << 10)
        .baseLevelSize(1 << 20).valueLogFileSize(1 << 20).numLevelZeroTables(2)
        .numLevelZeroTablesStall(4).valueThreshold(1024).autoValueLogGC(false)
        .encryptionKey(key);
  }

  private static void write(DB db, int from, int to) {
    for (int start = from; start < to; start += 100) {
      int end = Math.min(to, start + 100);
      int first = start;
      db.update(txn -> {
        for (int i = first; i < end; i++) {
          txn.set(keyOf(i), valueOf(i));
        }
      });
    }
  }

  private static void checkAll(DB db, int count) {
    for (int i = 0; i < count; i++) {
      assertArrayEquals(valueOf(i), db.get(keyOf(i)), "key " + i);
    }
  }

  /** Every regular file of {@code directory}: name and bytes. */
  private static Map<String, byte[]> snapshot(Path directory) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> list = Files.list(directory)) {
      for (Path file : (Iterable<Path>) list::iterator) {
        if (Files.isRegularFile(file)) {
          files.put(file.getFileName().toString(), Files.readAllBytes(file));
        }
      }
    }
    return files;
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  /** The files of {@code directory} that hold a marker in plaintext; prints what it scanned. */
  private static List<String> plaintextFiles(Path directory, String when) throws IOException {
    List<String> found = new ArrayList<>();
    long bytes = 0;
    Map<String, byte[]> files = snapshot(directory);
    for (Map.Entry<String, byte[]> file : files.entrySet()) {
      bytes += file.getValue().length;
      if (contains(file.getValue(), bytes(KEY_MARKER)) || contains(file.getValue(),
          bytes(VALUE_MARKER))) {
        found.add(file.getKey());
      }
    }
    System.out.printf("plaintext scan (%s): %d files, %d bytes scanned, markers in %s%n", when,
        files.size(), bytes, found);
    return found;
  }

  @Test
  void noUserKeyOrValueIsInPlaintextInAnyFile() throws IOException {
    try (DB db = DB.open(small(dir, KEY).build())) {
      write(db, 0, 6000);
      db.flatten(1);
      db.update(txn -> {
        for (int i = 0; i < 3000; i += 2) {
          txn.delete(keyOf(i));
        }
      });
      write(db, 0, 3000); // rewrites: the value log has garbage to collect
      db.runValueLogGC(0.1);
      write(db, 6000, 6300); // still in the WAL when scanned
      List<String> open = plaintextFiles(dir, "open store");
      assertEquals(List.of(), open, "files holding a user key or value in plaintext");
      checkAll(db, 6300);
    }
    assertEquals(List.of(), plaintextFiles(dir, "closed store"));
    try (DB db = DB.open(small(dir, KEY).build())) {
      checkAll(db, 6300);
    }
    assertTrue(Files.exists(dir.resolve("KEYREGISTRY")));
  }

  @Test
  void aStreamWriterBulkLoadIntoAnEncryptedStoreLeavesNoPlaintextAndReadsBack() throws IOException {
    int count = 5000;
    TreeMap<byte[], byte[]> sorted = new TreeMap<>(Arrays::compareUnsigned);
    for (int i = 0; i < count; i++) {
      sorted.put(keyOf(i), valueOf(i));
    }
    try (DB db = DB.open(small(dir, KEY).build());
        StreamWriter writer = db.newStreamWriter()) {
      writer.prepare();
      List<KV> batch = new ArrayList<>();
      for (Map.Entry<byte[], byte[]> entry : sorted.entrySet()) {
        batch.add(new KV(entry.getKey(), entry.getValue(), (byte) 0, 1, 0, false));
        if (batch.size() == 250) {
          writer.write(batch);
          batch = new ArrayList<>();
        }
      }
      writer.write(batch);
      writer.flush();
      checkAll(db, count);
    }
    assertEquals(List.of(), plaintextFiles(dir, "store bulk-loaded by a StreamWriter"));
    assertTrue(Files.exists(dir.resolve("KEYREGISTRY")));
    try (DB db = DB.open(small(dir, KEY).build())) {
      checkAll(db, count);
      int seen = 0;
      try (Txn txn = db.newTransaction(false);
          DbIterator it = txn.newIterator(IteratorOptions.builder().build())) {
        for (it.rewind(); it.valid(); it.next()) {
          seen++;
        }
      }
      assertEquals(count, seen, "keys iterated after reopening");
    }
  }

  @Test
  void theSameWorkloadWithoutAKeyLeavesMarkersTheScanFinds() throws IOException {
    try (DB db = DB.open(small(dir, null).build())) {
      write(db, 0, 2000);
      db.flatten(1);
      write(db, 2000, 2100);
      assertFalse(plaintextFiles(dir, "plain store, the scan's control").isEmpty());
    }
    assertFalse(Files.exists(dir.resolve("KEYREGISTRY")));
  }

  @Test
  void everyWritePathRoundTripsThroughReopenBackupLoadAndStream() throws IOException {
    ByteArrayOutputStream backup = new ByteArrayOutputStream();
    try (DB db = DB.open(small(dir, KEY).build())) {
      write(db, 0, 3000);
      db.flatten(1);
      write(db, 0, 1000);
      assertTrue(db.runValueLogGC(0.01) || true); // GC may or may not find a file worth it
      db.verifyChecksum();
      db.backup(backup, 0);
    }
    try (DB db = DB.open(small(dir, KEY).build())) {
      checkAll(db, 3000);
      db.verifyChecksum();
      List<KV> streamed = new ArrayList<>();
      db.newStream().send(batch -> {
        synchronized (streamed) {
          streamed.addAll(batch);
        }
      }).orchestrate();
      assertEquals(3000, streamed.size());
    }
    Path loaded = dir.resolve("loaded");
    try (DB db = DB.open(small(loaded, OTHER_KEY).build())) {
      db.load(new ByteArrayInputStream(backup.toByteArray()), 16);
      checkAll(db, 3000);
    }
    try (DB db = DB.open(small(loaded, OTHER_KEY).build())) {
      checkAll(db, 3000);
    }
    assertEquals(List.of(), plaintextFiles(loaded, "loaded from a backup"));
  }

  @Test
  void dataKeysRotateAndOldOnesStayReadable() throws IOException {
    ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z").toEpochMilli());
    Options.Builder options = small(dir, KEY).encryptionKeyRotation(Duration.ofHours(1))
        .clock(clock);
    try (DB db = DB.open(options.build())) {
      write(db, 0, 1500);
      for (int round = 1; round <= 3; round++) {
        clock.advance(Duration.ofHours(2).toMillis());
        write(db, 1500 * round, 1500 * (round + 1)); // fills memtables: new WALs, tables, logs
      }
      checkAll(db, 6000);
    }
    byte[] registry = Files.readAllBytes(dir.resolve("KEYREGISTRY"));
    int keys = dev.sett.internal.codec.KeyRegistry.decode(registry, KEY,
        dir.resolve("KEYREGISTRY")).size();
    assertTrue(keys >= 3, "data keys after three rotation periods: " + keys);
    try (DB db = DB.open(options.build())) {
      checkAll(db, 6000);
      db.flatten(1); // compaction rewrites old tables under the newest key
      checkAll(db, 6000);
    }
  }

  @Test
  void refusedOpensChangeNothing() throws IOException {
    Path plain = dir.resolve("plain");
    Path encrypted = dir.resolve("encrypted");
    try (DB db = DB.open(small(plain, null).build())) {
      write(db, 0, 500);
    }
    try (DB db = DB.open(small(encrypted, KEY).build())) {
      write(db, 0, 500);
    }
    Map<String, byte[]> plainBefore = snapshot(plain);
    Map<String, byte[]> encryptedBefore = snapshot(encrypted);

    SettException wrongKey = assertThrows(SettException.class,
        () -> DB.open(small(encrypted, OTHER_KEY).build()));
    assertInstanceOf(EncryptionKeyMismatchException.class, wrongKey);
    SettException shorterKey = assertThrows(SettException.class,
        () -> DB.open(small(encrypted, Arrays.copyOf(KEY, 16)).build()));
    assertInstanceOf(EncryptionKeyMismatchException.class, shorterKey);
    SettException noKey = assertThrows(SettException.class,
        () -> DB.open(small(encrypted, null).build()));
    assertTrue(noKey.getMessage().contains("encrypted"), noKey.getMessage());
    SettException plainWithKey = assertThrows(SettException.class,
        () -> DB.open(small(plain, KEY).build()));
    assertTrue(plainWithKey.getMessage().contains("not encrypted"), plainWithKey.getMessage());

    assertSameFiles(plainBefore, snapshot(plain));
    assertSameFiles(encryptedBefore, snapshot(encrypted));
    try (DB db = DB.open(small(encrypted, KEY).build())) {
      checkAll(db, 500);
    }
  }

  @Test
  void aKeyOfAnotherLengthIsRefused() {
    for (int length : new int[] {1, 15, 17, 31, 33, 64}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> Options.builder(dir).encryptionKey(new byte[length]).build());
      assertTrue(e.getMessage().startsWith("encryptionKey"), e.getMessage());
    }
    for (int length : new int[] {16, 24, 32}) {
      assertEquals(length, Options.builder(dir).encryptionKey(new byte[length]).build()
          .encryptionKey().length);
    }
  }

  @Test
  void everyAesKeyLengthWorks() throws IOException {
    for (int length : new int[] {16, 24}) {
      Path store = dir.resolve("aes" + length * 8);
      try (DB db = DB.open(small(store, fill(length, length)).build())) {
        write(db, 0, 2000);
        db.flatten(1);
      }
      try (DB db = DB.open(small(store, fill(length, length)).build())) {
        checkAll(db, 2000);
      }
      assertEquals(List.of(), plaintextFiles(store, "AES-" + length * 8));
    }
  }

  private static void assertSameFiles(Map<String, byte[]> before, Map<String, byte[]> after) {
    assertEquals(before.keySet(), after.keySet(), "file names");
    for (String name : before.keySet()) {
      assertArrayEquals(before.get(name), after.get(name), name + " changed");
    }
  }
}
