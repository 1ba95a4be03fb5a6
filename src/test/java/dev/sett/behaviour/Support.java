package dev.sett.behaviour;

import static dev.sett.testing.Bytes.bytes;

import dev.sett.DbIterator;
import dev.sett.Item;
import dev.sett.IteratorOptions;
import dev.sett.Txn;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/** Small helpers shared by the behaviour tests: byte/string conversion, collecting iterators, a clock. */
final class Support {
  private Support() {
  }


  static String s(byte[] bytes) {
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }

  /** The value of {@code item} as a string, or null for no item. */
  static String value(Item item) {
    return item == null ? null : s(item.value());
  }

  /** Every value from {@code it} after {@link DbIterator#rewind()}. */
  static List<String> values(DbIterator it) {
    List<String> out = new ArrayList<>();
    for (it.rewind(); it.valid(); it.next()) {
      out.add(s(it.item().value()));
    }
    return out;
  }

  /** Every key from {@code it} after {@link DbIterator#rewind()}. */
  static List<String> keys(DbIterator it) {
    List<String> out = new ArrayList<>();
    for (it.rewind(); it.valid(); it.next()) {
      out.add(s(it.item().key()));
    }
    return out;
  }

  /** The values a fresh iterator with {@code options} yields in {@code txn}. */
  static List<String> values(Txn txn, IteratorOptions options) {
    try (DbIterator it = txn.newIterator(options)) {
      return values(it);
    }
  }

  /** The keys a fresh iterator with {@code options} yields in {@code txn}. */
  static List<String> keys(Txn txn, IteratorOptions options) {
    try (DbIterator it = txn.newIterator(options)) {
      return keys(it);
    }
  }

  static final IteratorOptions FORWARD = IteratorOptions.DEFAULT;
  static final IteratorOptions REVERSE = IteratorOptions.builder().reverse(true).build();
  static final IteratorOptions ALL_VERSIONS = IteratorOptions.builder().allVersions(true).build();
  static final IteratorOptions ALL_VERSIONS_REVERSE =
      IteratorOptions.builder().allVersions(true).reverse(true).build();

  /** The seed for a randomised test: {@code -Dsett.seed=N} or a fresh one; printed by the caller. */
  static long seed() {
    String fixed = System.getProperty("sett.seed");
    return fixed != null ? Long.parseLong(fixed) : new Random().nextLong();
  }

  /** A clock the test moves by hand. */
  static final class ManualClock extends Clock {
    private final AtomicLong millis;

    ManualClock(long epochMillis) {
      this.millis = new AtomicLong(epochMillis);
    }

    void advanceSeconds(long seconds) {
      millis.addAndGet(seconds * 1000);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }
  }
}
