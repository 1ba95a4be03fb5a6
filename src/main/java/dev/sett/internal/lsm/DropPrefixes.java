package dev.sett.internal.lsm;

import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.Namespaces;
import dev.sett.internal.sstable.Table;
import java.util.List;

/**
 * The keys a compaction leaves out whatever their versions: those that start with a prefix of a
 * DropPrefix compaction, and those of a banned namespace (every compaction drops them: a ban is
 * never lifted, so no older version of such a key can become visible again).
 *
 * <p>Thread-safety: immutable prefixes and a thread-safe {@link Namespaces}; shared by the
 * sub-compactions of a run.
 */
final class DropPrefixes {
  private final List<byte[]> prefixes;
  private final Namespaces namespaces;

  /** {@code prefixes} must not change afterwards ({@link CompactionInput} copies them). */
  DropPrefixes(List<byte[]> prefixes, Namespaces namespaces) {
    this.prefixes = prefixes;
    this.namespaces = namespaces;
  }

  /**
   * Whether the user key of {@code internalKey} starts with one of the prefixes or lies in a
   * banned namespace.
   */
  boolean matches(byte[] internalKey) {
    if (namespaces.isBannedInternalKey(internalKey)) {
      return true;
    }
    for (byte[] prefix : prefixes) {
      if (InternalKey.userKeyHasPrefix(internalKey, prefix)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether every key of {@code table} starts with one prefix, or lies in one banned namespace:
   * its smallest and biggest user keys share the prefix (or namespace), and so does everything
   * between them.
   */
  boolean coversTable(Table table) {
    byte[] smallest = table.smallestKey();
    byte[] biggest = table.biggestKey();
    if (namespaces.coversRange(smallest, biggest)) {
      return true;
    }
    for (byte[] prefix : prefixes) {
      if (InternalKey.userKeyHasPrefix(smallest, prefix)
          && InternalKey.userKeyHasPrefix(biggest, prefix)) {
        return true;
      }
    }
    return false;
  }
}
