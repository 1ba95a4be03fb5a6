package dev.sett.internal.db;

/** Waiting that an interrupt must not cut short (closing threads that own the store's files). */
final class Uninterruptibly {
  private Uninterruptibly() {
  }

  /** Waits for {@code thread} to end even if interrupted, then restores the interrupt. */
  static void join(Thread thread) {
    boolean interrupted = false;
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
