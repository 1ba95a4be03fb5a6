package dev.sett.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sett.CorruptionException;
import dev.sett.CrashLoopWriter;
import dev.sett.DB;
import dev.sett.DbIterator;
import dev.sett.Item;
import dev.sett.IteratorOptions;
import dev.sett.KV;
import dev.sett.Options;
import dev.sett.SettException;
import dev.sett.Txn;
import dev.sett.internal.db.FaultyStores;
import dev.sett.internal.fs.FaultInjectingFileSystem;
import dev.sett.internal.fs.FaultInjectingFileSystem.Op;
import dev.sett.internal.fs.FaultInjectingFileSystem.PowerLoss;
import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.fs.InMemoryFileSystem;
import dev.sett.internal.fs.UnsupportedFormatException;
import dev.sett.internal.fs.WritableFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bit flips in value log files (issue 11, "keep integrity whole"). A store left by a crash with
 * its values in several {@code .vlog} files (sealed ones and the last one, with overwritten values
 * as garbage for GC) gets one bit flipped in one of them: in the file header, a record's length or
 * checksum, or a value's bytes. The store is then opened and every path that reads a value is
 * run: {@code db.get}, {@code txn.get} with {@code Item.value}, iterators with and without value
 * prefetching (forward and reverse), a {@code Stream}, {@code db.backup}, value log GC and {@code
 * verifyChecksum}. Each path must return exactly what was written or throw a {@link
 * CorruptionException} naming the damaged file; nothing may return wrong data or throw anything
 * else. Each trial must end:
 *
 * <ul>
 *   <li><b>detected at open</b>: the flip hit a synced record of the last file that a synced
 *       transaction names (the WAL replay proves it), or a header;
 *   <li><b>refused version</b>: the flip hit the header's version field;
 *   <li><b>detected on read</b>: the store opened, and every path that reads the damaged value
 *       reports it (and {@code verifyChecksum} does);
 *   <li><b>torn tail</b>: the flip hit the records of the last transactions in the last file,
 *       which recovery cannot tell from a tail torn by the crash: the store holds a prefix of the
 *       commit order (the keys the lost commits overwrote hold their old values again).
 * </ul>
 *
 * The seed is printed; replay with {@code -Dsett.seed=...}; more trials with {@code
 * -Dsett.valueLogBitFlip.trials=2000}.
 */
class ValueLogBitFlipTest {
  private static final Path DIR = Path.of("/vlog-bit-flips/store");
  private static final int TRIALS = Integer.getInteger("sett.valueLogBitFlip.trials", 60);
  private static final int KEYS = 400;

  enum Outcome { DETECTED_AT_OPEN, REFUSED_VERSION, DETECTED_ON_READ, TORN_TAIL }

  enum Region { HEADER, RECORD_LENGTH, RECORD_CHECKSUM, VALUE }

  @ParameterizedTest(name = "encrypted={0}")
  @ValueSource(booleans = {false, true})
  void everyFlippedValueLogBitIsReportedOnEveryReadPath(boolean encrypted) throws IOException {
    long seed = Long.getLong("sett.seed", new SplittableRandom().nextLong());
    System.out.println("ValueLogBitFlipTest seed " + seed + " (-Dsett.seed=" + seed
        + "), encrypted " + encrypted);
    SplittableRandom random = new SplittableRandom(seed);
    Map<String, byte[]> template = crashedStore(random, encrypted);
    List<String> valueLogs = new ArrayList<>();
    for (String name : template.keySet()) {
      if (name.endsWith(".vlog") && template.get(name).length > 20) {
        valueLogs.add(name);
      }
    }
    assertTrue(valueLogs.size() >= 3, "the template needs several value log files: "
        + template.keySet());
    String lastValueLog = valueLogs.get(valueLogs.size() - 1);
    Map<Region, Map<Outcome, Integer>> outcomes = new EnumMap<>(Region.class);
    int trials = encrypted ? TRIALS / 2 : TRIALS;
    for (int trial = 0; trial < trials; trial++) {
      String name = valueLogs.get(random.nextInt(valueLogs.size()));
      byte[] bytes = template.get(name).clone();
      Region region = Region.values()[random.nextInt(Region.values().length)];
      int offset = offsetIn(bytes, region, random);
      int bit = random.nextInt(8);
      bytes[offset] ^= (byte) (1 << bit);
      String context = "bit " + bit + " of byte " + offset + " (" + region + ") of " + name
          + "; seed " + seed;
      Outcome outcome = trial(template, name, bytes, name.equals(lastValueLog), context);
      outcomes.computeIfAbsent(region, r -> new EnumMap<>(Outcome.class))
          .merge(outcome, 1, Integer::sum);
    }
    System.out.println("ValueLogBitFlipTest (encrypted " + encrypted + "): " + trials
        + " trials by region: " + outcomes);
  }

  /** A random offset in {@code region} of a value log file: its header or one of its records. */
  private static int offsetIn(byte[] file, Region region, SplittableRandom random) {
    if (region == Region.HEADER) {
      return random.nextInt(20);
    }
    List<int[]> records = new ArrayList<>(); // {start, length}
    ByteBuffer view = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    for (int at = 20; at + 8 <= file.length; ) {
      int body = view.getInt(at);
      records.add(new int[] {at, 8 + body});
      at += 8 + body;
    }
    int[] record = records.get(random.nextInt(records.size()));
    return switch (region) {
      case RECORD_LENGTH -> record[0] + random.nextInt(4);
      case RECORD_CHECKSUM -> record[0] + 4 + random.nextInt(4);
      // The value is the end of the body: its last VALUE_SIZE bytes.
      default -> record[0] + record[1] - 1 - random.nextInt(VALUE_SIZE);
    };
  }

  private static Outcome trial(Map<String, byte[]> template, String damagedName, byte[] damaged,
      boolean lastValueLog, String context) throws IOException {
    InMemoryFileSystem fs = copy(template, damagedName, damaged);
    DB db;
    try {
      db = FaultyStores.open(builder(template).numCompactors(0).build(), fs);
    } catch (CorruptionException e) {
      assertNamesDamagedFile(e, damagedName, context);
      return Outcome.DETECTED_AT_OPEN;
    } catch (SettException e) {
      if (e.getCause() instanceof UnsupportedFormatException unsupported
          && unsupported.file().getFileName().toString().equals(damagedName)) {
        return Outcome.REFUSED_VERSION;
      }
      throw new AssertionError("open failed with neither corruption nor a refused version: "
          + context, e);
    }
    try {
      ReadPaths paths = new ReadPaths(damagedName, context);
      long present = paths.gets(db);
      if (paths.tornTail) {
        // A prefix of the commit order survived: only the last file's tail may be torn.
        assertTrue(lastValueLog, "keys lost after a flip outside the last value log file: "
            + context);
      }
      paths.transactionGets(db, present);
      paths.iterate(db, present, false, false);
      paths.iterate(db, present, true, false);
      paths.iterate(db, present, true, true);
      paths.stream(db, present);
      paths.backup(db, present);
      paths.verifyChecksum(db);
      paths.valueLogGc(db);
      if (paths.reported.isEmpty()) {
        assertTrue(paths.tornTail, "a flipped value log bit went unnoticed by every path: "
            + context);
        return Outcome.TORN_TAIL;
      }
      paths.assertEveryValuePathReported();
      return Outcome.DETECTED_ON_READ;
    } finally {
      try {
        db.close();
      } catch (SettException ignored) {
        // what matters is what the store returned
      }
    }
  }

  /** Runs the read paths, checking every value returned and noting which paths reported. */
  private static final class ReadPaths {
    private final String damagedName;
    private final String context;
    /** The paths that threw a CorruptionException naming the damaged file. */
    final List<String> reported = new ArrayList<>();
    /** Whether db.get met the damaged value (it is live): then every value path must. */
    private boolean liveValueDamaged;
    /** Whether the store lost the last commits: some key is missing or holds its old value. */
    boolean tornTail;
    /** What each key holds after the flip, as db.get found it. */
    private final byte[][] expected = new byte[KEYS][];

    ReadPaths(String damagedName, String context) {
      this.damagedName = damagedName;
      this.context = context;
    }

    /**
     * Reads every key with db.get; returns how many are present. The commit order wrote every
     * key's old value, then every key's new one, so a prefix of it leaves the keys that hold their
     * new value first, then those holding their old one, then (only if no key holds a new value)
     * the missing ones.
     */
    long gets(DB db) {
      long present = 0;
      int previous = NEW;
      boolean anyNew = false;
      for (int i = 0; i < KEYS; i++) {
        byte[] value;
        try {
          value = db.get(key(i));
        } catch (CorruptionException e) {
          note("db.get", e);
          liveValueDamaged = true;
          expected[i] = value(i);
          present++;
          continue;
        }
        int state = value == null ? MISSING
            : Arrays.equals(value, value(i)) ? NEW
            : Arrays.equals(value, oldValue(i)) ? OLD : -1;
        if (state < 0) {
          fail("db.get returned a wrong value for key " + i + "; " + context);
        }
        if (state > previous || (state == MISSING && anyNew)) {
          fail("key " + i + " is not what a prefix of the commit order leaves; " + context);
        }
        previous = state;
        anyNew |= state == NEW;
        tornTail |= state != NEW;
        expected[i] = value;
        if (value != null) {
          present++;
        }
      }
      return present;
    }

    void transactionGets(DB db, long present) {
      boolean met = false;
      try (Txn txn = db.newTransaction(false)) {
        for (int i = 0; i < present; i++) {
          try {
            Item item = txn.get(key(i));
            if (item == null) {
              fail("txn.get lost key " + i + "; " + context);
            }
            check(i, item.value(), "txn.get");
          } catch (CorruptionException e) {
            note("txn.get", e);
            met = true;
          }
        }
      }
      assertTrue(met == liveValueDamaged, "txn.get and db.get disagree; " + context);
    }

    void iterate(DB db, long present, boolean prefetch, boolean reverse) {
      String path = "iterator prefetch=" + prefetch + " reverse=" + reverse;
      try (Txn txn = db.newTransaction(false);
          DbIterator it = txn.newIterator(IteratorOptions.builder().prefetchValues(prefetch)
              .reverse(reverse).build())) {
        long seen = 0;
        for (it.rewind(); it.valid(); it.next()) {
          Item item = it.item();
          int i = index(item.key());
          check(i, item.value(), path);
          seen++;
        }
        assertEquals(present, seen, path + " saw another number of keys; " + context);
      } catch (CorruptionException e) {
        note(path, e);
        return;
      }
      assertTrue(!liveValueDamaged, path + " returned every value, db.get did not; " + context);
    }

    void stream(DB db, long present) {
      long[] seen = {0};
      Consumer<List<KV>> sink = batch -> {
        for (KV kv : batch) {
          check(index(kv.key()), kv.value(), "stream");
          seen[0]++;
        }
      };
      try {
        db.newStream().send(sink).orchestrate();
      } catch (CorruptionException e) {
        note("stream", e);
        return;
      }
      assertEquals(present, seen[0], "stream saw another number of keys; " + context);
      assertTrue(!liveValueDamaged, "the stream returned every value, db.get did not; "
          + context);
    }

    void backup(DB db, long present) {
      try {
        db.backup(new ByteArrayOutputStream(), 0);
      } catch (CorruptionException e) {
        note("backup", e);
        return;
      }
      assertTrue(!liveValueDamaged, "the backup read every value, db.get did not; " + context);
    }

    void verifyChecksum(DB db) {
      try {
        db.verifyChecksum();
      } catch (CorruptionException e) {
        note("verifyChecksum", e);
      }
    }

    /** GC until it finds nothing to rewrite: a damaged file it scans must be reported. */
    void valueLogGc(DB db) {
      try {
        for (int i = 0; i < 20 && db.runValueLogGC(0.01); i++) {
          // each call rewrites one file
        }
      } catch (CorruptionException e) {
        note("value log GC", e);
        return;
      }
      // After GC, every value must still read back right (or as damaged, as before).
      for (int i = 0; i < KEYS; i++) {
        try {
          byte[] value = db.get(key(i));
          if (value != null) {
            check(i, value, "db.get after GC");
          }
        } catch (CorruptionException e) {
          note("db.get after GC", e);
        }
      }
    }

    void assertEveryValuePathReported() {
      assertTrue(reported.contains("verifyChecksum"), "verifyChecksum missed the flip (reported: "
          + reported + "); " + context);
    }

    private void note(String path, CorruptionException e) {
      assertNamesDamagedFile(e, damagedName, path + ": " + context);
      if (!reported.contains(path)) {
        reported.add(path);
      }
    }

    private void check(int i, byte[] value, String path) {
      if (!Arrays.equals(expected[i], value)) {
        fail(path + " returned a wrong value for key " + i + "; " + context);
      }
    }
  }

  private static void assertNamesDamagedFile(CorruptionException e, String damagedName,
      String context) {
    assertEquals(damagedName, e.file().getFileName().toString(),
        "the report names another file: " + e.getMessage() + "; " + context);
    assertTrue(e.offset() >= 0, e.getMessage());
  }

  private static Options.Builder builder(Map<String, byte[]> template) {
    return Options.builder(DIR).valueThreshold(64).valueLogMaxEntries(150)
        .encryptionKey(template.containsKey("KEYREGISTRY") ? CrashLoopWriter.TEST_KEY : null);
  }

  private static InMemoryFileSystem copy(Map<String, byte[]> template, String damagedName,
      byte[] damaged) throws IOException {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    fs.createDirectories(DIR);
    for (Map.Entry<String, byte[]> file : template.entrySet()) {
      byte[] content = file.getKey().equals(damagedName) ? damaged : file.getValue();
      try (WritableFile out = fs.createFile(DIR.resolve(file.getKey()))) {
        out.write(content);
      }
    }
    return fs;
  }

  /**
   * A store that crashed with every commit synced: each key written twice (the first values are
   * garbage for GC), spread over several value log files, some flushed to tables. Returns its
   * files by name.
   */
  private static Map<String, byte[]> crashedStore(SplittableRandom random, boolean encrypted)
      throws IOException {
    FaultInjectingFileSystem fs = new FaultInjectingFileSystem(new InMemoryFileSystem());
    Options options = Options.builder(DIR).valueThreshold(64).valueLogMaxEntries(150)
        .encryptionKey(encrypted ? CrashLoopWriter.TEST_KEY : null).syncWrites(true)
        .memTableSize(64 << 10).numCompactors(0).build();
    DB db = FaultyStores.open(options, fs);
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < KEYS; i++) {
        db.put(key(i), round == 0 ? oldValue(i) : value(i));
      }
    }
    fs.powerLossAtNth(Op.SYNC, 1, PowerLoss.DROP_UNSYNCED, random.split());
    try {
      db.put("unacknowledged".getBytes(StandardCharsets.UTF_8), new byte[10]);
    } catch (SettException expected) {
      // the power goes
    }
    try {
      db.close();
    } catch (SettException expected) {
      // the machine is off
    }
    fs.restart();
    Map<String, byte[]> files = new LinkedHashMap<>();
    FileSystem plain = fs;
    TreeMap<String, Path> sorted = new TreeMap<>();
    for (Path file : plain.list(DIR)) {
      sorted.put(file.getFileName().toString(), file);
    }
    for (Map.Entry<String, Path> file : sorted.entrySet()) {
      files.put(file.getKey(), plain.readAllBytes(file.getValue()));
    }
    return files;
  }

  private static final int VALUE_SIZE = 100;
  private static final int MISSING = 0;
  private static final int OLD = 1;
  private static final int NEW = 2;

  /** The value each key held first, overwritten by {@link #value}. */
  private static byte[] oldValue(int i) {
    return ("old " + i).repeat(20).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] key(int i) {
    return String.format("key%06d", i).getBytes(StandardCharsets.UTF_8);
  }

  private static int index(byte[] key) {
    return Integer.parseInt(new String(key, 3, key.length - 3, StandardCharsets.UTF_8));
  }

  /** Exactly VALUE_SIZE bytes, distinct per key. */
  private static byte[] value(int i) {
    byte[] value = new byte[VALUE_SIZE];
    byte[] prefix = ("value " + i + " ").getBytes(StandardCharsets.UTF_8);
    System.arraycopy(prefix, 0, value, 0, prefix.length);
    for (int j = prefix.length; j < VALUE_SIZE; j++) {
      value[j] = (byte) ('a' + (i + j) % 26);
    }
    return value;
  }
}
