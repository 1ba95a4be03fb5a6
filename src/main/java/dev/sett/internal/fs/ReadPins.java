package dev.sett.internal.fs;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Hazard slots that let a short read use a {@link RefCounted} resource without touching its
 * reference count, which every reader thread would otherwise write (a cache line passed from core
 * to core on every read: the scalability wall of a count per lookup). LevelDB's {@code Version}
 * and Pebble's {@code readState} pin once per snapshot for the same reason.
 *
 * <p>A reader publishes the object it is about to use in a slot of its own ({@link #pin}), then
 * checks that the object is still the current one (the snapshot in a volatile field, the file in
 * its map) and, if not, publishes the new current one ({@link #repin}) and checks again. The owner
 * that replaces the object hands its own reference to {@link #retire} instead of releasing it;
 * retired objects are released once no slot holds them, at the retire or at the unpin of the last
 * reader that held them. That is safe by a Dekker-style handshake: the reader stores its slot and
 * then loads the current object; the owner stores the new current object and then (after a full
 * fence) loads every slot. So either the owner's scan sees the slot, or the reader sees the
 * replacement and never uses the retired object. Likewise {@link #unpin} stores null in the slot
 * and then loads the count of retired objects, which {@link #retire} raises before its scan: a
 * retired object is never left unreleased after its last reader left.
 *
 * <p>Slots are chosen by thread, each on a cache line of its own, so readers on different cores
 * write different lines; {@link #pin} returns -1 when every slot is taken, and the caller then
 * takes a reference the ordinary way. Pins are for reads that end soon: a retired object stays
 * mapped while a slot holds it.
 *
 * <p>Thread-safety: safe for concurrent use.
 *
 * @param <T> the resource pinned
 */
public final class ReadPins<T extends RefCounted> {
  /** Slots: a power of two, enough for every reader thread of a busy store. */
  static final int SLOTS = 64;
  /** References between two slots: 64 bytes or more, so two slots never share a cache line. */
  private static final int STRIDE = 16;

  private final AtomicReferenceArray<T> slots = new AtomicReferenceArray<>(SLOTS * STRIDE);
  private final Object retireLock = new Object();
  /** Objects replaced but perhaps still pinned; each holds its owner's reference. */
  @GuardedBy("retireLock")
  private final List<T> retired = new ArrayList<>();
  /** {@code retired.size()}, read without the lock by {@link #unpin}. */
  private volatile int retiredCount;

  /**
   * Publishes {@code candidate} in a free slot and returns the slot, or -1 when none is free. The
   * caller must then check that {@code candidate} is still current (and {@link #repin} the new
   * one if it is not) before it reads through it, and {@link #unpin} the slot when done.
   */
  public int pin(T candidate) {
    int start = (int) (Thread.currentThread().getId() * 0x9E3779B97F4A7C15L >>> 58);
    for (int attempt = 0; attempt < SLOTS; attempt++) {
      int slot = (start + attempt) & (SLOTS - 1);
      int index = slot * STRIDE;
      if (slots.get(index) == null && slots.compareAndSet(index, null, candidate)) {
        VarHandle.fullFence(); // the store above before the caller's check of what is current
        return slot;
      }
    }
    return -1;
  }

  /** Publishes {@code candidate} in place of what {@code slot} held; check it again after. */
  public void repin(int slot, T candidate) {
    slots.set(slot * STRIDE, candidate);
    VarHandle.fullFence();
  }

  /** Ends a pinned read; releases what was retired meanwhile if no other slot holds it. */
  public void unpin(int slot) {
    slots.set(slot * STRIDE, null);
    if (retiredCount != 0) {
      reclaim();
    }
  }

  /**
   * Takes over the caller's reference to {@code replaced}, which the caller has just made
   * unreachable for new pins (replaced it as the current object): released now if no slot holds
   * it, otherwise when the last slot that does lets go.
   */
  public void retire(T replaced) {
    synchronized (retireLock) {
      retired.add(replaced);
      retiredCount = retired.size();
    }
    reclaim();
  }

  /** Objects retired but not yet released, for tests. */
  public int retiredCount() {
    return retiredCount;
  }

  private void reclaim() {
    List<T> free = new ArrayList<>();
    synchronized (retireLock) {
      VarHandle.fullFence(); // the owner's replacement before the scan of the slots
      for (int i = retired.size() - 1; i >= 0; i--) {
        T object = retired.get(i);
        if (!isPinned(object)) {
          free.add(object);
          retired.remove(i);
        }
      }
      retiredCount = retired.size();
    }
    for (T object : free) {
      object.release();
    }
  }

  private boolean isPinned(T object) {
    for (int slot = 0; slot < SLOTS; slot++) {
      if (slots.get(slot * STRIDE) == object) {
        return true;
      }
    }
    return false;
  }
}
