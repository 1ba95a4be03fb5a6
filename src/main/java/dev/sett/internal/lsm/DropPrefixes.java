package dev.sett.internal.lsm;

import dev.sett.internal.key.InternalKey;
import dev.sett.internal.sstable.Table;
import java.util.List;

/**
 * The user-key prefixes a DropPrefix compaction removes.
 *
 * <p>Thread-safety: immutable; shared by the sub-compactions of a run.
 */
final class DropPrefixes {
  private final List<byte[]> prefixes;

  /** {@code prefixes} must not change afterwards ({@link CompactionInput} copies them). */
  DropPrefixes(List<byte[]> prefixes) {
    this.prefixes = prefixes;
  }

  boolean isEmpty() {
    return prefixes.isEmpty();
  }

  /** Whether the user key of {@code internalKey} starts with one of the prefixes. */
  boolean matches(byte[] internalKey) {
    for (byte[] prefix : prefixes) {
      if (InternalKey.userKeyHasPrefix(internalKey, prefix)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether every key of {@code table} starts with one prefix: its smallest and biggest user keys
   * share the prefix, and so does everything between them.
   */
  boolean coversTable(Table table) {
    byte[] smallest = table.smallestKey();
    byte[] biggest = table.biggestKey();
    for (byte[] prefix : prefixes) {
      if (InternalKey.userKeyHasPrefix(smallest, prefix)
          && InternalKey.userKeyHasPrefix(biggest, prefix)) {
        return true;
      }
    }
    return false;
  }
}
