package dev.sett.internal.db;

import dev.sett.DbIterator;
import dev.sett.Item;
import dev.sett.IteratorOptions;
import dev.sett.KV;
import dev.sett.SettException;
import dev.sett.Stream;
import dev.sett.TableInfo;
import dev.sett.Txn;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A {@link Stream}: a parallel scan of the snapshot taken when the stream was created (a
 * read-only transaction, held until {@link #orchestrate} ends).
 *
 * <p>The key space (within the prefix) is cut at the biggest keys of the store's tables into
 * ranges of about equal size on disk, a few per worker; {@code numGo} worker threads take ranges
 * from a queue, each walking its range with its own iterator, and fill batches of at most about
 * {@code maxSize} bytes. The thread that called {@link #orchestrate} is the only one that calls
 * {@code send}, so the sink needs no locking. Each key is visited by exactly one range; within a
 * batch (and within a range) keys come in ascending order, but ranges are worked in parallel, so
 * batches of different ranges interleave.
 *
 * <p>With {@code inKeyOrder}, each range has a queue of its own and the sink drains them range by
 * range, so batches arrive in global key order (what a {@code StreamWriter} needs) while the
 * ranges are still scanned in parallel: a worker ahead of the sink waits once its range's queue
 * is full.
 *
 * <p>Memory is bounded whatever the store's size: at most {@code numGo} batches being filled plus
 * {@link #QUEUED_BATCHES_PER_WORKER} per worker (per range in progress, in key order) waiting for
 * the sink.
 *
 * <p>Per key (Badger's default {@code ToList}): versions newest first, up to the first deleted or
 * expired one (not sent); only the newest when the store keeps one version or a version discards
 * earlier ones; a key whose newest version is deleted or expired is not sent at all.
 *
 * <p>Failure: the first exception thrown by {@code send}, {@code chooseKey} or a read stops every
 * worker, and {@link #orchestrate} rethrows it (the very object) once every worker has stopped.
 *
 * <p>Thread-safety: configure and orchestrate from one thread; {@code chooseKey} is called from
 * the worker threads concurrently.
 */
final class StreamImpl implements Stream {
  static final int DEFAULT_NUM_GO = 8;
  static final long DEFAULT_MAX_SIZE = 4L << 20;
  static final int QUEUED_BATCHES_PER_WORKER = 2;
  /** Ranges per worker the key space is cut into, so that an uneven range does not idle the rest. */
  static final int RANGES_PER_WORKER = 4;

  private final Txn snapshot;
  private final Supplier<List<TableInfo>> tables;
  private final boolean keepOneVersion;
  private final ThreadFactory threads;
  private byte[] prefix = new byte[0];
  private int numGo = DEFAULT_NUM_GO;
  private long maxSize = DEFAULT_MAX_SIZE;
  private Predicate<Item> chooseKey;
  private Consumer<List<KV>> sink;
  private boolean inKeyOrder;
  private boolean started;

  /**
   * @param snapshot a read-only transaction at the stream's read timestamp; discarded by
   *     {@link #orchestrate}
   * @param tables the store's tables, for the range boundaries
   * @param keepOneVersion whether the store keeps only the newest version of a key
   * @param threads makes the worker threads
   */
  StreamImpl(Txn snapshot, Supplier<List<TableInfo>> tables, boolean keepOneVersion,
      ThreadFactory threads) {
    this.snapshot = snapshot;
    this.tables = tables;
    this.keepOneVersion = keepOneVersion;
    this.threads = threads;
  }

  @Override
  public Stream prefix(byte[] prefix) {
    this.prefix = Objects.requireNonNull(prefix, "prefix must not be null").clone();
    return this;
  }

  @Override
  public Stream numGo(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("numGo must be at least 1, was " + threads);
    }
    this.numGo = threads;
    return this;
  }

  @Override
  public Stream chooseKey(Predicate<Item> choose) {
    this.chooseKey = choose;
    return this;
  }

  @Override
  public Stream send(Consumer<List<KV>> sink) {
    this.sink = Objects.requireNonNull(sink, "send must not be null");
    return this;
  }

  @Override
  public Stream maxSize(long bytes) {
    if (bytes < 1) {
      throw new IllegalArgumentException("maxSize must be positive, was " + bytes);
    }
    this.maxSize = bytes;
    return this;
  }

  @Override
  public Stream inKeyOrder(boolean ordered) {
    this.inKeyOrder = ordered;
    return this;
  }

  /** The stream's read timestamp. */
  @Override
  public long readTs() {
    return snapshot.readTs();
  }

  @Override
  public void orchestrate() {
    if (started) {
      throw new IllegalStateException("a stream runs once; create another with newStream()");
    }
    if (sink == null) {
      snapshot.discard();
      started = true;
      throw new IllegalStateException("set send(...) before orchestrate()");
    }
    started = true;
    try {
      run();
    } finally {
      snapshot.discard();
    }
  }

  /** One range of user keys: [start, end), end null for no upper bound. */
  record Range(byte[] start, byte[] end) {
  }

  private static final List<KV> DONE = new ArrayList<>(0);

  private void run() {
    List<Range> ranges = ranges(tables.get(), prefix, numGo * RANGES_PER_WORKER);
    AtomicInteger nextRange = new AtomicInteger();
    // In key order each range has a queue of its own, which the sink drains range by range;
    // otherwise all share one.
    List<BlockingQueue<List<KV>>> outputs = new ArrayList<>(ranges.size());
    BlockingQueue<List<KV>> shared = new ArrayBlockingQueue<>(numGo * QUEUED_BATCHES_PER_WORKER);
    for (int i = 0; i < ranges.size(); i++) {
      outputs.add(inKeyOrder ? new ArrayBlockingQueue<>(QUEUED_BATCHES_PER_WORKER) : shared);
    }
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicInteger running = new AtomicInteger(numGo);
    List<Thread> workers = new ArrayList<>(numGo);
    try {
      for (int i = 0; i < numGo; i++) {
        Thread worker = threads.newThread(() -> {
          try {
            int index;
            // Ranges are taken in key order, so the ranges in progress are always the first
            // ones not yet sent: in key order, the sink never waits for a range nobody works on.
            while (failure.get() == null && (index = nextRange.getAndIncrement()) < ranges.size()) {
              scan(ranges.get(index), outputs.get(index), failure);
              if (inKeyOrder) {
                offer(outputs.get(index), DONE, failure, false);
              }
            }
          } catch (RuntimeException | Error e) {
            failure.compareAndSet(null, e);
          } finally {
            if (running.decrementAndGet() == 0 && !inKeyOrder) {
              offer(shared, DONE, failure, true);
            }
          }
        });
        workers.add(worker);
        worker.start();
      }
      if (inKeyOrder) {
        for (int index = 0; index < ranges.size() && failure.get() == null; index++) {
          drain(outputs.get(index), failure);
        }
      } else {
        drain(shared, failure);
      }
    } catch (InterruptedException e) {
      failure.compareAndSet(null, new SettException("interrupted while streaming", e));
      Thread.currentThread().interrupt();
    } finally {
      // Done, or a failure is set, which every worker polls at least every 50 ms.
      for (Thread worker : workers) {
        Uninterruptibly.join(worker);
      }
    }
    Throwable thrown = failure.get();
    if (thrown instanceof RuntimeException runtime) {
      throw runtime;
    }
    if (thrown instanceof Error error) {
      throw error;
    }
  }

  /** Hands the batches of {@code queue} to the sink until its end marker or a failure. */
  private void drain(BlockingQueue<List<KV>> queue, AtomicReference<Throwable> failure)
      throws InterruptedException {
    while (failure.get() == null) {
      List<KV> batch = queue.poll(50, TimeUnit.MILLISECONDS);
      if (batch == DONE) {
        return;
      }
      if (batch != null) {
        try {
          sink.accept(batch);
        } catch (RuntimeException | Error e) {
          failure.compareAndSet(null, e);
        }
      }
    }
  }

  /** Puts {@code batch} on the queue, waiting for room unless the stream failed. */
  private static boolean offer(BlockingQueue<List<KV>> batches, List<KV> batch,
      AtomicReference<Throwable> failure, boolean evenOnFailure) {
    while (evenOnFailure || failure.get() == null) {
      try {
        if (batches.offer(batch, 50, TimeUnit.MILLISECONDS)) {
          return true;
        }
        if (evenOnFailure && failure.get() != null) {
          return false; // the sender is gone
        }
      } catch (InterruptedException e) {
        failure.compareAndSet(null, new SettException("a stream worker was interrupted", e));
        return false;
      }
    }
    return false;
  }

  private void scan(Range range, BlockingQueue<List<KV>> batches,
      AtomicReference<Throwable> failure) {
    IteratorOptions options = IteratorOptions.builder().allVersions(true).prefix(prefix)
        .prefetchValues(false).build();
    List<KV> batch = new ArrayList<>();
    long batchBytes = 0;
    try (DbIterator it = snapshot.newIterator(options)) {
      if (range.start().length == 0) {
        it.rewind();
      } else {
        it.seek(range.start());
      }
      while (it.valid() && failure.get() == null) {
        ItemImpl newest = (ItemImpl) it.item();
        byte[] key = newest.keyRef();
        if (range.end() != null && Arrays.compareUnsigned(key, range.end()) >= 0) {
          break;
        }
        boolean more = chooseKey == null || chooseKey.test(newest);
        byte[] keyCopy = null;
        for (; it.valid(); it.next()) {
          ItemImpl item = (ItemImpl) it.item();
          if (item != newest && !Arrays.equals(item.keyRef(), key)) {
            break;
          }
          if (!more) {
            continue;
          }
          if (item.isDeletedOrExpired()) {
            more = false;
            continue;
          }
          if (keyCopy == null) {
            keyCopy = key.clone();
          }
          byte[] value = item.value();
          batch.add(new KV(keyCopy, value, item.userMeta(), item.version(), item.expiresAt(),
              false));
          batchBytes += keyCopy.length + value.length + 32;
          more = !keepOneVersion && !item.discardEarlierVersions();
        }
        if (batchBytes >= maxSize) {
          if (!offer(batches, batch, failure, false)) {
            return;
          }
          batch = new ArrayList<>();
          batchBytes = 0;
        }
      }
    }
    if (!batch.isEmpty() && failure.get() == null) {
      offer(batches, batch, failure, false);
    }
  }

  /**
   * Cuts the keys with {@code prefix} at the biggest keys of the tables into at most about
   * {@code target} ranges of similar size on disk. Every user key with the prefix falls in
   * exactly one range; the ranges are in key order.
   */
  static List<Range> ranges(List<TableInfo> tables, byte[] prefix, int target) {
    List<TableInfo> inPrefix = new ArrayList<>();
    long total = 0;
    for (TableInfo table : tables) {
      if (startsWith(table.biggestKey(), prefix)) {
        inPrefix.add(table);
        total += table.onDiskSize();
      }
    }
    inPrefix.sort((a, b) -> Arrays.compareUnsigned(a.biggestKey(), b.biggestKey()));
    List<Range> ranges = new ArrayList<>();
    long share = Math.max(1, total / Math.max(1, target));
    byte[] start = prefix;
    long accumulated = 0;
    for (int i = 0; i < inPrefix.size(); i++) {
      TableInfo table = inPrefix.get(i);
      accumulated += table.onDiskSize();
      boolean last = i == inPrefix.size() - 1;
      if (accumulated < share || last) {
        continue;
      }
      byte[] end = successor(table.biggestKey());
      if (Arrays.compareUnsigned(end, start) <= 0) {
        continue; // the same biggest key as a table before it
      }
      ranges.add(new Range(start, end));
      start = end;
      accumulated = 0;
    }
    ranges.add(new Range(start, null));
    return ranges;
  }

  /** The smallest key greater than {@code key}: {@code key} followed by a zero byte. */
  private static byte[] successor(byte[] key) {
    return Arrays.copyOf(key, key.length + 1);
  }

  private static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length
        && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }

  @Override
  public String toString() {
    return "Stream[readTs=" + snapshot.readTs() + ", numGo=" + numGo + ", prefix="
        + prefix.length + " bytes" + (started ? ", run" : "") + "]";
  }
}
