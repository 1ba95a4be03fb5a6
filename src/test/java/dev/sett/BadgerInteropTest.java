package dev.sett;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sett.internal.backup.BackupFormat;
import dev.sett.internal.backup.BackupReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interop with real Badger (v2.2007, Debian's golang-github-dgraph-io-badger-dev), both ways:
 * backups written by Badger (src/test/resources/interop, made by badgerinterop.go there) load
 * into Sett to exactly the state Badger itself shows, versions included; and a backup written by
 * Sett, loaded into real Badger by the same tool, gives Sett's live state.
 *
 * <p>The Badger side needs the tool, built by {@code .ci/badger-interop.sh} into
 * {@code target/badgerinterop/badgerinterop} (or named by {@code -Dsett.badgerInterop=PATH} or
 * {@code SETT_BADGER_INTEROP}). Without it that test is skipped, except under {@code CI=true},
 * where it fails.
 */
class BadgerInteropTest {
  @TempDir
  Path dir;

  @Test
  void badgerBackupsLoadIntoSettAsBadgerShowsThem() throws IOException {
    try (DB db = DB.open(Options.builder(dir.resolve("db")).build())) {
      for (String name : List.of("badger-full.backup", "badger-incr.backup")) {
        try (InputStream in = resource(name)) {
          db.load(in, 16);
        }
      }
      List<String> expected = lines(resource("badger-expected.tsv"));
      assertEquals(1725, expected.size());
      assertEquals(expected, BackupSupport.liveState(db));
    }
    // Reopened: the loaded state is durable.
    try (DB db = DB.open(Options.builder(dir.resolve("db")).build())) {
      assertEquals(lines(resource("badger-expected.tsv")), BackupSupport.liveState(db));
    }
  }

  @Test
  void aTruncatedBadgerBackupLoadsItsWholeFramesAndTheStoreReopens() throws IOException {
    // The full backup followed by the incremental one is one stream of two frames; the cut
    // falls inside the second.
    byte[] full;
    byte[] incr;
    try (InputStream a = resource("badger-full.backup"); InputStream b = resource("badger-incr.backup")) {
      full = a.readAllBytes();
      incr = b.readAllBytes();
    }
    byte[] both = java.util.Arrays.copyOf(full, full.length + incr.length);
    System.arraycopy(incr, 0, both, full.length, incr.length);
    int cut = full.length + incr.length / 2;
    long damagedFrame = -1;
    List<BackupReader.Record> whole = new ArrayList<>();
    BackupReader reader = new BackupReader(new ByteArrayInputStream(both), Path.of("x"));
    for (List<BackupReader.Record> frame; (frame = reader.nextFrame()) != null; ) {
      if (reader.offset() > cut) {
        damagedFrame = reader.frameOffset();
        break;
      }
      whole.addAll(frame);
    }
    assertTrue(damagedFrame >= full.length && !whole.isEmpty(), "frame " + damagedFrame);
    try (DB db = DB.open(Options.builder(dir.resolve("db")).build())) {
      CorruptionException e = assertThrows(CorruptionException.class,
          () -> db.load(new ByteArrayInputStream(java.util.Arrays.copyOf(both, cut)), 8));
      assertEquals(damagedFrame, e.offset(), e.getMessage());
    }
    try (DB db = DB.open(Options.builder(dir.resolve("db")).build())) {
      List<String> versions = BackupSupport.allVersions(db);
      assertEquals(whole.size(), versions.size(), "every record of the whole frames, no other");
      db.put("after".getBytes(StandardCharsets.UTF_8), new byte[] {1});
      db.verifyChecksum();
    }
  }

  @Test
  void theFixturesCarryWhatBadgerV2Writes() throws IOException {
    // What the loader must cope with: Badger v2 leaves its value-pointer bit set on values that
    // were in its value log, and writes tombstones, discard markers and expiry.
    int pointerBits = 0;
    int tombstones = 0;
    int discards = 0;
    int expiring = 0;
    int records = 0;
    try (InputStream in = resource("badger-full.backup")) {
      BackupReader reader = new BackupReader(in, Path.of("badger-full.backup"));
      for (List<BackupReader.Record> frame; (frame = reader.nextFrame()) != null; ) {
        for (BackupReader.Record record : frame) {
          records++;
          pointerBits += (record.meta() & BackupFormat.META_VALUE_POINTER) != 0 ? 1 : 0;
          tombstones += (record.meta() & BackupFormat.META_DELETE) != 0 ? 1 : 0;
          discards += (record.meta() & BackupFormat.META_DISCARD_EARLIER_VERSIONS) != 0 ? 1 : 0;
          expiring += record.expiresAt() != 0 ? 1 : 0;
        }
      }
    }
    assertTrue(records > 2000, "records " + records);
    assertTrue(pointerBits > 0 && tombstones > 0 && discards > 0 && expiring > 0,
        "pointer bits " + pointerBits + ", tombstones " + tombstones + ", discards " + discards
            + ", expiring " + expiring);
  }

  @Test
  void badgerBackupsLoadWithTheirValuesInSettsValueLog() throws IOException {
    try (DB db = DB.open(Options.builder(dir.resolve("db")).valueThreshold(100).build())) {
      for (String name : List.of("badger-full.backup", "badger-incr.backup")) {
        try (InputStream in = resource(name)) {
          db.load(in, 1);
        }
      }
      assertEquals(lines(resource("badger-expected.tsv")), BackupSupport.liveState(db));
      assertTrue(db.size().vlogBytes() > 0);
    }
  }

  @Test
  void settBackupsLoadIntoRealBadger() throws Exception {
    Path tool = tool();
    long seed = new SplittableRandom().nextLong();
    System.out.println("BadgerInteropTest.settBackupsLoadIntoRealBadger seed " + seed);
    SplittableRandom random = new SplittableRandom(seed);
    Path full = dir.resolve("sett-full.backup");
    Path incr = dir.resolve("sett-incr.backup");
    List<String> live;
    try (DB db = DB.open(Options.builder(dir.resolve("sett")).memTableSize(512 << 10)
        .valueThreshold(128).build())) {
      changes(db, random, 0);
      long since;
      try (var out = Files.newOutputStream(full)) {
        since = db.backup(out, 0);
      }
      changes(db, random, 1);
      try (var out = Files.newOutputStream(incr)) {
        db.backup(out, since);
      }
      live = BackupSupport.liveState(db);
    }
    assertEquals(live, badgerLoad(tool, full, incr), "seed " + seed);

    // Full circle: Badger's own backups through Sett and back into Badger.
    Path again = dir.resolve("again.backup");
    try (DB db = DB.open(Options.builder(dir.resolve("circle")).build())) {
      for (String name : List.of("badger-full.backup", "badger-incr.backup")) {
        try (InputStream in = resource(name)) {
          db.load(in, 4);
        }
      }
      try (var out = Files.newOutputStream(again)) {
        db.backup(out, 0);
      }
    }
    assertEquals(lines(resource("badger-expected.tsv")), badgerLoad(tool, again));
  }

  /** One round of changes of every kind over 600 keys, binary ones included. */
  private static void changes(DB db, SplittableRandom random, int round) {
    long now = System.currentTimeMillis() / 1000;
    for (int start = 0; start < 600; start += 50) {
      int first = start;
      db.update(txn -> {
        for (int i = first; i < first + 50; i++) {
          byte[] key = i % 10 == 0
              ? new byte[] {0, (byte) (i >> 8), (byte) i, (byte) 0xFF, 0}
              : ("user:" + i).getBytes(StandardCharsets.UTF_8);
          byte[] value = new byte[random.nextInt(4) == 0 ? 300 + random.nextInt(4000)
              : 1 + random.nextInt(120)];
          random.nextBytes(value);
          int op = random.nextInt(100);
          if (round > 0 && op < 8) {
            txn.delete(key);
          } else if (op < 14) {
            txn.setEntry(Entry.of(key, value).withUserMeta((byte) (1 + random.nextInt(200))));
          } else if (op < 18) {
            txn.setEntry(Entry.of(key, value).withTtl(Duration.ofDays(36_500)));
          } else if (op < 20) {
            txn.setEntry(Entry.of(key, value).withExpiresAt(now - 5));
          } else if (round > 0 && op < 23) {
            txn.setEntry(Entry.of(key, value).withDiscardEarlierVersions());
          } else if (round > 0 && op < 60) {
            continue;
          } else {
            txn.set(key, value);
          }
        }
      });
    }
  }

  private static List<String> badgerLoad(Path tool, Path... backups) throws Exception {
    List<String> command = new ArrayList<>(List.of(tool.toString(), "load"));
    for (Path backup : backups) {
      command.add(backup.toString());
    }
    Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
    byte[] stdout;
    byte[] stderr;
    try (InputStream out = process.getInputStream(); InputStream err = process.getErrorStream()) {
      stdout = out.readAllBytes();
      stderr = err.readAllBytes();
    }
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("badgerinterop did not finish in 120 s");
    }
    assertEquals(0, process.exitValue(), "badgerinterop failed: "
        + new String(stderr, StandardCharsets.UTF_8));
    return lines(new ByteArrayInputStream(stdout));
  }

  /** The interop tool, or a skipped test (a failed one under CI=true) when it was not built. */
  private static Path tool() {
    return tool(System.getProperty("sett.badgerInterop", System.getenv("SETT_BADGER_INTEROP")),
        System.getenv("CI"), Path.of(System.getProperty("basedir", "")).toAbsolutePath());
  }

  static Path tool(String named, String ci, Path basedir) {
    Path tool = named != null && !named.isEmpty() ? Path.of(named)
        : basedir.resolve("target/badgerinterop/badgerinterop");
    if (!Files.isExecutable(tool)) {
      String message = "the Badger interop tool " + tool + " is missing: run .ci/badger-interop.sh";
      if ("true".equals(ci)) {
        fail(message + " (CI=true: interop must be tested)");
      }
      Assumptions.abort(message);
    }
    return tool;
  }

  @Test
  void aMissingToolSkipsLocallyAndFailsUnderCi() {
    String absent = dir.resolve("no-such-tool").toString();
    assertThrows(org.opentest4j.TestAbortedException.class, () -> tool(absent, null, dir));
    assertThrows(org.opentest4j.TestAbortedException.class, () -> tool(null, "false", dir));
    assertThrows(org.opentest4j.AssertionFailedError.class, () -> tool(absent, "true", dir));
  }

  private static InputStream resource(String name) {
    InputStream in = BadgerInteropTest.class.getResourceAsStream("/interop/" + name);
    if (in == null) {
      throw new IllegalStateException("missing test resource interop/" + name);
    }
    return in;
  }

  private static List<String> lines(InputStream in) throws IOException {
    try (in) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      List<String> lines = new ArrayList<>();
      for (String line : text.split("\n")) {
        if (!line.isEmpty()) {
          lines.add(line);
        }
      }
      return lines;
    }
  }
}
