package dev.sett.internal.memtable;

import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.ValueStruct;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.random.RandomGenerator;

/**
 * An ordered map from internal keys to {@link ValueStruct}s that lives entirely in an
 * {@link Arena}: no Java object per entry. Keys order as {@link InternalKey#compare} (user key
 * ascending, then version descending) and are compared in place on the arena bytes.
 *
 * <p><b>Thread-safety.</b> One writer thread calls {@link #put}; any number of reader threads
 * search and walk the list at the same time, without locks. The invariants that make this safe
 * (after LevelDB's {@code db/skiplist.h}):
 * <ol>
 *   <li>Nodes are never removed or moved; a key's bytes never change once written.</li>
 *   <li>A node is fully written (value record, key, height, its own tower) before the writer
 *       links it into any level, and each link is stored with release semantics and loaded with
 *       acquire semantics; so a reader that reaches a node sees all of it.</li>
 *   <li>A node is linked level 0 first, then upwards; a reader on a higher level may miss a node
 *       being inserted, which only costs it a few extra steps on a lower level.</li>
 *   <li>A value is replaced by writing a new value record and then storing its address into the
 *       node with one release store; a reader sees either the old or the new value, whole.</li>
 *   <li>The chunk a node lives in is published (a volatile write in the arena) before the node is
 *       linked.</li>
 * </ol>
 * Readers therefore see a state between two {@code put}s, never a torn entry; an iterator is not a
 * snapshot and may or may not see entries added while it runs.
 *
 * <p><b>Layout.</b> A node, 8-byte aligned:
 * {@code long valueAddress | int keyLength | int height | long next[height] | key bytes}. A value
 * record, 8-byte aligned: {@code int length | ValueStruct encoding}. Longs and ints are in native
 * byte order (the arena never reaches disk).
 *
 * <p><b>Heights.</b> Maximum 20; each extra level is taken with probability p = 1/3, as Badger
 * does. The expected number of key comparisons per search is proportional to
 * {@code (1/p) / ln(1/p)}: 2.73 for p = 1/3, within 0.5% of the optimum at p = 1/e, against 2.89
 * for LevelDB's p = 1/4. The price is 1.5 instead of 1.33 tower links per node, about one byte per
 * entry, and comparisons (cache misses on arena bytes) are what a search pays for. With p = 1/3
 * twenty levels serve 3^20 (3.5 billion) entries. The random source is injected, so a seeded test
 * builds the same list every run.
 */
final class SkipList {
  /** The tallest tower a node can have. */
  static final int MAX_HEIGHT = 20;

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
  private static final VarHandle INTS =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.nativeOrder());

  private static final int VALUE_ADDRESS_OFFSET = 0;
  private static final int KEY_LENGTH_OFFSET = 8;
  private static final int HEIGHT_OFFSET = 12;
  private static final int TOWER_OFFSET = 16;
  private static final int VALUE_LENGTH_SIZE = 4;

  private final Arena arena;
  private final RandomGenerator random;
  private final long head;

  /** Levels in use, 1..MAX_HEIGHT. Head links above it are nil, so a stale read is harmless. */
  private volatile int height = 1;
  private volatile long nodeCount;

  /** Writer scratch: the last node before the insertion point on each level. */
  private final long[] predecessors = new long[MAX_HEIGHT];

  /**
   * @param arena  where every node and value lives; owned by this list from now on
   * @param random decides node heights; used by the writer thread only
   */
  SkipList(Arena arena, RandomGenerator random) {
    this.arena = arena;
    this.random = random;
    this.head = allocateNode(MAX_HEIGHT, 0);
  }

  /**
   * Inserts {@code internalKey} with {@code value}, or, if exactly that internal key is present,
   * replaces its value atomically. Writer thread only. The version in {@code value} is ignored:
   * it comes from the key. Returns whether a new node was inserted.
   */
  boolean put(byte[] internalKey, ValueStruct value) {
    if (internalKey.length < InternalKey.SUFFIX_LENGTH) {
      throw new IllegalArgumentException("internal key of " + internalKey.length
          + " bytes is shorter than its " + InternalKey.SUFFIX_LENGTH + "-byte version suffix");
    }
    long found = findGreaterOrEqual(internalKey, 0, internalKey.length, predecessors);
    long valueAddress = allocateValue(value);
    if (found != 0 && compareKey(found, internalKey, 0, internalKey.length) == 0) {
      LONGS.setRelease(arena.chunk(found), Arena.offset(found) + VALUE_ADDRESS_OFFSET,
          valueAddress);
      return false;
    }
    int nodeHeight = randomHeight();
    int listHeight = height;
    for (int level = listHeight; level < nodeHeight; level++) {
      predecessors[level] = head;
    }
    long node = allocateNode(nodeHeight, internalKey.length);
    byte[] chunk = arena.chunk(node);
    int offset = Arena.offset(node);
    LONGS.set(chunk, offset + VALUE_ADDRESS_OFFSET, valueAddress);
    System.arraycopy(internalKey, 0, chunk, keyOffset(offset, nodeHeight), internalKey.length);
    for (int level = 0; level < nodeHeight; level++) {
      LONGS.set(chunk, towerOffset(offset, level), next(predecessors[level], level));
    }
    if (nodeHeight > listHeight) {
      height = nodeHeight;
    }
    for (int level = 0; level < nodeHeight; level++) {
      long predecessor = predecessors[level];
      LONGS.setRelease(arena.chunk(predecessor), towerOffset(Arena.offset(predecessor), level),
          node);
    }
    nodeCount = nodeCount + 1;
    return true;
  }

  /** Distinct internal keys in the list. Any thread. */
  long nodeCount() {
    return nodeCount;
  }

  /** Arena bytes claimed so far. Any thread. */
  long memoryUsed() {
    return arena.memoryUsed();
  }

  // ---- Searches. Each returns a node address, 0 for none. Any thread.

  /** The first node, or 0 if the list is empty. */
  long first() {
    return next(head, 0);
  }

  /** The last node, or 0 if the list is empty. */
  long last() {
    long node = head;
    for (int level = height - 1; level >= 0; level--) {
      for (long next = next(node, level); next != 0; next = next(node, level)) {
        node = next;
      }
    }
    return node == head ? 0 : node;
  }

  /** The node after {@code node} (which must not be 0), or 0 at the end. */
  long next(long node) {
    return next(node, 0);
  }

  /** The node before {@code node} (which must not be 0), or 0 at the start. */
  long previous(long node) {
    byte[] chunk = arena.chunk(node);
    int offset = Arena.offset(node);
    return findLast(chunk, keyOffset(offset, nodeHeight(chunk, offset)),
        keyLength(chunk, offset), false);
  }

  /** The first node whose key is {@code >= key}. */
  long seekGreaterOrEqual(byte[] key) {
    return findGreaterOrEqual(key, 0, key.length, null);
  }

  /** The last node whose key is {@code <= key}. */
  long seekLessOrEqual(byte[] key) {
    return findLast(key, 0, key.length, true);
  }

  /**
   * The node nearest {@code key} on one side, as Badger's {@code findNear}: with {@code less},
   * the last node {@code < key} ({@code <= key} if {@code allowEqual}); otherwise the first node
   * {@code > key} ({@code >= key} if {@code allowEqual}).
   */
  long findNear(byte[] key, boolean less, boolean allowEqual) {
    if (less) {
      return findLast(key, 0, key.length, allowEqual);
    }
    long node = findGreaterOrEqual(key, 0, key.length, null);
    if (!allowEqual && node != 0 && compareKey(node, key, 0, key.length) == 0) {
      node = next(node, 0);
    }
    return node;
  }

  // ---- Node accessors. Any thread; the node must not be 0.

  /** A copy of the node's internal key. */
  byte[] key(long node) {
    byte[] chunk = arena.chunk(node);
    int offset = Arena.offset(node);
    int start = keyOffset(offset, nodeHeight(chunk, offset));
    return Arrays.copyOfRange(chunk, start, start + keyLength(chunk, offset));
  }

  /** The node's current value, with its version taken from the key. */
  ValueStruct value(long node) {
    byte[] chunk = arena.chunk(node);
    int offset = Arena.offset(node);
    int keyStart = keyOffset(offset, nodeHeight(chunk, offset));
    long version = InternalKey.version(chunk, keyStart, keyLength(chunk, offset));
    long valueAddress = (long) LONGS.getAcquire(chunk, offset + VALUE_ADDRESS_OFFSET);
    byte[] valueChunk = arena.chunk(valueAddress);
    int valueOffset = Arena.offset(valueAddress);
    int length = (int) INTS.get(valueChunk, valueOffset);
    return ValueStruct.decode(valueChunk, valueOffset + VALUE_LENGTH_SIZE, length, version);
  }

  /** Whether the node's key belongs to {@code userKey}. */
  boolean hasUserKey(long node, byte[] userKey) {
    byte[] chunk = arena.chunk(node);
    int offset = Arena.offset(node);
    int length = keyLength(chunk, offset);
    if (length - InternalKey.SUFFIX_LENGTH != userKey.length) {
      return false;
    }
    int start = keyOffset(offset, nodeHeight(chunk, offset));
    return Arrays.equals(chunk, start, start + userKey.length, userKey, 0, userKey.length);
  }

  /** Compares the node's key with {@code key[offset, offset+length)}, as InternalKey.compare. */
  int compareKey(long node, byte[] key, int keyOffset, int keyLength) {
    byte[] chunk = arena.chunk(node);
    int offset = Arena.offset(node);
    return InternalKey.compare(chunk, keyOffset(offset, nodeHeight(chunk, offset)),
        keyLength(chunk, offset), key, keyOffset, keyLength);
  }

  // ---- Internals.

  /**
   * Descends from the head to the first node {@code >= key}; fills {@code predecessorsOut} (if
   * not null) with the last node {@code < key} on every level below the list height.
   */
  private long findGreaterOrEqual(byte[] key, int keyOffset, int keyLength,
      long[] predecessorsOut) {
    long node = head;
    int level = height - 1;
    while (true) {
      long next = next(node, level);
      if (next != 0 && compareKey(next, key, keyOffset, keyLength) < 0) {
        node = next;
      } else {
        if (predecessorsOut != null) {
          predecessorsOut[level] = node;
        }
        if (level == 0) {
          return next;
        }
        level--;
      }
    }
  }

  /** The last node {@code < key}, or {@code <= key} when {@code inclusive}; 0 if none. */
  private long findLast(byte[] key, int keyOffset, int keyLength, boolean inclusive) {
    long node = head;
    int level = height - 1;
    while (true) {
      long next = next(node, level);
      int comparison = next == 0 ? 1 : compareKey(next, key, keyOffset, keyLength);
      if (comparison < 0 || (inclusive && comparison == 0)) {
        node = next;
      } else if (level == 0) {
        return node == head ? 0 : node;
      } else {
        level--;
      }
    }
  }

  private long next(long node, int level) {
    return (long) LONGS.getAcquire(arena.chunk(node), towerOffset(Arena.offset(node), level));
  }

  private long allocateNode(int nodeHeight, int keyLength) {
    long node = arena.allocate(TOWER_OFFSET + nodeHeight * Long.BYTES + keyLength);
    byte[] chunk = arena.chunk(node);
    int offset = Arena.offset(node);
    INTS.set(chunk, offset + KEY_LENGTH_OFFSET, keyLength);
    INTS.set(chunk, offset + HEIGHT_OFFSET, nodeHeight);
    return node;
  }

  private long allocateValue(ValueStruct value) {
    int length = value.encodedSize();
    long address = arena.allocate(VALUE_LENGTH_SIZE + length);
    byte[] chunk = arena.chunk(address);
    int offset = Arena.offset(address);
    INTS.set(chunk, offset, length);
    value.encode(chunk, offset + VALUE_LENGTH_SIZE);
    return address;
  }

  private int randomHeight() {
    int nodeHeight = 1;
    while (nodeHeight < MAX_HEIGHT && random.nextInt(3) == 0) {
      nodeHeight++;
    }
    return nodeHeight;
  }

  private static int keyLength(byte[] chunk, int nodeOffset) {
    return (int) INTS.get(chunk, nodeOffset + KEY_LENGTH_OFFSET);
  }

  private static int nodeHeight(byte[] chunk, int nodeOffset) {
    return (int) INTS.get(chunk, nodeOffset + HEIGHT_OFFSET);
  }

  private static int towerOffset(int nodeOffset, int level) {
    return nodeOffset + TOWER_OFFSET + level * Long.BYTES;
  }

  private static int keyOffset(int nodeOffset, int nodeHeight) {
    return nodeOffset + TOWER_OFFSET + nodeHeight * Long.BYTES;
  }
}
