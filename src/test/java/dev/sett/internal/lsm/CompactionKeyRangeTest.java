package dev.sett.internal.lsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.key.InternalKey;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Key ranges (reference §7.1), written {@code [left, right]}, {@code inf} or {@code empty}; keys
 * may use {@code \xNN}.
 */
class CompactionKeyRangeTest {
  record Overlap(String a, String b, boolean expected) {
    @Override
    public String toString() {
      return a + " overlaps " + b + " -> " + expected;
    }
  }

  static List<Overlap> overlaps() {
    return List.of(
        new Overlap("[a, c]", "[c, d]", true),
        new Overlap("[c, d]", "[a, c]", true),
        new Overlap("[a, c]", "[d, e]", false),
        new Overlap("[d, e]", "[a, c]", false),
        new Overlap("[a, z]", "[m, n]", true),
        new Overlap("[m, n]", "[a, z]", true),
        new Overlap("[a, a]", "[aa, aa]", false),
        new Overlap("[a, aa]", "[a\\x00, a\\x00]", true),
        new Overlap("[\\x7f, \\x7f]", "[\\x80, \\xff]", false),
        new Overlap("[\\x01, \\x80]", "[\\x7f, \\x7f]", true),
        new Overlap("empty", "[a, b]", true),
        new Overlap("[a, b]", "empty", false),
        new Overlap("empty", "empty", true),
        new Overlap("inf", "[a, b]", true),
        new Overlap("[a, b]", "inf", true),
        new Overlap("inf", "inf", true),
        new Overlap("empty", "inf", true),
        new Overlap("inf", "empty", false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("overlaps")
  void overlaps(Overlap example) {
    assertEquals(example.expected(), range(example.a()).overlaps(range(example.b())));
  }

  record Extend(String a, String b, String expected) {
    @Override
    public String toString() {
      return a + " extended by " + b + " -> " + expected;
    }
  }

  static List<Extend> extensions() {
    return List.of(
        new Extend("[b, c]", "[a, b]", "[a, c]"),
        new Extend("[b, c]", "[d, e]", "[b, e]"),
        new Extend("[a, z]", "[m, n]", "[a, z]"),
        new Extend("empty", "[m, n]", "[m, n]"),
        new Extend("[m, n]", "empty", "[m, n]"),
        new Extend("[m, n]", "inf", "infinite"),
        new Extend("inf", "empty", "infinite"),
        new Extend("empty", "empty", "empty"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("extensions")
  void extend(Extend example) {
    assertEquals(example.expected(), range(example.a()).extend(range(example.b())).toString());
  }

  record Prefix(String range, String prefix, boolean expected) {
    @Override
    public String toString() {
      return range + " may contain prefix '" + prefix + "' -> " + expected;
    }
  }

  static List<Prefix> prefixes() {
    return List.of(
        new Prefix("[key1, key4]", "key", true),
        new Prefix("[key1, key4]", "key1", true),
        new Prefix("[key1, key4]", "key4", true),
        new Prefix("[key1, key4]", "key2", true), // from the bounds alone; Badger would seek
        new Prefix("[key1, key4]", "key0", false),
        new Prefix("[key1, key4]", "key5", false),
        new Prefix("[key1, key4]", "key41", false),
        new Prefix("[a, b]", "b", true),
        new Prefix("[a, az]", "b", false),
        new Prefix("[ba, c]", "b", true),
        new Prefix("[bz, c]", "b", true),
        new Prefix("[c, d]", "b", false),
        new Prefix("[c, d]", "", true),
        new Prefix("inf", "b", true),
        new Prefix("empty", "b", false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("prefixes")
  void mayContainPrefix(Prefix example) {
    KeyRange range = range(example.range());
    assertEquals(example.expected(), range.mayContainPrefix(bytes(example.prefix())));
  }

  @Test
  void tableRangesCompareUserKeysNotInternalKeys() {
    // As internal keys "a"@5 sorts after "aa"@1: the suffix byte 0xff beats 'a'.
    TableSummary a = table(1, key("a", 5), key("a", 5));
    TableSummary aa = table(2, key("aa", 1), key("aa", 1));
    assertEquals("[a, a]", KeyRange.of(a).toString());
    assertFalse(KeyRange.of(a).overlaps(KeyRange.of(aa)));
    assertEquals("[a, aa]", KeyRange.covering(List.of(aa, a)).toString());
    // All versions of a key belong to its range, whatever versions the table's bounds carry.
    TableSummary manyVersions = table(3, key("k", 9), key("k", 1));
    TableSummary oneVersion = table(4, key("k", 100), key("k", 100));
    assertTrue(KeyRange.of(manyVersions).overlaps(KeyRange.of(oneVersion)));
    assertEquals(KeyRange.of(manyVersions), KeyRange.of(oneVersion));
  }

  @Test
  void coveringNoTablesIsEmptyAndBoundsMustBeOrdered() {
    assertTrue(KeyRange.covering(List.of()).isEmpty());
    assertThrows(IllegalArgumentException.class, () -> KeyRange.of(bytes("b"), bytes("a")));
    assertThrows(IllegalStateException.class, () -> KeyRange.empty().left());
    assertThrows(IllegalStateException.class, () -> KeyRange.infinite().right());
    byte[] left = bytes("a");
    KeyRange range = KeyRange.of(left, bytes("b"));
    left[0] = 'z';
    assertEquals("[a, b]", range.toString());
  }

  private static byte[] key(String userKey, long version) {
    return InternalKey.of(bytes(userKey), version);
  }

  private static TableSummary table(long id, byte[] smallest, byte[] biggest) {
    return new TableSummary(id, smallest, biggest, 1, 0, 1, 0);
  }

  static KeyRange range(String text) {
    if (text.equals("inf")) {
      return KeyRange.infinite();
    }
    if (text.equals("empty")) {
      return KeyRange.empty();
    }
    String[] bounds = text.substring(1, text.length() - 1).split(", ");
    return KeyRange.of(bytes(bounds[0]), bytes(bounds[1]));
  }

  /** Text with {@code \xNN} escapes as bytes. */
  static byte[] bytes(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < text.length(); i++) {
      if (text.startsWith("\\x", i)) {
        out.write(Integer.parseInt(text.substring(i + 2, i + 4), 16));
        i += 3;
      } else {
        out.write(text.substring(i, i + 1).getBytes(StandardCharsets.UTF_8)[0]);
      }
    }
    return out.toByteArray();
  }
}
