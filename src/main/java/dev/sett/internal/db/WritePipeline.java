package dev.sett.internal.db;

import dev.sett.internal.key.KeyValue;
import dev.sett.internal.memtable.Memtable;
import dev.sett.internal.txn.Oracle;
import java.io.IOException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer: takes every queued commit (group commit), appends each to the active
 * memtable's WAL and skiplist, forces the WAL once for the whole group when {@code syncWrites} is
 * on, and only then completes the commits and advances the read timestamp.
 *
 * <p>One writer means commits reach the WAL in commit-timestamp order, which is what lets the
 * {@link Oracle} publish a read timestamp with a single volatile and lets WAL replay restore a
 * prefix of the commit order.
 *
 * <p>Errors: a failed append or sync fails the commits of its group that were not yet completed,
 * and is sticky: later commits fail at once (the store must be reopened).
 *
 * <p>Thread-safety: {@link #submit} is called under the oracle's commit lock, from any thread.
 */
final class WritePipeline {
  private static final Logger LOG = LoggerFactory.getLogger(WritePipeline.class);
  private static final int QUEUE_CAPACITY = 1000;
  private static final int MAX_GROUP = 3000;

  /** One commit: its entries (versions assigned) and the future its committer waits on. */
  record Request(List<KeyValue> entries, long commitTs, CompletableFuture<Void> done) {
  }

  /** Creates the next mutable memtable (and its WAL). */
  interface MemtableFactory {
    Memtable newMemtable() throws IOException;
  }

  private static final Request STOP = new Request(List.of(), -1, null);

  private final Memtables memtables;
  private final MemtableFactory memtableFactory;
  private final Oracle oracle;
  private final boolean syncWrites;
  private final StickyError stickyError;
  private final BlockingQueue<Request> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
  private final Thread thread;
  private final AtomicLong stallNanos = new AtomicLong();

  WritePipeline(Memtables memtables, MemtableFactory memtableFactory, Oracle oracle,
      boolean syncWrites, StickyError stickyError, String threadName) {
    this.memtables = memtables;
    this.memtableFactory = memtableFactory;
    this.oracle = oracle;
    this.syncWrites = syncWrites;
    this.stickyError = stickyError;
    this.thread = new Thread(this::run, threadName);
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Queues a commit; blocks while the queue is full (back-pressure). */
  void submit(Request request) {
    try {
      queue.put(request);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      request.done().completeExceptionally(e);
      oracle.markApplied(request.commitTs());
    }
  }

  /** Total time the writer waited for a memtable to be flushed. */
  long stallNanos() {
    return stallNanos.get();
  }

  /** Applies everything queued so far, then stops the writer thread. */
  void stop() throws InterruptedException {
    queue.put(STOP);
    thread.join();
  }

  private void run() {
    List<Request> group = new ArrayList<>();
    while (true) {
      group.clear();
      try {
        Request first = queue.poll(1, TimeUnit.SECONDS);
        if (first == null) {
          continue;
        }
        group.add(first);
        queue.drainTo(group, MAX_GROUP - 1);
      } catch (InterruptedException e) {
        LOG.warn("writer thread interrupted; it keeps running until the store closes");
        continue;
      }
      boolean stop = group.get(group.size() - 1) == STOP;
      if (stop) {
        group.remove(group.size() - 1);
      }
      writeGroup(group);
      if (stop) {
        return;
      }
    }
  }

  private void writeGroup(List<Request> group) {
    Map<Memtable, Boolean> touched = new IdentityHashMap<>();
    int written = 0;
    try {
      stickyError.throwIfSet();
      for (Request request : group) {
        Memtable memtable = memtableWithRoom();
        memtable.write(request.entries());
        touched.put(memtable, Boolean.TRUE);
        written++;
      }
      if (syncWrites) {
        for (Memtable memtable : touched.keySet()) {
          memtable.sync();
        }
      }
    } catch (IOException | RuntimeException e) {
      stickyError.set(e);
      if (written > 0 && !syncWrites) {
        // The first `written` requests reached the WAL and the memtable before the failure; with
        // syncWrites off that is all they were promised.
        complete(group.subList(0, written), null);
        group = group.subList(written, group.size());
      }
      complete(group, e);
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stickyError.set(e);
      complete(group, e);
      return;
    }
    complete(group, null);
  }

  private void complete(List<Request> requests, Throwable error) {
    for (Request request : requests) {
      oracle.markApplied(request.commitTs());
      if (error == null) {
        request.done().complete(null);
      } else {
        request.done().completeExceptionally(error);
      }
    }
  }

  /** The mutable memtable, rotated first if it is full (waiting if the flusher is behind). */
  private Memtable memtableWithRoom() throws IOException, InterruptedException {
    Memtable memtable = memtables.mutable();
    if (!memtable.isFull()) {
      return memtable;
    }
    if (syncWrites) {
      // Requests of the current group may already sit in this WAL; force them before sealing it.
      memtable.sync();
    }
    memtable.closeWal();
    Memtable next = memtableFactory.newMemtable();
    long waited = memtables.rotate(next);
    stallNanos.addAndGet(waited);
    stickyError.throwIfSet();
    return next;
  }
}
