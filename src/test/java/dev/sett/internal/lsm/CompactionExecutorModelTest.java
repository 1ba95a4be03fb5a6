package dev.sett.internal.lsm;

import static dev.sett.internal.lsm.CompactionFixture.KEEP_ALL;
import static dev.sett.internal.lsm.CompactionFixture.NOW_SECONDS;
import static dev.sett.internal.lsm.CompactionFixture.read;
import static dev.sett.internal.lsm.CompactionFixture.staleBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sett.internal.codec.CompressionType;
import dev.sett.internal.fs.InMemoryFileSystem;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.Meta;
import dev.sett.internal.lsm.CompactionFixture.Version;
import dev.sett.internal.sstable.Table;
import dev.sett.internal.sstable.TableOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * Random compactions (versions, tombstones, expiry, discard bits, merge operands, duplicate
 * versions across sources, drop prefixes, discardTs, numVersionsToKeep, table sizes, 0 to 12
 * bottom tables so 1 to 4 splits) against {@link CompactionModel}. Replay a failure with
 * {@code -Dsett.seed=<seed>}.
 */
class CompactionExecutorModelTest {
  private static final int CASES = 300;
  private static final String ALPHABET = "abcd";

  @Test
  void randomCompactionsMatchTheModel() throws IOException {
    long seed = Long.getLong("sett.seed", System.nanoTime());
    System.out.println("CompactionExecutorModelTest seed " + seed);
    Random random = new Random(seed);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      for (int testCase = 0; testCase < CASES; testCase++) {
        runCase(random, pool, "seed " + seed + ", case " + testCase);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static void runCase(Random random, ExecutorService pool, String label)
      throws IOException {
    TableOptions options = new TableOptions(64 + random.nextInt(256), 0.01,
        random.nextInt(3) == 0 ? CompressionType.LZ4 : CompressionType.NONE,
        TableOptions.DEFAULT_ZSTD_LEVEL, false, true);
    long discardTs = random.nextInt(36);
    int numVersionsToKeep = new int[] {1, 2, 3, KEEP_ALL}[random.nextInt(4)];
    boolean dataMayExistBelow = random.nextBoolean();
    long targetFileSize = new long[] {150, 600, 4000, 64 << 20}[random.nextInt(4)];
    List<String> dropPrefixes = new ArrayList<>();
    if (random.nextInt(4) == 0) {
      for (int i = random.nextInt(2); i >= 0; i--) {
        dropPrefixes.add(randomKey(random, 2));
      }
    }
    int level;
    int targetLevel;
    List<List<Version>> topContents = new ArrayList<>();
    List<List<Version>> bottomContents = new ArrayList<>();
    TreeMap<byte[], Version> existing = new TreeMap<>(InternalKey::compare);
    switch (random.nextInt(4)) {
      case 0 -> { // L0 -> base: overlapping tops, newest first
        level = 0;
        targetLevel = 1 + random.nextInt(6);
        bottomContents = sortedLevel(random, 1 + random.nextInt(12), existing);
        for (int i = random.nextInt(4); i >= 0; i--) {
          topContents.add(randomTable(random, existing));
        }
      }
      case 1 -> { // Li -> Li+1
        level = 1 + random.nextInt(5);
        targetLevel = level + 1;
        bottomContents = sortedLevel(random, random.nextInt(13), existing);
        topContents.add(randomTable(random, existing));
      }
      case 2 -> { // L0 -> L0
        level = 0;
        targetLevel = 0;
        for (int i = random.nextInt(4); i >= 0; i--) {
          topContents.add(randomTable(random, existing));
        }
      }
      default -> { // Lmax -> Lmax or a DropPrefix compaction: one level, split at random
        level = 6;
        targetLevel = 6;
        List<List<Version>> tables = sortedLevel(random, 1 + random.nextInt(4), existing);
        int topCount = random.nextInt(tables.size() + 1);
        topContents = new ArrayList<>(tables.subList(0, topCount));
        bottomContents = new ArrayList<>(tables.subList(topCount, tables.size()));
      }
    }

    try (CompactionFixture fixture = new CompactionFixture(new InMemoryFileSystem(), options)) {
      List<Table> top = new ArrayList<>();
      for (List<Version> content : topContents) {
        top.add(fixture.table(content));
      }
      List<Table> bottom = new ArrayList<>();
      List<Version> bottomLevel = new ArrayList<>();
      for (List<Version> content : bottomContents) {
        bottom.add(fixture.table(content));
        bottomLevel.addAll(content);
      }
      List<byte[]> prefixBytes = new ArrayList<>();
      for (String prefix : dropPrefixes) {
        prefixBytes.add(prefix.getBytes(StandardCharsets.UTF_8));
      }
      CompactionInput input = new CompactionInput(level, targetLevel, top, bottom, List.of(),
          dataMayExistBelow, discardTs, numVersionsToKeep, targetFileSize, prefixBytes,
          NOW_SECONDS);
      List<List<Version>> sources = new ArrayList<>(topContents);
      sources.add(bottomLevel);
      CompactionModel.Result expected = CompactionModel.compact(sources, discardTs,
          numVersionsToKeep, dataMayExistBelow, dropPrefixes, NOW_SECONDS);

      CompactionOutput output = fixture.run(fixture.executor(pool), input);
      String context = label + ": " + input.level() + "->" + input.targetLevel() + ", "
          + top.size() + "+" + bottom.size() + " tables, discardTs " + discardTs + ", keep "
          + numVersionsToKeep + ", below " + dataMayExistBelow + ", prefixes " + dropPrefixes
          + ", target " + targetFileSize + "\n sources " + sources;
      assertEquals(expected.versions(), read(output.tables()), context);
      assertEquals(expected.staleBytes(), staleBytes(output.tables()), context);
      assertEquals(expected.versions().size(), output.entriesWritten(), context);
      assertEquals(output.entriesRead() - output.entriesWritten(), output.entriesDropped(),
          context);
    }
  }

  /** Sorted, non-overlapping tables; each key has all its versions in one table. */
  private static List<List<Version>> sortedLevel(Random random, int tableCount,
      TreeMap<byte[], Version> existing) {
    TreeSet<String> keys = new TreeSet<>();
    int wanted = tableCount + random.nextInt(3 * tableCount + 1);
    while (keys.size() < Math.min(wanted, 80)) {
      keys.add(randomKey(random, 3));
    }
    List<String> sortedKeys = new ArrayList<>(keys); // ASCII: String order is byte order
    tableCount = Math.min(tableCount, sortedKeys.size());
    List<List<Version>> tables = new ArrayList<>();
    int start = 0;
    for (int table = 0; table < tableCount; table++) {
      int remainingTables = tableCount - table;
      int end = table == tableCount - 1 ? sortedKeys.size()
          : start + 1 + random.nextInt(sortedKeys.size() - start - remainingTables + 1);
      List<Version> content = new ArrayList<>();
      for (String key : sortedKeys.subList(start, end)) {
        TreeSet<Long> versions = new TreeSet<>();
        for (int i = random.nextInt(3); i >= 0; i--) {
          versions.add(1L + random.nextInt(30));
        }
        for (long version : versions) {
          content.add(remember(randomVersion(random, key, version), existing));
        }
      }
      tables.add(content);
      start = end;
    }
    return tables;
  }

  /** 1 to 25 random versions; some repeat a key and version of another source. */
  private static List<Version> randomTable(Random random, TreeMap<byte[], Version> existing) {
    TreeMap<byte[], Version> content = new TreeMap<>(InternalKey::compare);
    for (int i = random.nextInt(25); i >= 0; i--) {
      Version version;
      if (!existing.isEmpty() && random.nextInt(5) == 0) {
        Version other = new ArrayList<>(existing.values()).get(random.nextInt(existing.size()));
        version = randomVersion(random, other.key(), other.version());
      } else {
        version = randomVersion(random, randomKey(random, 3), 1L + random.nextInt(30));
      }
      content.putIfAbsent(version.internalKey(), version);
    }
    for (Version version : content.values()) {
      remember(version, existing);
    }
    return new ArrayList<>(content.values());
  }

  private static Version remember(Version version, TreeMap<byte[], Version> existing) {
    existing.put(version.internalKey(), version);
    return version;
  }

  private static Version randomVersion(Random random, String key, long version) {
    int kind = random.nextInt(100);
    String value = "v" + random.nextInt(1000);
    if (kind < 55) {
      return new Version(key, version, (byte) 0, 0, value);
    } else if (kind < 70) {
      return new Version(key, version, Meta.DELETE, 0, "");
    } else if (kind < 80) {
      return new Version(key, version, Meta.DISCARD_EARLIER_VERSIONS, 0, value);
    } else if (kind < 90) {
      return new Version(key, version, Meta.MERGE_ENTRY, 0, value);
    } else if (kind < 95) {
      return new Version(key, version, (byte) 0, NOW_SECONDS - 2 + random.nextInt(5), value);
    }
    byte meta = (byte) (random.nextInt(2) * Meta.DELETE
        | random.nextInt(2) * Meta.DISCARD_EARLIER_VERSIONS
        | random.nextInt(2) * Meta.MERGE_ENTRY);
    return new Version(key, version, meta, random.nextBoolean() ? 0 : NOW_SECONDS, value);
  }

  private static String randomKey(Random random, int maxLength) {
    StringBuilder key = new StringBuilder();
    for (int i = random.nextInt(maxLength); i >= 0; i--) {
      key.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return key.toString();
  }
}
