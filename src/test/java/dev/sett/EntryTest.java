package dev.sett;

import static dev.sett.testing.Bytes.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EntryTest {
  private static final byte[] KEY = bytes("key");
  private static final byte[] VALUE = bytes("value");


  @Test
  void ofHasNoDetails() {
    Entry entry = Entry.of(KEY, VALUE);
    assertArrayEquals(KEY, entry.key());
    assertArrayEquals(VALUE, entry.value());
    assertEquals(0, entry.userMeta());
    assertEquals(0, entry.expiresAt());
    assertNull(entry.ttl());
    assertFalse(entry.discardEarlierVersions());
  }

  @Test
  void ofCopiesTheCallersArrays() {
    byte[] key = bytes("k");
    byte[] value = bytes("v");
    Entry entry = Entry.of(key, value);
    key[0] = 'x';
    value[0] = 'x';
    assertArrayEquals(bytes("k"), entry.key());
    assertArrayEquals(bytes("v"), entry.value());
  }

  @Test
  void emptyValueIsAllowedButNullsAreNot() {
    assertEquals(0, Entry.of(KEY, new byte[0]).value().length);
    assertEquals("key must not be null",
        assertThrows(NullPointerException.class, () -> Entry.of(null, VALUE)).getMessage());
    assertEquals("value must not be null",
        assertThrows(NullPointerException.class, () -> Entry.of(KEY, null)).getMessage());
  }

  @Test
  void withMethodsReturnNewEntriesAndLeaveTheOriginal() {
    Entry plain = Entry.of(KEY, VALUE);
    Entry detailed = plain.withUserMeta((byte) 7).withDiscardEarlierVersions()
        .withTtl(Duration.ofMinutes(5));

    assertEquals(7, detailed.userMeta());
    assertTrue(detailed.discardEarlierVersions());
    assertEquals(Duration.ofMinutes(5), detailed.ttl());
    assertArrayEquals(KEY, detailed.key());
    assertArrayEquals(VALUE, detailed.value());
    assertEquals(Entry.of(KEY, VALUE), plain);
  }

  @Test
  void ttlAndExpiresAtReplaceEachOther() {
    Entry withExpiry = Entry.of(KEY, VALUE).withTtl(Duration.ofSeconds(30)).withExpiresAt(1_000);
    assertNull(withExpiry.ttl());
    assertEquals(1_000, withExpiry.expiresAt());

    Entry withTtl = withExpiry.withTtl(Duration.ofSeconds(30));
    assertEquals(Duration.ofSeconds(30), withTtl.ttl());
    assertEquals(0, withTtl.expiresAt());

    assertEquals(0, withExpiry.withExpiresAt(0).expiresAt(), "0 means never");
  }

  @Test
  void badTtlAndExpiryAreRejected() {
    Entry entry = Entry.of(KEY, VALUE);
    assertEquals("ttl must be positive, was PT0S", assertThrows(IllegalArgumentException.class,
        () -> entry.withTtl(Duration.ZERO)).getMessage());
    assertEquals("ttl must be positive, was PT-1S", assertThrows(IllegalArgumentException.class,
        () -> entry.withTtl(Duration.ofSeconds(-1))).getMessage());
    assertEquals("ttl must not be null",
        assertThrows(NullPointerException.class, () -> entry.withTtl(null)).getMessage());
    assertEquals("expiresAt must be at least 0, was -1",
        assertThrows(IllegalArgumentException.class, () -> entry.withExpiresAt(-1)).getMessage());
  }

  @Test
  void expiryAtWriteTimeRoundsUpSoTheEntryLivesAtLeastItsTtl() {
    Instant whole = Instant.ofEpochSecond(1_000);
    Instant fraction = Instant.ofEpochSecond(1_000, 300_000_000);
    Entry oneSecond = Entry.of(KEY, VALUE).withTtl(Duration.ofSeconds(1));
    assertEquals(1_001, oneSecond.expiresAt(whole));
    assertEquals(1_002, oneSecond.expiresAt(fraction));

    Entry halfSecond = Entry.of(KEY, VALUE).withTtl(Duration.ofMillis(500));
    assertEquals(1_001, halfSecond.expiresAt(whole));
    assertEquals(1_001, halfSecond.expiresAt(fraction));
    assertEquals(1_001, Entry.of(KEY, VALUE).withTtl(Duration.ofMillis(700)).expiresAt(fraction));
    assertEquals(1_002, Entry.of(KEY, VALUE).withTtl(Duration.ofMillis(701)).expiresAt(fraction));
  }

  @Test
  void expiryAtWriteTimeWithoutTtlIsTheFixedExpiry() {
    Instant now = Instant.ofEpochSecond(5_000);
    assertEquals(0, Entry.of(KEY, VALUE).expiresAt(now));
    assertEquals(42, Entry.of(KEY, VALUE).withExpiresAt(42).expiresAt(now));
  }

  @Test
  void hugeTtlSaturatesInsteadOfOverflowing() {
    Entry forever = Entry.of(KEY, VALUE).withTtl(Duration.ofSeconds(Long.MAX_VALUE, 999_999_999));
    assertEquals(Long.MAX_VALUE, forever.expiresAt(Instant.ofEpochSecond(1_000, 1)));
  }

  @Test
  void equalityIsByContent() {
    Entry a = Entry.of(bytes("k"), bytes("v")).withUserMeta((byte) 1);
    Entry b = Entry.of(bytes("k"), bytes("v")).withUserMeta((byte) 1);
    assertEquals(a, b);
    assertEquals(a.hashCode(), b.hashCode());
    assertNotEquals(a, b.withUserMeta((byte) 2));
    assertNotEquals(a, b.withDiscardEarlierVersions());
    assertNotEquals(a, b.withExpiresAt(9));
    assertNotEquals(a, b.withTtl(Duration.ofSeconds(9)));
    assertNotEquals(a, Entry.of(bytes("k"), bytes("w")).withUserMeta((byte) 1));
  }

  @Test
  void toStringShowsKeyAndDetailsButOnlyTheValueLength() {
    Entry entry = Entry.of(new byte[] {'a', 0, (byte) 0xFF}, bytes("secret"))
        .withUserMeta((byte) 3).withTtl(Duration.ofSeconds(5)).withDiscardEarlierVersions();
    assertEquals(
        "Entry[key=a\\x00\\xff, value=6 bytes, userMeta=3, ttl=PT5S, discardEarlierVersions]",
        entry.toString());
    assertEquals("Entry[key=k, value=0 bytes, expiresAt=7]",
        Entry.of(bytes("k"), new byte[0]).withExpiresAt(7).toString());
  }
}
