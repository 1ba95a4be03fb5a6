package dev.sett.tool;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A one-line progress bar on standard error with the rate and the time left, redrawn twice a
 * second by a daemon thread while work goes on. Progress is either a count of operations out of
 * a known total or, for work that runs for a fixed time, the time elapsed out of that time.
 *
 * <p>Thread-safety: {@link #add} may be called from any number of threads; {@link #start} and
 * {@link #finish} from the thread that owns the bar.
 */
final class ProgressBar implements AutoCloseable {
  private static final int WIDTH = 30;
  private static final long REDRAW_MILLIS = 500;

  private final PrintWriter err;
  private final String unit;
  private final long totalCount;
  private final long totalNanos;
  private final AtomicLong done = new AtomicLong();
  private final Thread redrawer;
  private volatile long startNanos;
  private volatile boolean finished;

  private ProgressBar(PrintWriter err, String unit, long totalCount, long totalNanos) {
    this.err = err;
    this.unit = unit;
    this.totalCount = totalCount;
    this.totalNanos = totalNanos;
    this.redrawer = new Thread(this::redrawUntilFinished, "sett-progress");
    this.redrawer.setDaemon(true);
  }

  /** A bar for {@code total} operations of {@code unit}. */
  static ProgressBar ofCount(PrintWriter err, String unit, long total) {
    return new ProgressBar(err, unit, Math.max(1, total), 0);
  }

  /** A bar for work that runs for {@code duration}, counting operations of {@code unit}. */
  static ProgressBar ofDuration(PrintWriter err, String unit, Duration duration) {
    return new ProgressBar(err, unit, 0, Math.max(1, duration.toNanos()));
  }

  ProgressBar start() {
    startNanos = System.nanoTime();
    redrawer.start();
    return this;
  }

  void add(long operations) {
    done.addAndGet(operations);
  }

  long done() {
    return done.get();
  }

  /** Stops redrawing and leaves the final state on its own line. */
  void finish() {
    if (finished) {
      return;
    }
    finished = true;
    redrawer.interrupt();
    try {
      redrawer.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (err) {
      err.print('\r' + line(System.nanoTime()) + System.lineSeparator());
      err.flush();
    }
  }

  @Override
  public void close() {
    finish();
  }

  private void redrawUntilFinished() {
    while (!finished) {
      try {
        Thread.sleep(REDRAW_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
      synchronized (err) {
        if (!finished) {
          err.print('\r' + line(System.nanoTime()));
          err.flush();
        }
      }
    }
  }

  /** The bar as it stands at {@code now}. */
  String line(long now) {
    long elapsed = Math.max(1, now - startNanos);
    long count = done.get();
    double fraction = totalNanos > 0
        ? Math.min(1.0, (double) elapsed / totalNanos)
        : Math.min(1.0, (double) count / totalCount);
    double rate = count / (elapsed / 1e9);
    long leftNanos;
    if (totalNanos > 0) {
      leftNanos = Math.max(0, totalNanos - elapsed);
    } else {
      leftNanos = rate > 0 ? (long) ((totalCount - Math.min(count, totalCount)) / rate * 1e9) : -1;
    }
    int filled = (int) Math.round(fraction * WIDTH);
    String bar = "#".repeat(filled) + "-".repeat(WIDTH - filled);
    String total = totalNanos > 0 ? "" : " / " + String.format(Locale.ROOT, "%,d", totalCount);
    return String.format(Locale.ROOT, "[%s] %3.0f%%  %,d%s %s  %s %s/s  elapsed %s  ETA %s", bar,
        fraction * 100, count, total, unit, humanRate(rate), unit, clock(elapsed),
        finished ? "0:00" : leftNanos < 0 ? "?" : clock(leftNanos));
  }

  static String humanRate(double rate) {
    if (rate >= 1e6) {
      return String.format(Locale.ROOT, "%.2f M", rate / 1e6);
    }
    if (rate >= 1e3) {
      return String.format(Locale.ROOT, "%.1f k", rate / 1e3);
    }
    return String.format(Locale.ROOT, "%.0f", rate);
  }

  static String clock(long nanos) {
    long seconds = nanos / 1_000_000_000L;
    return seconds >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
        : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
  }
}
