package dev.sett.internal.lsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.fs.InMemoryFileSystem;
import dev.sett.internal.fs.WritableFile;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValueIterator;
import dev.sett.internal.key.Meta;
import dev.sett.internal.key.ValueStruct;
import dev.sett.internal.sstable.BlockCache;
import dev.sett.internal.sstable.Table;
import dev.sett.internal.sstable.TableBuilder;
import dev.sett.internal.sstable.TableOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Builds small real tables for compaction tests, in memory unless a test wraps the file system,
 * and reads them back. Closing it releases every table it opened and checks that nobody leaked or
 * over-released one.
 */
final class CompactionFixture implements AutoCloseable {
  static final Path DIRECTORY = Path.of("/db");
  static final long NOW_SECONDS = 1_000_000;
  static final int KEEP_ALL = Integer.MAX_VALUE;

  final FileSystem fileSystem;
  final TableOptions tableOptions;
  final BlockCache blockCache = BlockCache.disabled();
  final AtomicLong nextTableId = new AtomicLong(1);
  private final List<Table> inputs = new ArrayList<>();
  private final List<Table> outputs = new ArrayList<>();

  CompactionFixture() throws IOException {
    this(new InMemoryFileSystem(), TableOptions.defaults());
  }

  CompactionFixture(FileSystem fileSystem, TableOptions tableOptions) throws IOException {
    this.fileSystem = fileSystem;
    this.tableOptions = tableOptions;
    fileSystem.createDirectories(DIRECTORY);
  }

  /** One version of a user key, as tests write and read them. */
  record Version(String key, long version, byte meta, long expiresAt, String value) {
    Version {
      if (version < 0) {
        throw new IllegalArgumentException("tests use versions below 2^63");
      }
    }

    byte[] internalKey() {
      return InternalKey.of(key.getBytes(StandardCharsets.UTF_8), version);
    }

    ValueStruct valueStruct() {
      return new ValueStruct(meta, (byte) 0, expiresAt, version,
          value.getBytes(StandardCharsets.UTF_8));
    }

    boolean has(byte bit) {
      return (meta & bit) != 0;
    }

    /** Bytes {@code TableBuilder.addStale} counts for this version. */
    long staleBytes() {
      return internalKey().length + valueStruct().encodedSize();
    }

    static Version of(byte[] internalKey, ValueStruct value) {
      return new Version(new String(InternalKey.userKey(internalKey), StandardCharsets.UTF_8),
          InternalKey.version(internalKey), value.meta(), value.expiresAt(),
          new String(value.value(), StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
      StringBuilder text = new StringBuilder(key).append('@').append(version);
      if (has(Meta.DELETE)) {
        text.append('D');
      }
      if (has(Meta.DISCARD_EARLIER_VERSIONS)) {
        text.append('X');
      }
      if (has(Meta.MERGE_ENTRY)) {
        text.append('M');
      }
      if (expiresAt != 0) {
        text.append("(expires ").append(expiresAt).append(')');
      }
      return value.isEmpty() ? text.toString() : text.append('=').append(value).toString();
    }
  }

  static final Comparator<Version> KEY_ORDER =
      (a, b) -> InternalKey.compare(a.internalKey(), b.internalKey());

  static Version put(String key, long version) {
    return new Version(key, version, (byte) 0, 0, "");
  }

  static Version put(String key, long version, String value) {
    return new Version(key, version, (byte) 0, 0, value);
  }

  static Version delete(String key, long version) {
    return new Version(key, version, Meta.DELETE, 0, "");
  }

  static Version discardEarlier(String key, long version) {
    return new Version(key, version, Meta.DISCARD_EARLIER_VERSIONS, 0, "");
  }

  static Version merge(String key, long version) {
    return new Version(key, version, Meta.MERGE_ENTRY, 0, "");
  }

  static Version expiring(String key, long version, long expiresAt) {
    return new Version(key, version, (byte) 0, expiresAt, "");
  }

  /** Writes and opens a table of {@code versions} (any order); the fixture releases it. */
  Table table(Version... versions) throws IOException {
    return table(Arrays.asList(versions));
  }

  Table table(List<Version> versions) throws IOException {
    long id = nextTableId.getAndIncrement();
    write(id, versions);
    return open(id);
  }

  /**
   * A table that opens, but whose data block holding {@code marker} fails its checksum when read
   * (tables are opened without verifying blocks).
   */
  Table tableWithDamagedBlock(String marker, Version... versions) throws IOException {
    long id = nextTableId.getAndIncrement();
    write(id, Arrays.asList(versions));
    byte[] file = fileSystem.readAllBytes(tablePath(id));
    int at = indexOf(file, marker.getBytes(StandardCharsets.UTF_8));
    assertTrue(at >= 0, marker + " is not in the table");
    file[at] ^= 0x55;
    fileSystem.delete(tablePath(id));
    try (WritableFile writer = fileSystem.createFile(tablePath(id))) {
      writer.write(file);
    }
    return open(id);
  }

  private void write(long id, List<Version> versions) throws IOException {
    List<Version> sorted = new ArrayList<>(versions);
    sorted.sort(KEY_ORDER);
    TableBuilder builder = new TableBuilder(tableOptions);
    for (Version version : sorted) {
      builder.add(version.internalKey(), version.valueStruct());
    }
    builder.writeTo(fileSystem, tablePath(id));
  }

  private Table open(long id) throws IOException {
    Table table = Table.open(fileSystem, tablePath(id), id, tableOptions, blockCache);
    inputs.add(table);
    return table;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    return -1;
  }

  Path tablePath(long id) {
    return DIRECTORY.resolve(Table.fileName(id));
  }

  CompactionExecutor executor(Executor pool) {
    return new CompactionExecutor(new TableFiles(fileSystem, DIRECTORY, tableOptions, blockCache,
        nextTableId::getAndIncrement), pool);
  }

  /** Runs {@code input} on the calling thread's pool; the fixture releases the outputs. */
  CompactionOutput run(CompactionInput input) throws IOException {
    return run(executor(Runnable::run), input);
  }

  CompactionOutput run(CompactionExecutor executor, CompactionInput input) throws IOException {
    CompactionOutput output = executor.run(input);
    outputs.addAll(output.tables());
    assertWellFormed(output.tables());
    return output;
  }

  /** A compaction input with the common defaults: no level below, no prefixes, big files. */
  static CompactionInput input(int level, int targetLevel, List<Table> top, List<Table> bottom,
      boolean dataMayExistBelow, long discardTs, int numVersionsToKeep) {
    return new CompactionInput(level, targetLevel, top, bottom, List.of(), dataMayExistBelow,
        discardTs, numVersionsToKeep, 64 << 20, List.of(), NOW_SECONDS);
  }

  /** Every version in {@code tables}, in order. */
  static List<Version> read(List<Table> tables) {
    List<Version> versions = new ArrayList<>();
    for (Table table : tables) {
      try (KeyValueIterator iterator = table.iterator(false)) {
        for (iterator.rewind(); iterator.valid(); iterator.next()) {
          versions.add(Version.of(iterator.key(), iterator.value()));
        }
      }
    }
    return versions;
  }

  static List<Version> versions(Version... versions) {
    return List.of(versions);
  }

  static long staleBytes(List<Table> tables) {
    long bytes = 0;
    for (Table table : tables) {
      bytes += table.staleDataSize();
    }
    return bytes;
  }

  /** The table files in the directory, by name. */
  List<String> files() throws IOException {
    List<String> names = new ArrayList<>();
    for (Path path : fileSystem.list(DIRECTORY)) {
      names.add(path.getFileName().toString());
    }
    return names;
  }

  /**
   * Sorted by key, non-overlapping, every user key in one table, each with exactly the caller's
   * reference.
   */
  static void assertWellFormed(List<Table> tables) {
    Set<String> seen = new HashSet<>();
    byte[] previous = null;
    for (Table table : tables) {
      assertEquals(1, table.referenceCount(), table + " holds more than the caller's reference");
      if (previous != null) {
        assertTrue(InternalKey.compareUserKeys(previous, table.smallestKey()) < 0,
            "tables overlap or are out of order: " + InternalKey.toString(previous) + " / "
                + InternalKey.toString(table.smallestKey()));
      }
      previous = table.biggestKey();
      Set<String> keysOfTable = new HashSet<>();
      for (Version version : read(List.of(table))) {
        keysOfTable.add(version.key());
      }
      for (String key : keysOfTable) {
        assertTrue(seen.add(key), "versions of " + key + " are in two tables");
      }
    }
  }

  @Override
  public void close() {
    for (Table table : inputs) {
      assertEquals(1, table.referenceCount(), "input " + table + " was retained or released");
      table.release();
    }
    for (Table table : outputs) {
      table.release();
    }
  }
}
