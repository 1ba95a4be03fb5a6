package dev.sett.internal.fs;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A resource with an explicit lifetime: it starts with one reference, every {@link #retain()} adds
 * one, every {@link #release()} drops one, and {@link #deallocate()} runs exactly once when the count
 * reaches zero. A retain after that fails, so a released resource can never be used again.
 *
 * <p>Thread-safety: retain and release are lock-free and safe from any thread.
 */
public abstract class RefCounted {
  private final AtomicInteger references = new AtomicInteger(1);

  /** Adds a reference; throws {@link IllegalStateException} if the resource is already released. */
  public final void retain() {
    if (!tryRetain()) {
      throw new IllegalStateException(this + " is already released");
    }
  }

  /** Adds a reference unless the resource is already released; returns whether it did. */
  public final boolean tryRetain() {
    while (true) {
      int current = references.get();
      if (current <= 0) {
        return false;
      }
      if (references.compareAndSet(current, current + 1)) {
        return true;
      }
    }
  }

  /** Drops a reference; the last one frees the resource. */
  public final void release() {
    int remaining = references.decrementAndGet();
    if (remaining == 0) {
      deallocate();
    } else if (remaining < 0) {
      references.incrementAndGet();
      throw new IllegalStateException(this + " released more often than retained");
    }
  }

  public final int referenceCount() {
    return references.get();
  }

  /** Frees the resource. Runs once, on the thread that dropped the last reference. */
  protected abstract void deallocate();
}
