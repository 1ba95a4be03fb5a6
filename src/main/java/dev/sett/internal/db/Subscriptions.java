package dev.sett.internal.db;

import dev.sett.KV;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValue;
import dev.sett.internal.key.ValueStruct;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The change feed behind {@code DB.subscribe}: the writer hands every applied commit to
 * {@link #publish}, in commit order; each subscription keeps the changes under its prefixes in a
 * bounded queue that its own delivery thread drains into the callback.
 *
 * <p><b>Back-pressure.</b> A subscription buffers at most {@link #BUFFERED_COMMITS} commits. When
 * its callback falls that far behind, {@link #publish} waits for room, and since it runs on the
 * single writer thread, every writer of the store waits with it: a slow subscriber slows the
 * store down rather than lose changes or grow without bound. A callback must therefore not wait
 * for a commit of the same store (it would wait for itself once the buffer is full).
 *
 * <p><b>Failure.</b> A callback that throws ends its own subscription (the error is logged); the
 * writers and the other subscriptions go on.
 *
 * <p>Thread-safety: {@link #publish} is called by the writer thread only; {@link #subscribe},
 * {@link Subscription#close} and {@link #closeAll} may be called from any thread.
 */
final class Subscriptions {
  private static final Logger LOG = LoggerFactory.getLogger(Subscriptions.class);
  /** Commits a subscription may hold before the writer waits for its callback. */
  static final int BUFFERED_COMMITS = 1000;
  /** Most KVs handed to one call of a callback (several commits are coalesced up to it). */
  static final int MAX_DELIVERY = 10_000;

  private final CopyOnWriteArrayList<Subscription> active = new CopyOnWriteArrayList<>();
  private final ThreadFactory deliveryThreads;

  /** {@code deliveryThreads} makes each subscription's delivery thread (named, daemon). */
  Subscriptions(ThreadFactory deliveryThreads) {
    this.deliveryThreads = deliveryThreads;
  }

  /**
   * Starts delivering the commits published from now on whose keys start with one of
   * {@code prefixes} (an empty prefix matches every key). The prefixes are copied.
   */
  Subscription subscribe(List<byte[]> prefixes, Consumer<List<KV>> onUpdate) {
    if (prefixes == null || prefixes.isEmpty()) {
      throw new IllegalArgumentException("subscribe needs at least one prefix (an empty one matches every key)");
    }
    if (onUpdate == null) {
      throw new IllegalArgumentException("subscribe needs a callback");
    }
    List<byte[]> copies = new ArrayList<>(prefixes.size());
    for (byte[] prefix : prefixes) {
      if (prefix == null) {
        throw new IllegalArgumentException("a subscription prefix must not be null");
      }
      copies.add(prefix.clone());
    }
    Subscription subscription = new Subscription(copies, onUpdate);
    active.add(subscription);
    subscription.thread.start();
    return subscription;
  }

  /** Whether anybody listens (the writer skips building KVs otherwise). */
  boolean isEmpty() {
    return active.isEmpty();
  }

  /** Number of live subscriptions. */
  int size() {
    return active.size();
  }

  /**
   * Hands one applied commit to every subscription it concerns; waits while one of them is full
   * (see the class note). Writer thread only.
   */
  void publish(List<KeyValue> entries) {
    for (Subscription subscription : active) {
      List<KV> matching = null;
      for (KeyValue entry : entries) {
        if (subscription.matches(entry.key())) {
          if (matching == null) {
            matching = new ArrayList<>();
          }
          matching.add(toKv(entry));
        }
      }
      if (matching != null) {
        subscription.enqueue(matching);
      }
    }
  }

  private static KV toKv(KeyValue entry) {
    ValueStruct value = entry.value();
    return new KV(InternalKey.userKey(entry.key()), value.isDeleted() ? null : value.value(),
        value.userMeta(), InternalKey.version(entry.key()), value.expiresAt(), value.isDeleted());
  }

  /** The store is closing: delivers what is buffered, then ends every subscription. */
  void closeAll() {
    for (Subscription subscription : active) {
      subscription.drainAndClose();
    }
  }

  /** One subscriber: its prefixes, its buffer and its delivery thread. */
  final class Subscription implements AutoCloseable {
    private final List<byte[]> prefixes;
    private final Consumer<List<KV>> onUpdate;
    private final BlockingQueue<List<KV>> buffer = new ArrayBlockingQueue<>(BUFFERED_COMMITS);
    private final Thread thread;
    private volatile boolean closed;
    /** Set when the store closes: the thread delivers what is buffered, then stops. */
    private volatile boolean draining;

    private Subscription(List<byte[]> prefixes, Consumer<List<KV>> onUpdate) {
      this.prefixes = prefixes;
      this.onUpdate = onUpdate;
      this.thread = deliveryThreads.newThread(this::deliver);
    }

    private boolean matches(byte[] internalKey) {
      if (InternalKey.userKeyHasPrefix(internalKey, TxnImpl.RESERVED_PREFIX)) {
        return false; // Sett's own keys are no user's change
      }
      for (byte[] prefix : prefixes) {
        if (InternalKey.userKeyHasPrefix(internalKey, prefix)) {
          return true;
        }
      }
      return false;
    }

    /** Writer thread: waits for room while the subscription lives. */
    private void enqueue(List<KV> kvs) {
      boolean interrupted = false;
      try {
        while (!closed) {
          try {
            if (buffer.offer(kvs, 50, TimeUnit.MILLISECONDS)) {
              return;
            }
          } catch (InterruptedException e) {
            interrupted = true; // the writer must not drop a change; it keeps waiting
          }
        }
      } finally {
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
    }

    private void deliver() {
      List<KV> batch = new ArrayList<>();
      while (!closed) {
        List<KV> first;
        try {
          first = buffer.poll(50, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          continue; // only `closed` ends a subscription
        }
        if (first == null) {
          if (draining) {
            break;
          }
          continue;
        }
        batch.clear();
        batch.addAll(first);
        List<KV> next;
        while (batch.size() < MAX_DELIVERY && (next = buffer.poll()) != null) {
          batch.addAll(next);
        }
        if (closed) {
          break;
        }
        try {
          onUpdate.accept(List.copyOf(batch));
        } catch (RuntimeException | Error e) {
          LOG.error("{}: the subscription's callback threw; the subscription is ended",
              thread.getName(), e);
          end();
          return;
        }
      }
      end();
    }

    private void end() {
      closed = true;
      active.remove(this);
      buffer.clear();
    }

    /**
     * Ends the subscription: once this returns, the callback is not called again (a call in
     * progress on another thread is waited for). Idempotent; may be called from the callback.
     */
    @Override
    public void close() {
      end();
      if (Thread.currentThread() != thread) {
        Uninterruptibly.join(thread); // the thread polls with a timeout and sees `closed`
      }
    }

    private void drainAndClose() {
      draining = true;
      if (Thread.currentThread() != thread) {
        Uninterruptibly.join(thread);
      }
      end();
    }

    @Override
    public String toString() {
      return "Subscription[" + thread.getName() + ", " + prefixes.size() + " prefixes"
          + (closed ? ", closed" : "") + "]";
    }
  }
}
