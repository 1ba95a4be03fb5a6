package dev.sett;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.db.DbImpl;
import dev.sett.internal.fs.FaultInjectingFileSystem;
import dev.sett.internal.fs.FaultInjectingFileSystem.Call;
import dev.sett.internal.fs.FileSystem;
import dev.sett.testing.Eventually;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * No option does nothing: every public setter of {@link Options.Builder} has an entry in
 * {@link #CHECKS}, and each entry shows the option's effect on a store (the same workload
 * with the default and with another value behaves observably differently). No option is accepted
 * and ignored: one whose feature is not built must be refused by {@link Options.Builder#build()},
 * and its entry would expect that. A setter
 * added without an entry fails {@link #everySetterHasACheck()}.
 *
 * <p>A few effects need minutes or thread timing to show end to end; their entries name the test
 * that shows them ({@link Check#shownBy}), and this test checks that the named test exists.
 */
class OptionEffectsTest {
  @TempDir
  Path root;

  private static final AtomicInteger STORES = new AtomicInteger();

  /** How an option proves it is not ignored. */
  interface Check {
    void run(Path root) throws Exception;

    /** The effect is shown by test method {@code method} of {@code testClass}. */
    static Check shownBy(String testClassName, String method) {
      return root -> {
        Class<?> testClass = Class.forName(testClassName);
        assertTrue(Arrays.stream(testClass.getDeclaredMethods())
              .anyMatch(m -> m.getName().equals(method)
                  && (m.isAnnotationPresent(org.junit.jupiter.api.Test.class)
                      || m.isAnnotationPresent(ParameterizedTest.class))),
            testClass.getSimpleName() + "#" + method + " is gone");
      };
    }
  }

  private static final Map<String, Check> CHECKS = new TreeMap<>();

  static {
    CHECKS.put("valueDir", OptionEffectsTest::valueDir);
    CHECKS.put("syncWrites", OptionEffectsTest::syncWrites);
    CHECKS.put("numVersionsToKeep", OptionEffectsTest::numVersionsToKeep);
    CHECKS.put("readOnly", OptionEffectsTest::readOnly);
    CHECKS.put("inMemory", OptionEffectsTest::inMemory);
    CHECKS.put("memTableSize", OptionEffectsTest::memTableSize);
    CHECKS.put("numMemtables", OptionEffectsTest::numMemtables);
    CHECKS.put("baseTableSize", root -> levelTargetsDiffer(root, b -> b.baseTableSize(1 << 20)));
    CHECKS.put("baseLevelSize", root -> levelTargetsDiffer(root, b -> b.baseLevelSize(1 << 20)));
    CHECKS.put("levelSizeMultiplier",
        root -> grownLevelTargetsDiffer(root, b -> b.levelSizeMultiplier(3)));
    CHECKS.put("tableSizeMultiplier",
        root -> grownLevelTargetsDiffer(root, b -> b.tableSizeMultiplier(5)));
    CHECKS.put("maxLevels", OptionEffectsTest::maxLevels);
    CHECKS.put("valueThreshold", OptionEffectsTest::valueThreshold);
    // Shown by the named test: end to end the effect needs a unit-level seam or a timed wait.
    CHECKS.put("vlogPercentile", Check.shownBy("dev.sett.internal.db.ValueThresholdTest", "aDynamicThresholdFollowsThePercentileAndResets"));
    CHECKS.put("valueLogFileSize", root -> moreValueLogFiles(root, b -> b.valueLogFileSize(1 << 20)));
    CHECKS.put("valueLogMaxEntries", root -> moreValueLogFiles(root, b -> b.valueLogMaxEntries(50)));
    CHECKS.put("autoValueLogGC", OptionEffectsTest::autoValueLogGC);
    CHECKS.put("valueLogGCDiscardRatio",
        Check.shownBy("dev.sett.ValueLogTest", "backgroundGcReclaimsSpaceWithoutBeingAsked"));
    CHECKS.put("blockSize", root -> tableShapeDiffers(root, b -> b.blockSize(256),
        TableInfo::indexSize));
    CHECKS.put("bloomFalsePositive", root -> tableShapeDiffers(root,
        b -> b.bloomFalsePositive(0.0001), TableInfo::bloomFilterSize));
    CHECKS.put("compression", root -> tableShapeDiffers(root,
        b -> b.compression(Compression.NONE), TableInfo::onDiskSize));
    CHECKS.put("zstdLevel", root -> tableShapeDiffers(root.resolve("zstd"),
        b -> b.compression(Compression.ZSTD).zstdLevel(19),
        b -> b.compression(Compression.ZSTD), TableInfo::onDiskSize));
    CHECKS.put("blockCacheSize", OptionEffectsTest::blockCacheSize);
    CHECKS.put("indexCacheSize", OptionEffectsTest::indexCacheSize);
    CHECKS.put("numLevelZeroTables", OptionEffectsTest::numLevelZeroTables);
    CHECKS.put("numLevelZeroTablesStall",
        Check.shownBy("dev.sett.CompactionTest", "aWriterStalledOnAFullLevel0Resumes"));
    CHECKS.put("numCompactors", OptionEffectsTest::numCompactors);
    CHECKS.put("compactL0OnClose", OptionEffectsTest::compactL0OnClose);
    // The picker's cases run the same levels with and without lmaxCompaction.
    CHECKS.put("lmaxCompaction", Check.shownBy("dev.sett.internal.lsm.CompactionPickTest", "picks"));
    CHECKS.put("detectConflicts", OptionEffectsTest::detectConflicts);
    CHECKS.put("verifyValueChecksum", Check.shownBy("dev.sett.ValueLogTest",
        "withoutValueChecksumsADamagedValueIsStillNeverReturnedAsAnotherKeys"));
    CHECKS.put("checksumVerification", OptionEffectsTest::checksumVerification);
    // Moving needs writes to cool (a second without one): the test waits for files to appear.
    CHECKS.put("valueLogKeyOrder", Check.shownBy("dev.sett.ValueOrderTest",
        "withoutKeyOrderValuesStayWhereTheyWereWritten"));
    CHECKS.put("encryptionKey", OptionEffectsTest::encryptionKey);
    // A rotation period needs time to pass: the test drives a clock through three periods.
    CHECKS.put("encryptionKeyRotation",
        Check.shownBy("dev.sett.EncryptionTest", "dataKeysRotateAndOldOnesStayReadable"));
    CHECKS.put("namespaceOffset", OptionEffectsTest::namespaceOffset);
    CHECKS.put("externalMagic", OptionEffectsTest::externalMagic);
    CHECKS.put("openTelemetry", OptionEffectsTest::openTelemetry);
    CHECKS.put("clock", OptionEffectsTest::clock);
  }

  /** The public setters of {@code Options.Builder}: methods returning the builder, by name. */
  private static TreeSet<String> setters() {
    return Arrays.stream(Options.Builder.class.getMethods())
        .filter(m -> m.getReturnType() == Options.Builder.class)
        .filter(m -> !Modifier.isStatic(m.getModifiers()))
        .map(Method::getName)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void everySetterHasACheck() {
    TreeSet<String> setters = setters();
    TreeSet<String> missing = new TreeSet<>(setters);
    missing.removeAll(CHECKS.keySet());
    assertTrue(missing.isEmpty(), "setters of Options.Builder without an effect check: " + missing);
    TreeSet<String> stale = new TreeSet<>(CHECKS.keySet());
    stale.removeAll(setters);
    assertTrue(stale.isEmpty(), "checks for setters that no longer exist: " + stale);
  }

  static Stream<String> options() {
    return CHECKS.keySet().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("options")
  void optionHasAnEffect(String option) throws Exception {
    CHECKS.get(option).run(root);
  }

  // ---- helpers --------------------------------------------------------------------------------

  private static Path fresh(Path root) throws IOException {
    Path dir = root.resolve("store" + STORES.incrementAndGet());
    Files.createDirectories(dir);
    return dir;
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] key(int i) {
    return bytes(String.format("key%06d", i));
  }

  private static byte[] compressible(int i, int length) {
    return bytes(("value " + i + " ").repeat(length / 8 + 1).substring(0, length));
  }

  private static void fill(DB db, int count, int valueLength) {
    try (WriteBatch batch = db.newWriteBatch()) {
      for (int i = 0; i < count; i++) {
        batch.set(key(i), compressible(i, valueLength));
      }
      batch.flush();
    }
  }

  private static long countFiles(Path dir, String suffix) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(suffix)).count();
    }
  }

  private static Options.Builder tiny(Path dir) {
    return Options.builder(dir).memTableSize(64 << 10).blockSize(1024);
  }

  // ---- checks ---------------------------------------------------------------------------------

  /** With a key, a value written in plain bytes is found in no file; without one it is. */
  private static void encryptionKey(Path root) throws IOException {
    byte[] marker = bytes("option-effects-marker-value");
    Path plain = fresh(root);
    Path sealed = fresh(root);
    byte[] masterKey = new byte[16];
    Arrays.fill(masterKey, (byte) 7);
    try (DB db = DB.open(Options.builder(plain).compression(Compression.NONE).build())) {
      db.put(key(1), marker);
    }
    try (DB db = DB.open(Options.builder(sealed).compression(Compression.NONE)
        .encryptionKey(masterKey).build())) {
      db.put(key(1), marker);
    }
    assertTrue(anyFileContains(plain, marker), "the control store holds the marker");
    assertFalse(anyFileContains(sealed, marker), "an encrypted store holds the marker in plain");
    try (DB db = DB.open(Options.builder(sealed).encryptionKey(masterKey).build())) {
      assertArrayEquals(marker, db.get(key(1)));
    }
  }

  private static boolean anyFileContains(Path dir, byte[] needle) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        byte[] content = Files.readAllBytes(file);
        for (int i = 0; i + needle.length <= content.length; i++) {
          if (Arrays.equals(content, i, i + needle.length, needle, 0, needle.length)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private static void valueDir(Path root) throws IOException {
    Path dir = fresh(root);
    Path values = fresh(root);
    try (DB db = DB.open(Options.builder(dir).valueDir(values).valueThreshold(16).build())) {
      db.put(key(1), compressible(1, 1000));
    }
    assertTrue(countFiles(values, ".vlog") > 0, "no value log in valueDir");
    assertEquals(0, countFiles(dir, ".vlog"), "a value log in the LSM directory");
  }

  /** With syncWrites every commit forces the log: many more syncs for the same commits. */
  private static void syncWrites(Path root) throws IOException {
    assertTrue(syncsFor(fresh(root), true) >= syncsFor(fresh(root), false) + 20);
  }

  private static long syncsFor(Path dir, boolean syncWrites) {
    AtomicLong syncs = new AtomicLong();
    FaultInjectingFileSystem counting = new FaultInjectingFileSystem(FileSystem.defaultFileSystem())
        .before(Call.SYNC, (path, argument) -> syncs.incrementAndGet());
    Options options = Options.builder(dir).syncWrites(syncWrites).build();
    try (DB db = DbImpl.open(options, false, counting)) {
      long before = syncs.get();
      for (int i = 0; i < 25; i++) {
        db.put(key(i), bytes("v"));
      }
      return syncs.get() - before;
    }
  }

  /**
   * With flushes held back (table files cannot be created until a latch opens), memtables pile
   * up: a store with {@code numMemtables(12)} holds more than the default 5 at once, each with
   * its write-ahead log file, where the default would make the writes wait.
   */
  private static void numMemtables(Path root) throws Exception {
    Path dir = fresh(root);
    java.util.concurrent.CountDownLatch flushes = new java.util.concurrent.CountDownLatch(1);
    FaultInjectingFileSystem holding = new FaultInjectingFileSystem(FileSystem.defaultFileSystem())
        .before(Call.CREATE_FILE, (path, argument) -> {
          if (path.getFileName().toString().endsWith(".sst")) {
            try {
              flushes.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new java.io.InterruptedIOException("interrupted");
            }
          }
        });
    Options options = tiny(dir).numMemtables(12).build();
    try (DB db = DbImpl.open(options, false, holding)) {
      for (int i = 0; i < 550; i++) {
        db.put(key(i), compressible(i, 900)); // below the 1 KiB value threshold: in the memtable
      }
      long logs = countFiles(dir, ".mem");
      assertTrue(logs >= 7, logs + " memtables held at once");
      flushes.countDown();
      for (int i = 0; i < 550; i += 50) {
        assertArrayEquals(compressible(i, 900), db.get(key(i)));
      }
    } finally {
      flushes.countDown();
    }
  }

  /** Versions left after a compaction rewrote the key's table. */
  private static void numVersionsToKeep(Path root) throws IOException {
    assertEquals(1, versionsAfterCompaction(fresh(root), 1));
    assertEquals(3, versionsAfterCompaction(fresh(root), 3));
  }

  private static int versionsAfterCompaction(Path dir, int keep) {
    Options options = tiny(dir).numVersionsToKeep(keep).compactL0OnClose(true).build();
    try (DB db = DB.open(options)) {
      for (int v = 0; v < 4; v++) {
        db.put(key(0), bytes("version " + v));
      }
    }
    try (DB db = DB.open(options)) {
      assertTrue(db.tables().stream().allMatch(t -> t.level() > 0), "L0 was not compacted");
      AtomicInteger versions = new AtomicInteger();
      db.view(txn -> {
        try (DbIterator it = txn.newKeyIterator(key(0), IteratorOptions.DEFAULT)) {
          for (it.rewind(); it.valid(); it.next()) {
            versions.incrementAndGet();
          }
        }
      });
      return versions.get();
    }
  }

  private static void readOnly(Path root) throws IOException {
    Path dir = fresh(root);
    try (DB db = DB.open(Options.builder(dir).build())) {
      db.put(key(1), bytes("v"));
    }
    try (DB db = DB.open(Options.builder(dir).readOnly(true).build())) {
      assertArrayEquals(bytes("v"), db.get(key(1)));
      assertThrows(ReadOnlyException.class, () -> db.put(key(2), bytes("v")));
    }
  }

  private static void inMemory(Path root) {
    Options options = Options.builder(null).inMemory(true).build();
    try (DB db = DB.open(options)) {
      db.put(key(1), bytes("v"));
      assertArrayEquals(bytes("v"), db.get(key(1)));
    }
    try (DB db = DB.open(options)) {
      assertNull(db.get(key(1)), "an in-memory store keeps nothing after close");
    }
  }

  /** A small memtable fills and is flushed to a table; the default one holds everything. */
  private static void memTableSize(Path root) throws IOException {
    try (DB db = DB.open(Options.builder(fresh(root)).memTableSize(64 << 10).build())) {
      fill(db, 2000, 200);
      Eventually.await("a flushed table", () -> !db.tables().isEmpty());
    }
    try (DB db = DB.open(Options.builder(fresh(root)).build())) {
      fill(db, 2000, 200);
      assertTrue(db.tables().isEmpty(), "the default memtable was flushed: " + db.tables());
    }
  }

  private static void levelTargetsDiffer(Path root,
      java.util.function.Consumer<Options.Builder> change) throws IOException {
    List<LevelInfo> defaults = levelTargets(Options.builder(fresh(root)));
    Options.Builder changed = Options.builder(fresh(root));
    change.accept(changed);
    assertNotEquals(defaults, levelTargets(changed));
  }

  /**
   * The multipliers shape the levels above the base level, which exist once the last level
   * outgrows the base level size: a small base size and a flatten put the base level higher.
   */
  private static void grownLevelTargetsDiffer(Path root,
      java.util.function.Consumer<Options.Builder> change) throws IOException {
    Options.Builder defaults = grown(fresh(root));
    Options.Builder changed = grown(fresh(root));
    change.accept(changed);
    assertNotEquals(levelTargets(defaults, 6000), levelTargets(changed, 6000));
  }

  private static Options.Builder grown(Path dir) {
    return tiny(dir).baseLevelSize(64 << 10).baseTableSize(32 << 10);
  }

  private static List<LevelInfo> levelTargets(Options.Builder builder) {
    return levelTargets(builder, 100);
  }

  /** The targets of every level of a store holding {@code keys} keys, flattened. */
  private static List<LevelInfo> levelTargets(Options.Builder builder, int keys) {
    try (DB db = DB.open(builder.build())) {
      fill(db, keys, 300);
      db.flatten(1);
      return db.levels().stream()
          .map(l -> new LevelInfo(l.level(), 0, 0, l.targetSize(), l.targetFileSize(),
              l.isBaseLevel(), 0, 0, 0))
          .toList();
    }
  }

  private static void maxLevels(Path root) throws IOException {
    try (DB db = DB.open(Options.builder(fresh(root)).maxLevels(4).build())) {
      assertEquals(4, db.levels().size());
    }
    try (DB db = DB.open(Options.builder(fresh(root)).build())) {
      assertEquals(7, db.levels().size());
    }
  }

  private static void valueThreshold(Path root) throws IOException {
    long defaults = vlogBytesFor(Options.builder(fresh(root)));
    long separated = vlogBytesFor(Options.builder(fresh(root)).valueThreshold(64));
    assertTrue(separated > defaults + 100 * 500, separated + " vs " + defaults);
  }

  private static long vlogBytesFor(Options.Builder builder) {
    try (DB db = DB.open(builder.build())) {
      fill(db, 100, 500);
      return db.size().vlogBytes();
    }
  }

  private static void moreValueLogFiles(Path root,
      java.util.function.Consumer<Options.Builder> change) throws IOException {
    Path defaults = fresh(root);
    Path changed = fresh(root);
    Options.Builder builder = tiny(changed).valueThreshold(16);
    change.accept(builder);
    for (Options options : List.of(tiny(defaults).valueThreshold(16).build(),
        builder.build())) {
      try (DB db = DB.open(options)) {
        fill(db, 1500, 1000);
      }
    }
    assertEquals(1, countFiles(defaults, ".vlog"));
    assertTrue(countFiles(changed, ".vlog") > 1, "one value log file only");
  }

  /** Automatic value log GC runs on a thread of its own, which exists only when it is on. */
  private static void autoValueLogGC(Path root) throws IOException {
    for (boolean auto : new boolean[] {true, false}) {
      Path dir = fresh(root);
      try (DB db = DB.open(Options.builder(dir).autoValueLogGC(auto).build())) {
        String name = dir.getFileName() + "-value-log-gc";
        boolean running = Thread.getAllStackTraces().keySet().stream()
            .anyMatch(t -> t.getName().contains(name));
        assertEquals(auto, running, "value log GC thread with autoValueLogGC " + auto);
      }
    }
  }

  private static void tableShapeDiffers(Path root, java.util.function.Consumer<Options.Builder> change,
      java.util.function.ToLongFunction<TableInfo> measure) throws IOException {
    tableShapeDiffers(root, change, b -> { }, measure);
  }

  /** The same data flushed into tables measures differently with the option changed. */
  private static void tableShapeDiffers(Path root, java.util.function.Consumer<Options.Builder> change,
      java.util.function.Consumer<Options.Builder> base,
      java.util.function.ToLongFunction<TableInfo> measure) throws IOException {
    Files.createDirectories(root);
    long[] sizes = new long[2];
    for (int variant = 0; variant < 2; variant++) {
      Options.Builder builder = Options.builder(fresh(root)).numCompactors(0);
      base.accept(builder);
      if (variant == 1) {
        change.accept(builder);
      }
      Options options = builder.build();
      try (DB db = DB.open(options)) {
        fill(db, 3000, 300);
      }
      try (DB db = DB.open(options)) {
        sizes[variant] = db.tables().stream().mapToLong(measure).sum();
      }
    }
    assertNotEquals(sizes[0], sizes[1], "the tables measure the same");
  }

  private static void blockCacheSize(Path root) throws IOException {
    Options options = tiny(fresh(root)).blockCacheSize(1 << 20).build();
    try (DB db = DB.open(options)) {
      fill(db, 2000, 200);
    }
    try (DB db = DB.open(options)) {
      assertEquals(1 << 20, db.blockCacheMetrics().capacityBytes());
      db.get(key(5));
      db.get(key(5));
      assertTrue(db.blockCacheMetrics().hits() > 0, db.blockCacheMetrics().toString());
    }
    try (DB db = DB.open(options.toBuilder().blockCacheSize(0).build())) {
      db.get(key(5));
      db.get(key(5));
      assertEquals(new CacheMetrics(0, 0, 0, 0, 0), db.blockCacheMetrics());
    }
  }

  private static void indexCacheSize(Path root) throws IOException {
    Options options = tiny(fresh(root)).indexCacheSize(1 << 20).build();
    try (DB db = DB.open(options)) {
      fill(db, 2000, 200);
    }
    try (DB db = DB.open(options)) {
      db.get(key(5));
      CacheMetrics metrics = db.indexCacheMetrics();
      assertTrue(metrics.sizeBytes() > 0 && metrics.hits() > 0, metrics.toString());
    }
  }

  private static void numLevelZeroTables(Path root) throws IOException {
    double[] scores = new double[2];
    int[] counts = {5, 2};
    for (int i = 0; i < 2; i++) {
      Options options = tiny(fresh(root)).numCompactors(0).numLevelZeroTables(counts[i]).build();
      try (DB db = DB.open(options)) {
        fill(db, 1500, 200);
      }
      try (DB db = DB.open(options)) {
        scores[i] = db.levels().get(0).score();
      }
    }
    assertTrue(scores[1] > scores[0], Arrays.toString(scores));
  }

  private static void numCompactors(Path root) throws IOException {
    Options off = tiny(fresh(root)).numCompactors(0).numLevelZeroTables(1)
        .numLevelZeroTablesStall(30).build();
    try (DB db = DB.open(off)) {
      fill(db, 3000, 200);
      Eventually.await("flushes", () -> db.tables().size() >= 3);
      assertTrue(db.tables().stream().allMatch(t -> t.level() == 0), "something compacted");
    }
    Options on = off.toBuilder().numCompactors(2).build();
    try (DB db = DB.open(on)) {
      Eventually.await("compaction out of L0",
          () -> db.tables().stream().anyMatch(t -> t.level() > 0));
    }
  }

  private static void compactL0OnClose(Path root) throws IOException {
    for (boolean compact : new boolean[] {true, false}) {
      Options options = tiny(fresh(root)).compactL0OnClose(compact).build();
      try (DB db = DB.open(options)) {
        db.put(key(1), bytes("v"));
      }
      try (DB db = DB.open(options)) {
        assertEquals(compact, db.tables().stream().allMatch(t -> t.level() > 0),
            "compactL0OnClose " + compact + ": " + db.tables());
      }
    }
  }

  private static void detectConflicts(Path root) throws IOException {
    for (boolean detect : new boolean[] {true, false}) {
      try (DB db = DB.open(Options.builder(fresh(root)).detectConflicts(detect).build())) {
        db.put(key(1), bytes("0"));
        Txn first = db.newTransaction(true);
        first.get(key(1));
        first.set(key(2), bytes("from first"));
        db.put(key(1), bytes("1"));
        if (detect) {
          assertThrows(ConflictException.class, first::commit);
        } else {
          first.commit();
        }
        first.close();
      }
    }
  }

  /**
   * A flipped byte in a data block: with verification on read the get fails with
   * {@link CorruptionException}; with {@code NONE} the block is not checked (the read returns
   * what the damaged block parses to, or fails later as corruption of another kind, never as a
   * checksum mismatch).
   */
  private static void checksumVerification(Path root) throws IOException {
    Path dir = fresh(root);
    Options options = Options.builder(dir).compression(Compression.NONE).numCompactors(0).build();
    try (DB db = DB.open(options)) {
      fill(db, 10, 100);
    }
    try (DB db = DB.open(options.toBuilder().compactL0OnClose(false).build())) {
      db.flatten(1); // nothing to do; opens the table
    }
    Path table;
    try (Stream<Path> files = Files.list(dir)) {
      table = files.filter(f -> f.toString().endsWith(".sst")).findFirst().orElseThrow();
    }
    byte[] content = Files.readAllBytes(table);
    int at = indexOf(content, compressible(3, 100)) + 10;
    content[at] ^= 0x01;
    Files.write(table, content);
    try (DB db = DB.open(options)) {
      CorruptionException e = assertThrows(CorruptionException.class, () -> db.get(key(3)));
      assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    }
    try (DB db = DB.open(options.toBuilder().checksumVerification(ChecksumVerification.NONE)
        .build())) {
      byte[] damaged = db.get(key(3));
      assertFalse(Arrays.equals(compressible(3, 100), damaged), "the flipped byte is returned");
    }
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("value not found in the table file");
  }

  private static void namespaceOffset(Path root) throws IOException {
    byte[] key = NamespaceTest.key(3, "x");
    try (DB db = DB.open(Options.builder(fresh(root)).namespaceOffset(2).build())) {
      db.put(key, bytes("v"));
      db.banNamespace(3);
      assertNull(db.get(key));
    }
    try (DB db = DB.open(Options.builder(fresh(root)).build())) {
      assertThrows(IllegalStateException.class, () -> db.banNamespace(3));
    }
  }

  private static void externalMagic(Path root) throws IOException {
    Path dir = fresh(root);
    try (DB db = DB.open(Options.builder(dir).externalMagic(7).build())) {
      db.put(key(1), bytes("v"));
    }
    assertThrows(SettException.class, () -> DB.open(Options.builder(dir).build()).close());
    try (DB db = DB.open(Options.builder(dir).externalMagic(7).build())) {
      assertArrayEquals(bytes("v"), db.get(key(1)));
    }
  }

  private static void openTelemetry(Path root) throws IOException {
    InMemoryMetricReader reader = InMemoryMetricReader.create();
    try (OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
        .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(reader).build())
        .build()) {
      try (DB db = DB.open(tiny(fresh(root)).openTelemetry(sdk).compactL0OnClose(true).build())) {
        fill(db, 2000, 200);
        Eventually.await("a flushed table", () -> !db.tables().isEmpty());
      }
      assertFalse(reader.collectAllMetrics().isEmpty(), "no metric reached the SDK");
    }
  }

  private static void clock(Path root) throws IOException {
    MutableClock clock = new MutableClock(Instant.ofEpochSecond(1_000_000));
    try (DB db = DB.open(Options.builder(fresh(root)).clock(clock).build())) {
      db.update(txn -> txn.setEntry(Entry.of(key(1), bytes("v")).withTtl(Duration.ofSeconds(10))));
      assertArrayEquals(bytes("v"), db.get(key(1)));
      clock.now = clock.now.plusSeconds(11);
      assertNull(db.get(key(1)), "the TTL follows the given clock");
    }
  }

  private static final class MutableClock extends Clock {
    volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      throw new UnsupportedOperationException("not needed");
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
