package dev.sett.internal.db;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.sett.internal.memtable.Memtable;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The mutable memtable and the immutable ones waiting to be flushed.
 *
 * <p>The commit pipeline's leader ({@link WritePipeline}) fills the mutable memtable; when it is full, {@link #rotate} seals it and
 * installs a new one. At most {@code capacity} sealed memtables wait for the flusher; beyond that
 * {@link #rotate} blocks, which stalls the writer and so every commit (back-pressure instead of
 * unbounded memory).
 *
 * <p>Readers take {@link #readOrder()}, an immutable list newest first, without locking. It must be
 * read <em>before</em> the levels: the flusher publishes a flushed table to L0 before it removes
 * the memtable here, so a reader that saw the memtable gone will see the table.
 *
 * <p>Thread-safety: safe for concurrent use; mutations hold the monitor of this object.
 */
final class Memtables {
  private final int capacity;
  /** Guarded by this: sealed memtables, oldest first. */
  @GuardedBy("this")
  private final ArrayDeque<Memtable> immutables = new ArrayDeque<>();
  /** Guarded by this (written); read lock-free. */
  private volatile Memtable mutable;
  /** Written under this; read lock-free. Newest first: the mutable one, then sealed newest first. */
  private volatile List<Memtable> readOrder = List.of();
  /** Guarded by this: set when the flusher failed or the store closes, to stop waiting. */
  @GuardedBy("this")
  private boolean abandoned;

  Memtables(int capacity) {
    this.capacity = capacity;
  }

  /** Installs the first mutable memtable and the sealed ones recovered from WALs (oldest first). */
  synchronized void initialize(Memtable first, List<Memtable> recovered) {
    immutables.addAll(recovered);
    mutable = first;
    publishLocked();
  }

  Memtable mutable() {
    return mutable;
  }

  List<Memtable> readOrder() {
    return readOrder;
  }

  /**
   * Seals the mutable memtable and installs {@code next}, waiting while {@code capacity} sealed
   * memtables already wait for the flusher (through interrupts: the caller is the pipeline's leader,
   * holding commits that must be written; the interrupt is restored). Returns the time spent
   * waiting, in nanoseconds.
   */
  synchronized long rotate(Memtable next) {
    long start = System.nanoTime();
    boolean interrupted = false;
    while (immutables.size() >= capacity && !abandoned) {
      try {
        wait();
      } catch (InterruptedException e) {
        interrupted = true; // the leader holds commits that must be written; restored below
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    long waited = System.nanoTime() - start;
    if (mutable != null) {
      immutables.addLast(mutable);
    }
    mutable = next;
    publishLocked();
    notifyAll();
    return waited;
  }

  /** Seals the mutable memtable without installing a new one (at close). */
  synchronized void sealMutable() {
    if (mutable != null) {
      immutables.addLast(mutable);
      mutable = null;
      publishLocked();
      notifyAll();
    }
  }

  /** The oldest sealed memtable, waiting for one; null once {@link #abandon} was called and none is left. */
  synchronized Memtable awaitOldestImmutable(java.util.function.BooleanSupplier stop)
      throws InterruptedException {
    while (immutables.isEmpty()) {
      if (stop.getAsBoolean() || abandoned) {
        return null;
      }
      wait(100);
    }
    return immutables.peekFirst();
  }

  /** Removes a flushed memtable (it must be the oldest sealed one). */
  synchronized void removeFlushed(Memtable flushed) {
    if (immutables.peekFirst() != flushed) {
      throw new IllegalStateException("flushed memtable " + flushed.id() + " is not the oldest");
    }
    immutables.removeFirst();
    publishLocked();
    // Out of the read order (and in L0): readers still in it finish, then its chunks are reused.
    flushed.release();
    notifyAll();
  }

  synchronized int immutableCount() {
    return immutables.size();
  }

  /** Waits until every sealed memtable is flushed (or the flusher gave up). */
  synchronized void awaitFlushed() throws InterruptedException {
    while (!immutables.isEmpty() && !abandoned) {
      wait(100);
    }
  }

  /** Stops all waiting: the flusher failed or the store is closing. */
  synchronized void abandon() {
    abandoned = true;
    notifyAll();
  }

  synchronized void wakeAll() {
    notifyAll();
  }

  @GuardedBy("this")
  private void publishLocked() {
    List<Memtable> order = new ArrayList<>(immutables.size() + 1);
    if (mutable != null) {
      order.add(mutable);
    }
    List<Memtable> sealed = new ArrayList<>(immutables);
    Collections.reverse(sealed);
    order.addAll(sealed);
    readOrder = List.copyOf(order);
  }
}
