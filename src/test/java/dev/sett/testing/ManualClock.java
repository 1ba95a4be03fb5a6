package dev.sett.testing;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A UTC clock that moves only when a test moves it (TTLs, key rotation). Thread-safe. */
public final class ManualClock extends Clock {
  private final AtomicLong millis;

  public ManualClock(long epochMillis) {
    this.millis = new AtomicLong(epochMillis);
  }

  /** Moves the clock forward by {@code deltaMillis} (or back, if negative). */
  public void advance(long deltaMillis) {
    millis.addAndGet(deltaMillis);
  }

  /** Sets the clock to {@code epochMillis}. */
  public void set(long epochMillis) {
    millis.set(epochMillis);
  }

  @Override
  public ZoneOffset getZone() {
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
