package dev.sett.internal.memtable;

import static dev.sett.testing.Bytes.bytes;
import static dev.sett.testing.Bytes.unhex;

import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValue;
import dev.sett.internal.key.KeyValueIterator;
import dev.sett.internal.key.Meta;
import dev.sett.internal.key.ValueStruct;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Small builders and printers shared by the memtable tests. */
final class TestEntries {
  private TestEntries() {
  }


  static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  static ValueStruct value(String value) {
    return new ValueStruct((byte) 0, (byte) 0, 0, 0, bytes(value));
  }

  static KeyValue entry(String userKey, long version, String value) {
    return KeyValue.of(bytes(userKey), version, value(value));
  }

  static KeyValue tombstone(String userKey, long version) {
    return KeyValue.of(bytes(userKey), version,
        new ValueStruct(Meta.DELETE, (byte) 0, 0, 0, new byte[0]));
  }

  /** {@code userKey@version=value} for an entry with a printable key and value. */
  static String describe(byte[] internalKey, ValueStruct value) {
    return text(InternalKey.userKey(internalKey)) + "@" + InternalKey.version(internalKey)
        + (value.isDeleted() ? "=<deleted>" : "=" + text(value.value()));
  }

  static String describe(KeyValue entry) {
    return describe(entry.key(), entry.value());
  }

  /** Everything from the iterator's current position to its end, described. */
  static List<String> drain(KeyValueIterator iterator) {
    List<String> out = new ArrayList<>();
    for (; iterator.valid(); iterator.next()) {
      out.add(describe(iterator.key(), iterator.value()));
    }
    return out;
  }


  /** A seed from {@code -Dsett.seed} or the clock, printed so that a failure can be replayed. */
  static long seed(String test) {
    String fixed = System.getProperty("sett.seed");
    long seed = fixed != null ? Long.parseLong(fixed) : System.nanoTime();
    System.out.println(test + ": seed " + seed + " (rerun with -Dsett.seed=" + seed + ")");
    return seed;
  }
}
