package dev.sett.internal.sstable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValueIterator;
import dev.sett.internal.key.Meta;
import dev.sett.internal.key.ValueStruct;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;

/** The reference a table is checked against: a sorted map of internal keys, and ways to fill it. */
final class TableModel {
  final NavigableMap<byte[], ValueStruct> entries = new TreeMap<>(InternalKey::compare);

  /**
   * Random entries: user keys over a small alphabet (so that keys share prefixes and some are
   * prefixes of others, including 0x00 and 0xFF bytes), one to four versions each, values that are
   * sometimes compressible, sometimes tombstones or with a TTL.
   */
  static TableModel random(Random random, int userKeys) {
    TableModel model = new TableModel();
    byte[] alphabet = {'a', 'b', 'c', 0x00, (byte) 0xFF};
    while (model.userKeyCount() < userKeys) {
      byte[] userKey = new byte[1 + random.nextInt(12)];
      for (int i = 0; i < userKey.length; i++) {
        userKey[i] = alphabet[random.nextInt(alphabet.length)];
      }
      int versions = 1 + random.nextInt(4);
      for (int v = 0; v < versions; v++) {
        long version = random.nextInt(10) == 0 ? Long.MIN_VALUE + random.nextInt(100)
            : 1 + random.nextInt(1000);
        model.put(userKey, version, randomValue(random));
      }
    }
    return model;
  }

  static ValueStruct randomValue(Random random) {
    int kind = random.nextInt(10);
    byte meta = kind == 0 ? Meta.DELETE : 0;
    long expiresAt = kind == 1 ? 1_700_000_000L + random.nextInt(1000) : 0;
    byte[] value = new byte[kind == 0 ? 0 : random.nextInt(64)];
    if (random.nextBoolean()) {
      random.nextBytes(value);
    } else {
      for (int i = 0; i < value.length; i++) {
        value[i] = (byte) ('A' + i % 4);
      }
    }
    return new ValueStruct(meta, (byte) random.nextInt(4), expiresAt, 0, value);
  }

  void put(byte[] userKey, long version, ValueStruct value) {
    entries.put(InternalKey.of(userKey, version), value.withVersion(version));
  }

  long userKeyCount() {
    return entries.keySet().stream().map(k -> new String(InternalKey.userKey(k),
        java.nio.charset.StandardCharsets.ISO_8859_1)).distinct().count();
  }

  /** The newest version of {@code userKey} at or below {@code readTs}, or null. */
  ValueStruct get(byte[] userKey, long readTs) {
    Map.Entry<byte[], ValueStruct> entry = entries.ceilingEntry(InternalKey.of(userKey, readTs));
    return entry != null && InternalKey.hasUserKey(entry.getKey(), userKey) ? entry.getValue() : null;
  }

  void writeTable(TableOptions options, FileSystem fs, Path path) throws IOException {
    TableBuilder builder = new TableBuilder(options);
    addAll(builder);
    builder.writeTo(fs, path);
  }

  /** Adds every entry of the model to {@code builder}, in order. */
  void addAll(TableBuilder builder) throws IOException {
    for (var entry : entries.entrySet()) {
      builder.add(entry.getKey(), entry.getValue());
    }
  }

  /**
   * Checks that {@code iterator}, already positioned, yields {@code expected} and then ends, or
   * (when {@code expected} has {@code limit} entries) may go on.
   */
  static void assertYields(List<Map.Entry<byte[], ValueStruct>> expected, int limit,
      KeyValueIterator iterator) {
    for (Map.Entry<byte[], ValueStruct> entry : expected) {
      assertTrue(iterator.valid(),
          () -> "iterator ended before " + InternalKey.toString(entry.getKey()));
      assertArrayEquals(entry.getKey(), iterator.key(), () -> "expected "
          + InternalKey.toString(entry.getKey()) + " got " + InternalKey.toString(iterator.key()));
      assertEquals(entry.getValue(), iterator.value());
      iterator.next();
    }
    if (expected.size() < limit) {
      assertFalse(iterator.valid(),
          () -> "iterator did not end: " + InternalKey.toString(iterator.key()));
    }
  }

  /** Up to {@code limit} entries from {@code from} (inclusive) in the iterator's direction. */
  List<Map.Entry<byte[], ValueStruct>> run(byte[] from, boolean reverse, int limit) {
    NavigableMap<byte[], ValueStruct> view = from == null
        ? (reverse ? entries.descendingMap() : entries)
        : (reverse ? entries.headMap(from, true).descendingMap() : entries.tailMap(from, true));
    List<Map.Entry<byte[], ValueStruct>> result = new ArrayList<>();
    for (Map.Entry<byte[], ValueStruct> entry : view.entrySet()) {
      if (result.size() == limit) {
        break;
      }
      result.add(entry);
    }
    return result;
  }
}
