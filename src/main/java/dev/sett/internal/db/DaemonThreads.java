package dev.sett.internal.db;

import java.nio.file.Path;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The store's background threads: daemons (they never keep the host's JVM alive), named after the
 * store's directory and their role, so a thread dump says whose thread it is.
 */
final class DaemonThreads {
  private DaemonThreads() {}

  /** The prefix of every thread of the store in {@code dir}: {@code sett-<directory name>}. */
  static String prefix(Path dir) {
    Path name = dir == null ? null : dir.getFileName();
    return name == null ? "sett" : "sett-" + name;
  }

  /** Threads named exactly {@code name}. */
  static ThreadFactory named(String name) {
    return task -> daemon(task, name);
  }

  /** Threads named {@code prefix-1}, {@code prefix-2}, ... */
  static ThreadFactory numbered(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return task -> daemon(task, prefix + "-" + count.incrementAndGet());
  }

  private static Thread daemon(Runnable task, String name) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    return thread;
  }
}
