package dev.sett;

import static dev.sett.testing.Bytes.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.backup.BackupReader;
import dev.sett.internal.backup.BackupWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DB#backup} and {@link DB#load}: round trips keep every version and attribute, an
 * incremental chain restores the source, the timestamps move past what was loaded, and a damaged
 * stream loads what came before it and leaves a store that reopens.
 */
class BackupLoadTest {
  @TempDir
  Path dir;

  private Options.Builder options(String name) {
    // Small memtables and a low threshold: the data spans tables, memtables and the value log.
    return Options.builder(dir.resolve(name)).memTableSize(256 << 10).valueThreshold(64)
        .numVersionsToKeep(Integer.MAX_VALUE);
  }

  /** Random sets, overwrites, TTLs, user meta, deletes and discard markers, checked against a model. */
  private static TreeMap<String, String> fill(DB db, SplittableRandom random, int rounds,
      TreeMap<String, String> model) {
    HexFormat hex = HexFormat.of();
    long now = System.currentTimeMillis() / 1000;
    for (int round = 0; round < rounds; round++) {
      db.update(txn -> {
        for (int i = 0; i < 40; i++) {
          byte[] key = ("key" + random.nextInt(300)).getBytes(StandardCharsets.UTF_8);
          byte[] value = new byte[random.nextInt(4) == 0 ? 200 + random.nextInt(2000) : random.nextInt(60)];
          random.nextBytes(value);
          String k = hex.formatHex(key);
          int op = random.nextInt(100);
          if (op < 10) {
            txn.delete(key);
            model.remove(k);
          } else if (op < 15) {
            txn.setEntry(Entry.of(key, value).withExpiresAt(now - 10)); // already expired
            model.remove(k);
          } else if (op < 20) {
            byte userMeta = (byte) (1 + random.nextInt(200));
            txn.setEntry(Entry.of(key, value).withUserMeta(userMeta).withTtl(Duration.ofDays(365)));
            model.put(k, hex.formatHex(value) + "\t" + (userMeta & 0xFF));
          } else if (op < 25) {
            txn.setEntry(Entry.of(key, value).withDiscardEarlierVersions());
            model.put(k, hex.formatHex(value) + "\t0");
          } else {
            txn.set(key, value);
            model.put(k, hex.formatHex(value) + "\t0");
          }
        }
      });
    }
    return model;
  }

  /** The live state without versions and expiry: what the model predicts. */
  private static List<String> modelView(List<String> liveState) {
    List<String> out = new ArrayList<>();
    for (String line : liveState) {
      String[] f = line.split("\t", -1);
      out.add(f[0] + "\t" + f[2] + "\t" + f[3]);
    }
    return out;
  }

  private static List<String> modelLines(TreeMap<String, String> model) {
    List<String> out = new ArrayList<>();
    model.forEach((k, v) -> out.add(k + "\t" + v));
    return out;
  }

  @Test
  void aRoundTripKeepsEveryVersionAndAttribute() {
    long seed = new SplittableRandom().nextLong();
    System.out.println("BackupLoadTest.aRoundTripKeepsEveryVersionAndAttribute seed " + seed);
    SplittableRandom random = new SplittableRandom(seed);
    byte[] backup;
    List<String> sourceLive;
    long sourceMax;
    try (DB source = DB.open(options("source").build())) {
      TreeMap<String, String> model = fill(source, random, 60, new TreeMap<>());
      sourceLive = BackupSupport.liveState(source);
      assertEquals(modelLines(model), modelView(sourceLive), "seed " + seed);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      long written = source.backup(out, 0);
      backup = out.toByteArray();
      sourceMax = source.maxVersion();
      assertEquals(sourceMax, written, "the newest commit is live or a tombstone: it is written");
    }
    try (DB target = DB.open(options("target").valueThreshold(1 << 10).build())) {
      target.load(new ByteArrayInputStream(backup), 4);
      assertEquals(sourceLive, BackupSupport.liveState(target), "seed " + seed);
      assertArrayEquals(backup, BackupSupport.backup(target, 0),
          "a backup of the restored store is the same backup; seed " + seed);
      assertEquals(sourceMax, target.maxVersion());
    }
    try (DB reopened = DB.open(options("target").build())) {
      assertEquals(sourceLive, BackupSupport.liveState(reopened), "seed " + seed);
    }
  }

  @Test
  void aBackupStopsAtTombstonesAndDiscardMarkers() throws IOException {
    byte[] key = "k".getBytes(StandardCharsets.UTF_8);
    byte[] other = "m".getBytes(StandardCharsets.UTF_8);
    List<BackupReader.Record> records;
    try (DB db = DB.open(options("source").build())) {
      db.put(key, bytes("v1"));                                             // 1
      db.put(key, bytes("v2"));                                             // 2
      db.update(txn -> txn.setEntry(Entry.of(key, bytes("v3")).withDiscardEarlierVersions())); // 3
      db.put(key, bytes("v4"));                                             // 4
      db.put(other, bytes("o1"));                                           // 5
      db.delete(other);                                                     // 6
      db.put(other, bytes("o3"));                                           // 7
      byte[] expiring = bytes("x");
      db.put(expiring, bytes("x1"));                                        // 8
      db.update(txn -> txn.setEntry(Entry.of(expiring, bytes("x2")).withExpiresAt(1000))); // 9
      db.put(expiring, bytes("x3"));                                        // 10
      records = read(BackupSupport.backup(db, 0));
      assertEquals(List.of("k@4", "m@7", "m@6", "x@10", "x@9"), read(BackupSupport.backup(db, 3)).stream()
          .map(r -> new String(r.key(), StandardCharsets.UTF_8) + "@" + r.version()).toList(),
          "since 3: the versions above it");
    }
    List<String> seen = new ArrayList<>();
    for (BackupReader.Record r : records) {
      seen.add(new String(r.key(), StandardCharsets.UTF_8) + "@" + r.version() + " meta="
          + r.meta() + " " + new String(r.value(), StandardCharsets.UTF_8));
    }
    assertEquals(List.of("k@4 meta=0 v4", "k@3 meta=4 v3", "k@2 meta=1 ", "m@7 meta=0 o3",
        "m@6 meta=1 ", "x@10 meta=0 x3", "x@9 meta=0 "), seen);
    assertEquals(1000, records.get(records.size() - 1).expiresAt(), "expired: no value, its expiry");
  }

  @Test
  void anIncrementalChainRestoresTheSource() {
    long seed = new SplittableRandom().nextLong();
    System.out.println("BackupLoadTest.anIncrementalChainRestoresTheSource seed " + seed);
    SplittableRandom random = new SplittableRandom(seed);
    List<byte[]> chain = new ArrayList<>();
    List<String> sourceLive;
    try (DB source = DB.open(options("source").build())) {
      TreeMap<String, String> model = new TreeMap<>();
      long since = 0;
      for (int step = 0; step < 3; step++) {
        fill(source, random, 20, model);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long next = source.backup(out, since);
        assertTrue(next > since, "seed " + seed);
        since = next;
        chain.add(out.toByteArray());
      }
      ByteArrayOutputStream empty = new ByteArrayOutputStream();
      assertEquals(since, source.backup(empty, since), "nothing new: since comes back");
      assertEquals(0, empty.size());
      sourceLive = BackupSupport.liveState(source);
      assertEquals(modelLines(model), modelView(sourceLive), "seed " + seed);
    }
    try (DB target = DB.open(options("target").build())) {
      for (byte[] backup : chain) {
        target.load(new ByteArrayInputStream(backup), 1);
      }
      assertEquals(sourceLive, BackupSupport.liveState(target), "seed " + seed);
    }
  }

  @Test
  void commitsAfterALoadAreNewerThanEverythingLoaded() {
    byte[] backup;
    try (DB source = DB.open(options("source").build())) {
      for (int i = 0; i < 500; i++) {
        source.put(bytes("key" + i), bytes("old" + i));
      }
      backup = BackupSupport.backup(source, 0);
    }
    try (DB target = DB.open(options("target").build())) {
      target.put(bytes("key7"), bytes("before")); // version 1, older than the loaded key7@8
      target.load(new ByteArrayInputStream(backup), 2);
      assertEquals("old7", string(target.get(bytes("key7"))));
      target.put(bytes("key7"), bytes("after"));
      assertEquals("after", string(target.get(bytes("key7"))));
      try (Txn txn = target.newTransaction(false)) {
        assertEquals(501, txn.get(bytes("key7")).version());
      }
    }
  }

  @Test
  void aTruncatedBackupLoadsWhatCameBeforeAndTheStoreReopens() throws IOException {
    byte[] backup;
    try (DB source = DB.open(options("source").build())) {
      SplittableRandom random = new SplittableRandom(7);
      WriteBatch batch = source.newWriteBatch();
      for (int i = 0; i < 3000; i++) {
        byte[] value = new byte[4000];
        random.nextBytes(value);
        batch.set(bytes(String.format("key%05d", i)), value);
      }
      batch.flush();
      backup = BackupSupport.backup(source, 0);
    }
    // Frames of 4 MiB: the 12 MB backup has three, cut inside the third.
    List<Long> frameStarts = new ArrayList<>();
    List<BackupReader.Record> firstTwo = new ArrayList<>();
    BackupReader reader = new BackupReader(new ByteArrayInputStream(backup), Path.of("x"));
    for (List<BackupReader.Record> frame; (frame = reader.nextFrame()) != null; ) {
      frameStarts.add(reader.frameOffset());
      if (frameStarts.size() <= 2) {
        firstTwo.addAll(frame);
      }
      // Streaming: a frame is written once 4 MiB are gathered, so none holds more than that
      // and one record.
      assertTrue(reader.offset() - reader.frameOffset() <= BackupWriter.DEFAULT_FRAME_BYTES + 4100,
          "frame of " + (reader.offset() - reader.frameOffset()) + " bytes");
    }
    assertTrue(frameStarts.size() >= 3, "frames: " + frameStarts);
    byte[] truncated = Arrays.copyOf(backup, (int) (frameStarts.get(2) + 1000));
    Path file = dir.resolve("truncated.backup");
    Files.write(file, truncated);
    try (DB target = DB.open(options("target").build());
        InputStream in = Files.newInputStream(file)) {
      CorruptionException e = assertThrows(CorruptionException.class, () -> target.load(in, 2));
      assertEquals((long) frameStarts.get(2), e.offset(), e.getMessage());
      assertTrue(e.getMessage().contains("offset " + frameStarts.get(2)), e.getMessage());
    }
    try (DB reopened = DB.open(options("target").build())) {
      List<String> live = BackupSupport.liveState(reopened);
      assertEquals(firstTwo.size(), live.size());
      for (int i = 0; i < firstTwo.size(); i++) {
        BackupReader.Record r = firstTwo.get(i);
        assertEquals(HexFormat.of().formatHex(r.key()) + "\t" + r.version() + "\t"
            + HexFormat.of().formatHex(r.value()) + "\t0\t0", live.get(i));
      }
      reopened.put(bytes("zzz"), bytes("new"));
      assertEquals("new", string(reopened.get(bytes("zzz"))));
      reopened.verifyChecksum();
    }
  }

  @Test
  void aDamagedFrameIsReportedAtItsOffset() throws IOException {
    byte[] backup;
    try (DB source = DB.open(options("source").build())) {
      source.put(bytes("a"), bytes("1"));
      backup = BackupSupport.backup(source, 0);
    }
    byte[] damaged = Arrays.copyOf(backup, backup.length * 2);
    System.arraycopy(backup, 0, damaged, backup.length, backup.length);
    damaged[backup.length + 8] = (byte) 0xFF; // the second frame's payload no longer parses
    try (DB target = DB.open(options("target").build())) {
      CorruptionException e = assertThrows(CorruptionException.class,
          () -> target.load(new ByteArrayInputStream(damaged), 4));
      assertEquals(backup.length, e.offset());
      assertEquals("1", string(target.get(bytes("a"))), "the first frame is loaded");
    }
  }

  @Test
  void badArgumentsAndRecordsSettCannotHoldAreRefused() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BackupWriter writer = new BackupWriter(out);
    writer.add(bytes("!sett!internal"), bytes("x"), (byte) 0, 3, 0, (byte) 0);
    writer.finish();
    try (DB db = DB.open(options("db").build())) {
      assertThrows(IllegalArgumentException.class,
          () -> db.load(new ByteArrayInputStream(new byte[0]), 0));
      assertThrows(IllegalArgumentException.class, () -> db.backup(new ByteArrayOutputStream(), -1));
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> db.load(new ByteArrayInputStream(out.toByteArray()), 1));
      assertTrue(e.getMessage().contains("offset 0"), e.getMessage());
      assertEquals(List.of(), BackupSupport.liveState(db));
      db.load(new ByteArrayInputStream(new byte[0]), 1); // an empty backup is a backup
    }
    try (DB readOnly = DB.open(options("db").readOnly(true).build())) {
      assertThrows(ReadOnlyException.class,
          () -> readOnly.load(new ByteArrayInputStream(new byte[0]), 1));
      assertEquals(0, BackupSupport.backup(readOnly, 0).length, "a read-only store backs up");
    }
  }

  @Test
  void managedStoresBackUpEveryVersionAndLoadThemAtTheirVersions() {
    byte[] backup;
    List<String> versions;
    try (DB source = DB.openManaged(options("source").build())) {
      for (long ts = 10; ts <= 30; ts += 10) {
        try (Txn txn = source.newTransactionAt(ts - 1, true)) {
          txn.set(bytes("k"), bytes("v" + ts));
          txn.commitAt(ts);
        }
      }
      versions = BackupSupport.allVersions(source);
      backup = BackupSupport.backup(source, 0);
      assertEquals(30, source.backup(new ByteArrayOutputStream(), 0));
      assertEquals(30, source.backup(new ByteArrayOutputStream(), 30));
    }
    try (DB target = DB.openManaged(options("target").build())) {
      target.load(new ByteArrayInputStream(backup), 1);
      assertEquals(versions, BackupSupport.allVersions(target));
      try (Txn txn = target.newTransactionAt(20, false)) {
        assertEquals("v20", string(txn.get(bytes("k")).value()));
      }
    }
  }

  @Test
  void concurrentCommitsDuringALoadStayConsistent() throws Exception {
    byte[] backup;
    try (DB source = DB.open(options("source").build())) {
      WriteBatch batch = source.newWriteBatch();
      for (int i = 0; i < 20_000; i++) {
        batch.set(bytes("load" + i), bytes("v" + i));
      }
      batch.flush();
      backup = BackupSupport.backup(source, 0);
    }
    try (DB target = DB.open(options("target").build())) {
      Thread writer = new Thread(() -> {
        for (int i = 0; i < 300; i++) {
          target.put(bytes("own" + i), bytes("w" + i));
        }
      });
      writer.start();
      target.load(new ByteArrayInputStream(backup), 2);
      writer.join();
      Map<String, Long> versions = new TreeMap<>();
      target.view(txn -> {
        try (DbIterator it = txn.newIterator(IteratorOptions.DEFAULT)) {
          for (it.rewind(); it.valid(); it.next()) {
            versions.put(string(it.item().key()), it.item().version());
          }
        }
      });
      assertEquals(20_300, versions.size());
      target.put(bytes("last"), bytes("x"));
      try (Txn txn = target.newTransaction(false)) {
        long last = txn.get(bytes("last")).version();
        assertTrue(versions.values().stream().allMatch(v -> v < last));
      }
    }
  }

  private static List<BackupReader.Record> read(byte[] backup) throws IOException {
    List<BackupReader.Record> records = new ArrayList<>();
    BackupReader reader = new BackupReader(new ByteArrayInputStream(backup), Path.of("x"));
    for (List<BackupReader.Record> frame; (frame = reader.nextFrame()) != null; ) {
      records.addAll(frame);
    }
    return records;
  }

  private static String string(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
