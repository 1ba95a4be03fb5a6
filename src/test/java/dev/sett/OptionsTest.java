package dev.sett;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.OpenTelemetry;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OptionsTest {
  private static final Path DIR = Path.of("/data/sett");
  private static final long KIB = 1024;
  private static final long MIB = 1024 * KIB;
  private static final long GIB = 1024 * MIB;

  private static Options.Builder builder() {
    return Options.builder(DIR);
  }

  @Test
  void defaultsAreBadgersExceptWhereDocumented() {
    Options options = builder().build();

    assertEquals(DIR, options.dir());
    assertEquals(DIR, options.valueDir());
    assertFalse(options.syncWrites());
    assertEquals(1, options.numVersionsToKeep());
    assertFalse(options.readOnly());
    assertFalse(options.inMemory());
    assertEquals(64 * MIB, options.memTableSize());
    assertEquals(5, options.numMemtables());
    assertEquals(2 * MIB, options.baseTableSize());
    assertEquals(10 * MIB, options.baseLevelSize());
    assertEquals(10, options.levelSizeMultiplier());
    assertEquals(2, options.tableSizeMultiplier());
    assertEquals(7, options.maxLevels());
    assertEquals(1024, options.valueThreshold());
    assertEquals(0.0, options.vlogPercentile());
    assertEquals((1L << 30) - 1, options.valueLogFileSize());
    assertEquals(1_000_000, options.valueLogMaxEntries());
    assertEquals(4096, options.blockSize());
    assertEquals(0.01, options.bloomFalsePositive());
    assertEquals(256 * MIB, options.blockCacheSize());
    assertEquals(0, options.indexCacheSize());
    assertEquals(Compression.LZ4, options.compression());
    assertEquals(1, options.zstdLevel());
    assertEquals(5, options.numLevelZeroTables());
    assertEquals(15, options.numLevelZeroTablesStall());
    assertEquals(4, options.numCompactors());
    assertFalse(options.compactL0OnClose());
    assertFalse(options.lmaxCompaction());
    assertTrue(options.detectConflicts());
    assertTrue(options.verifyValueChecksum());
    assertTrue(options.valueLogKeyOrder());
    assertEquals(ChecksumVerification.ON_BLOCK_READ, options.checksumVerification());
    assertArrayEquals(new byte[0], options.encryptionKey());
    assertEquals(Duration.ofDays(10), options.encryptionKeyRotation());
    assertEquals(-1, options.namespaceOffset());
    assertEquals(0, options.externalMagic());
    assertSame(OpenTelemetry.noop(), options.openTelemetry());
    assertEquals(Clock.systemUTC(), options.clock());
  }

  @Test
  void derivedBatchLimitsFollowBadger() {
    Options defaults = builder().build();
    assertEquals(10_066_329, defaults.maxBatchSize());
    assertEquals(104_857, defaults.maxBatchCount());

    Options small = builder().memTableSize(64 * KIB).build();
    assertEquals(15 * 64 * KIB / 100, small.maxBatchSize());
    assertEquals(15 * 64 * KIB / 100 / 96, small.maxBatchCount());
  }

  static Stream<Arguments> badValues() {
    return Stream.of(
        bad("numVersionsToKeep", "0", b -> b.numVersionsToKeep(0)),
        bad("memTableSize", "1000", b -> b.memTableSize(1000)),
        bad("memTableSize", String.valueOf(64 * KIB - 1), b -> b.memTableSize(64 * KIB - 1)),
        bad("memTableSize", String.valueOf(GIB + 1), b -> b.memTableSize(GIB + 1)),
        bad("numMemtables", "0", b -> b.numMemtables(0)),
        bad("baseTableSize", "1023", b -> b.baseTableSize(1023)),
        bad("baseTableSize", String.valueOf(2 * GIB), b -> b.baseTableSize(2 * GIB)),
        bad("baseLevelSize", "-1", b -> b.baseLevelSize(-1)),
        bad("levelSizeMultiplier", "1", b -> b.levelSizeMultiplier(1)),
        bad("tableSizeMultiplier", "0", b -> b.tableSizeMultiplier(0)),
        bad("maxLevels", "1", b -> b.maxLevels(1)),
        bad("maxLevels", "21", b -> b.maxLevels(21)),
        bad("valueThreshold", "-1", b -> b.valueThreshold(-1)),
        bad("valueThreshold", String.valueOf(MIB + 1), b -> b.valueThreshold((int) MIB + 1)),
        bad("vlogPercentile", "-0.1", b -> b.vlogPercentile(-0.1)),
        bad("vlogPercentile", "1.5", b -> b.vlogPercentile(1.5)),
        bad("vlogPercentile", "NaN", b -> b.vlogPercentile(Double.NaN)),
        bad("valueLogFileSize", String.valueOf(MIB - 1), b -> b.valueLogFileSize(MIB - 1)),
        bad("valueLogFileSize", String.valueOf(2 * GIB), b -> b.valueLogFileSize(2 * GIB)),
        bad("valueLogMaxEntries", "0", b -> b.valueLogMaxEntries(0)),
        bad("valueLogGCDiscardRatio", "0.0", b -> b.valueLogGCDiscardRatio(0)),
        bad("valueLogGCDiscardRatio", "1.0", b -> b.valueLogGCDiscardRatio(1)),
        bad("blockSize", "255", b -> b.blockSize(255)),
        bad("blockSize", String.valueOf(MIB + 1), b -> b.blockSize((int) MIB + 1)),
        bad("bloomFalsePositive", "-0.01", b -> b.bloomFalsePositive(-0.01)),
        bad("bloomFalsePositive", "1.0", b -> b.bloomFalsePositive(1.0)),
        bad("bloomFalsePositive", "NaN", b -> b.bloomFalsePositive(Double.NaN)),
        bad("blockCacheSize", "-1", b -> b.blockCacheSize(-1)),
        bad("indexCacheSize", "-1", b -> b.indexCacheSize(-1)),
        bad("zstdLevel", "0", b -> b.zstdLevel(0)),
        bad("zstdLevel", "23", b -> b.zstdLevel(23)),
        bad("zstdLevel", "-8", b -> b.zstdLevel(-8)),
        bad("numLevelZeroTables", "0", b -> b.numLevelZeroTables(0)),
        bad("numLevelZeroTablesStall", "1", b -> b.numLevelZeroTablesStall(1)),
        bad("numCompactors", "-1", b -> b.numCompactors(-1)),
        bad("encryptionKey", "7 bytes", b -> b.encryptionKey(new byte[7])),
        bad("encryptionKey", "33 bytes", b -> b.encryptionKey(new byte[33])),
        bad("encryptionKeyRotation", "PT0.5S",
            b -> b.encryptionKeyRotation(Duration.ofMillis(500))),
        bad("encryptionKeyRotation", "PT-1H", b -> b.encryptionKeyRotation(Duration.ofHours(-1))),
        bad("namespaceOffset", "-2", b -> b.namespaceOffset(-2)),
        bad("namespaceOffset", "64993", b -> b.namespaceOffset(64_993)),
        bad("externalMagic", "-1", b -> b.externalMagic(-1)),
        bad("externalMagic", "65536", b -> b.externalMagic(65_536)));
  }

  private static Arguments bad(String option, String value, Consumer<Options.Builder> setter) {
    return Arguments.of(option, value, setter);
  }

  @ParameterizedTest(name = "{0} = {1}")
  @MethodSource("badValues")
  void setterRejectsBadValueAtOnceNamingOptionAndValue(
      String option, String value, Consumer<Options.Builder> setter) {
    Options.Builder builder = builder();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> setter.accept(builder));
    assertTrue(e.getMessage().startsWith(option + " must "), e.getMessage());
    assertTrue(e.getMessage().endsWith(", was " + value), e.getMessage());
    assertEquals(builder().build(), builder.build(), "a rejected value leaves the builder as is");
  }

  @Test
  void messageStatesTheRuleInReadableUnits() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> builder().memTableSize(1000));
    assertEquals("memTableSize must be in [64 KiB, 1 GiB], was 1000", e.getMessage());
  }

  static Stream<Arguments> boundaryValues() {
    return Stream.of(
        good("numVersionsToKeep=1", b -> b.numVersionsToKeep(1)),
        good("memTableSize=64 KiB", b -> b.memTableSize(64 * KIB)),
        good("memTableSize=1 GiB", b -> b.memTableSize(GIB).valueThreshold(0)),
        good("numMemtables=1", b -> b.numMemtables(1)),
        good("baseTableSize=1 KiB", b -> b.baseTableSize(KIB)),
        good("baseTableSize=1 GiB", b -> b.baseTableSize(GIB)),
        good("baseLevelSize=1 KiB", b -> b.baseLevelSize(KIB)),
        good("levelSizeMultiplier=2", b -> b.levelSizeMultiplier(2)),
        good("tableSizeMultiplier=1", b -> b.tableSizeMultiplier(1)),
        good("maxLevels=2", b -> b.maxLevels(2)),
        good("maxLevels=20", b -> b.maxLevels(20)),
        good("valueThreshold=0", b -> b.valueThreshold(0)),
        good("valueThreshold=1 MiB", b -> b.valueThreshold((int) MIB)),
        good("vlogPercentile=0", b -> b.vlogPercentile(0)),
        good("vlogPercentile=1", b -> b.vlogPercentile(1)),
        good("valueLogFileSize=1 MiB", b -> b.valueLogFileSize(MIB)),
        good("valueLogFileSize=2 GiB-1", b -> b.valueLogFileSize(2 * GIB - 1)),
        good("valueLogMaxEntries=1", b -> b.valueLogMaxEntries(1)),
        good("blockSize=256", b -> b.blockSize(256)),
        good("blockSize=1 MiB", b -> b.blockSize((int) MIB)),
        good("bloomFalsePositive=0", b -> b.bloomFalsePositive(0)),
        good("bloomFalsePositive=0.999", b -> b.bloomFalsePositive(0.999)),
        good("blockCacheSize=0", b -> b.blockCacheSize(0)),
        good("indexCacheSize=0", b -> b.indexCacheSize(0)),
        good("zstdLevel=-7", b -> b.zstdLevel(-7)),
        good("zstdLevel=-1", b -> b.zstdLevel(-1)),
        good("zstdLevel=22", b -> b.zstdLevel(22)),
        good("numLevelZeroTables=1", b -> b.numLevelZeroTables(1)),
        good("numLevelZeroTablesStall=2", b -> b.numLevelZeroTables(1).numLevelZeroTablesStall(2)),
        good("numCompactors=0", b -> b.numCompactors(0)),
        good("numCompactors=1", b -> b.numCompactors(1)),
        good("encryptionKey=null", b -> b.encryptionKey(null)),
        good("namespaceOffset=-1", b -> b.namespaceOffset(-1)),
        good("externalMagic=65535", b -> b.externalMagic(65_535)),
        good("lmaxCompaction with 1 compactor", b -> b.numCompactors(1).lmaxCompaction(true)));
  }

  private static Arguments good(String name, Consumer<Options.Builder> setter) {
    return Arguments.of(name, setter);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("boundaryValues")
  void boundaryValuesAreAccepted(String name, Consumer<Options.Builder> setter) {
    Options.Builder builder = builder();
    setter.accept(builder);
    builder.build();
  }

  @Test
  void nullsAreRejectedNamingTheOption() {
    List<String> messages = Stream.<Consumer<Options.Builder>>of(
            b -> b.valueDir(null),
            b -> b.compression(null),
            b -> b.checksumVerification(null),
            b -> b.encryptionKeyRotation(null),
            b -> b.openTelemetry(null),
            b -> b.clock(null))
        .map(setter -> assertThrows(NullPointerException.class, () -> setter.accept(builder()))
            .getMessage())
        .toList();
    assertEquals(
        List.of(
            "valueDir must not be null",
            "compression must not be null",
            "checksumVerification must not be null",
            "encryptionKeyRotation must not be null",
            "openTelemetry must not be null",
            "clock must not be null"),
        messages);
  }

  /**
   * Every option is built: none is refused by {@code build()} any more (OptionEffectsTest shows
   * what each one does). These were refused until their features existed.
   */
  @Test
  void encryptionNamespaceAndIndexCacheOptionsBuild() {
    Options options = builder().encryptionKey(new byte[24])
        .encryptionKeyRotation(Duration.ofSeconds(1)).namespaceOffset(64_992)
        .indexCacheSize(1 << 20).build();
    assertEquals(24, options.encryptionKey().length);
    assertEquals(Duration.ofSeconds(1), options.encryptionKeyRotation());
    assertEquals(64_992, options.namespaceOffset());
    assertEquals(1 << 20, options.indexCacheSize());
    Options defaults = builder().encryptionKey(null).encryptionKey(new byte[0]).build();
    assertEquals(0, defaults.encryptionKey().length);
    assertEquals(-1, defaults.namespaceOffset());
    assertEquals(0, defaults.indexCacheSize());
  }

  @Test
  void buildRequiresStallAboveLevelZeroTables() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> builder().numLevelZeroTables(10).numLevelZeroTablesStall(10).build());
    assertEquals(
        "numLevelZeroTablesStall must be greater than numLevelZeroTables (10), was 10",
        e.getMessage());
    builder().numLevelZeroTables(10).numLevelZeroTablesStall(11).build();
  }

  @Test
  void buildRequiresValueThresholdWithinMaxBatchSize() {
    // Badger's TestLSMOnly: a 1 MiB threshold does not fit a 1 MiB memtable's batches.
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> builder().memTableSize(MIB).valueThreshold((int) MIB).build());
    assertTrue(e.getMessage().startsWith("valueThreshold must be at most maxBatchSize (157286"),
        e.getMessage());
    assertTrue(e.getMessage().endsWith(", was 1048576"), e.getMessage());

    Options fits = builder().memTableSize(MIB).valueThreshold(157_286).build();
    assertEquals(fits.maxBatchSize(), fits.valueThreshold());
    // The default threshold fits the smallest memtable, so tiny test stores need no tuning.
    builder().memTableSize(64 * KIB).build();
  }

  @Test
  void inMemoryStoreHasNoDirectoriesAndCannotBeReadOnly() {
    Options inMemory = Options.builder(null).inMemory(true).build();
    assertTrue(inMemory.inMemory());
    assertNull(inMemory.dir());
    assertNull(inMemory.valueDir());

    assertMessage("dir must be null for an in-memory store (use Options.builder(null)), was "
        + DIR, builder().inMemory(true));
    assertMessage("valueDir must not be set for an in-memory store, was " + DIR,
        Options.builder(null).inMemory(true).valueDir(DIR));
    assertMessage("readOnly must be false for an in-memory store, was true",
        Options.builder(null).inMemory(true).readOnly(true));
    assertMessage("dir must be set unless inMemory is true, was null", Options.builder(null));
  }

  @Test
  void lmaxCompactionNeedsACompactor() {
    assertMessage("lmaxCompaction must be false when numCompactors is 0, was true",
        builder().numCompactors(0).lmaxCompaction(true));
  }

  private static void assertMessage(String expected, Options.Builder builder) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, builder::build);
    assertEquals(expected, e.getMessage());
  }

  @Test
  void valueDirDefaultsToDirAndCanBeSeparate() {
    Path values = Path.of("/fast/values");
    Options options = builder().valueDir(values).build();
    assertEquals(DIR, options.dir());
    assertEquals(values, options.valueDir());
  }

  private static Options everyOptionChanged() {
    return builder()
        .valueDir(Path.of("/other"))
        .syncWrites(true)
        .numVersionsToKeep(3)
        .readOnly(true)
        .memTableSize(MIB)
        .numMemtables(2)
        .baseTableSize(512 * KIB)
        .baseLevelSize(4 * MIB)
        .levelSizeMultiplier(8)
        .tableSizeMultiplier(3)
        .maxLevels(5)
        .valueThreshold(100)
        .vlogPercentile(0.99)
        .valueLogFileSize(16 * MIB)
        .valueLogMaxEntries(1000)
        .autoValueLogGC(false)
        .valueLogGCDiscardRatio(0.25)
        .blockSize(8192)
        .bloomFalsePositive(0.001)
        .blockCacheSize(MIB)
        .indexCacheSize(MIB)
        .compression(Compression.ZSTD)
        .zstdLevel(3)
        .numLevelZeroTables(2)
        .numLevelZeroTablesStall(4)
        .numCompactors(1)
        .compactL0OnClose(true)
        .lmaxCompaction(true)
        .detectConflicts(false)
        .verifyValueChecksum(false)
        .checksumVerification(ChecksumVerification.ON_TABLE_AND_BLOCK_READ)
        .namespaceOffset(4)
        .externalMagic(7)
        .encryptionKey(new byte[32])
        .encryptionKeyRotation(Duration.ofDays(3))
        .openTelemetry(OpenTelemetry.propagating(
            io.opentelemetry.context.propagation.ContextPropagators.noop()))
        .clock(Clock.fixed(Instant.ofEpochSecond(1_000), ZoneOffset.UTC))
        .valueLogKeyOrder(false)
        .build();
  }

  @Test
  void toBuilderRoundTripsEveryOption() {
    Options options = everyOptionChanged();
    Options copy = options.toBuilder().build();
    assertEquals(options, copy);
    assertEquals(options.hashCode(), copy.hashCode());
    assertEquals(options.toString(), copy.toString());

    // Each option of everyOptionChanged() differs from the default, so equality covers them all;
    // inMemory excludes a directory and readOnly, so it has a round trip of its own.
    Options defaults = Options.builder(Path.of("/elsewhere")).build();
    for (Method accessor : optionAccessors()) {
      if (!accessor.getName().equals("inMemory")) {
        assertFalse(accessorValueEquals(accessor, options, defaults),
            accessor.getName() + " is not exercised by the round-trip test");
      }
    }
    assertNotEquals(defaults, options);

    Options inMemory = Options.builder(null).inMemory(true).build();
    assertEquals(inMemory, inMemory.toBuilder().build());
  }

  @Test
  void toBuilderDerivesWithoutChangingTheOriginal() {
    Options original = builder().build();
    Options derived = original.toBuilder().syncWrites(true).build();
    assertTrue(derived.syncWrites());
    assertFalse(original.syncWrites());
    assertEquals(original, derived.toBuilder().syncWrites(false).build());
  }

  @Test
  void toStringListsEveryOptionButHidesTheKey() {
    Options options = everyOptionChanged();
    String text = options.toString();
    for (Method accessor : optionAccessors()) {
      assertTrue(text.contains(accessor.getName() + "="), accessor.getName() + " missing: " + text);
    }
    assertTrue(builder().build().toString().contains("encryptionKey=none"));
    assertTrue(text.contains("encryptionKey=32 bytes"), text);
  }

  /** The accessors of options: public, no parameters, not derived and not Object's. */
  private static List<Method> optionAccessors() {
    Set<String> notOptions = Set.of(
        "toBuilder", "maxBatchSize", "maxBatchCount", "hashCode", "toString", "getClass");
    List<Method> accessors = Arrays.stream(Options.class.getMethods())
        .filter(m -> m.getParameterCount() == 0 && !Modifier.isStatic(m.getModifiers()))
        .filter(m -> m.getReturnType() != void.class && !notOptions.contains(m.getName()))
        .toList();
    assertEquals(40, accessors.size(), accessors.toString());
    return accessors;
  }

  private static boolean accessorValueEquals(Method accessor, Options a, Options b) {
    try {
      Object left = accessor.invoke(a);
      Object right = accessor.invoke(b);
      return left instanceof byte[] bytes
          ? Arrays.equals(bytes, (byte[]) right)
          : java.util.Objects.equals(left, right);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError("cannot call " + accessor, e);
    }
  }

  @Test
  void everyBuilderMethodHasAnAccessorOfTheSameName() {
    Set<String> accessorNames = new java.util.HashSet<>();
    optionAccessors().forEach(m -> accessorNames.add(m.getName()));
    for (Method setter : Options.Builder.class.getMethods()) {
      if (setter.getReturnType() == Options.Builder.class) {
        assertTrue(accessorNames.contains(setter.getName()), setter.getName());
        assertEquals(1, setter.getParameterCount(), setter.getName());
      }
    }
  }
}
