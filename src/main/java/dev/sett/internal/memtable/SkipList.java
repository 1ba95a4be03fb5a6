package dev.sett.internal.memtable;

import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.ValueStruct;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.random.RandomGenerator;

/**
 * An ordered map from internal keys to {@link ValueStruct}s that lives entirely in an
 * {@link Arena}: no Java object per entry, and no byte of it on the Java heap. Keys order as
 * {@link InternalKey#compare} (user key ascending, then version descending) and are compared in
 * place on the arena bytes.
 *
 * <p><b>Layout.</b> A node is one allocation in an arena chunk, 8-byte aligned, its address the
 * node's address:
 * <pre>
 *   +0            value address  address of the current value record   long, acquire/release
 *   +8            key prefix     first 8 user-key bytes, big-endian     long, plain, immutable
 *   +16           key length     of the internal key                    int,  plain, immutable
 *   +20           height         tower levels, 1..MAX_HEIGHT            int,  plain, immutable
 *   +24           next[height]   addresses of the successors            long, acquire/release
 *   +24+8*height  key            the internal key's bytes               plain, immutable
 *   then          value record   the first value (see below)            plain, immutable
 * </pre>
 * A value record is {@code int valueLength | u8 meta | u8 userMeta | long expiresAt | value}, in
 * native byte order (the arena never reaches disk); a replacement is a new record in an allocation
 * of its own. Words that readers load while the writer may store them (the links and the value
 * address) are at 8-aligned offsets and accessed through a
 * {@link MethodHandles#byteBufferViewVarHandle} in acquire/release mode, which direct buffers
 * support on every JDK (see {@link Arena}); everything else is written once with plain stores
 * before a release store publishes it.
 *
 * <p><b>Comparisons.</b> The cost of a search is its comparisons, so a comparison loads as little
 * as it can: the key prefix decides most of them without loading the key bytes (the node's first
 * cache line holds the prefix, the lengths and the lower links); when it does not, the key sits
 * right after the tower (usually the same or the next cache line), and the rest of the user key is
 * compared 8 bytes at a time as unsigned big-endian longs, the version suffix as one long.
 *
 * <p><b>Thread-safety.</b> One writer thread calls {@link #put}; any number of reader threads
 * search and walk the list at the same time, without locks. The invariants that make this safe
 * (after LevelDB's {@code db/skiplist.h}):
 * <ol>
 *   <li>Nodes are never removed or moved; a node's key, prefix, lengths and first value record
 *       never change once written, nor does any value record.</li>
 *   <li>A node is fully written before the writer links it into any level: key, value record,
 *       header words and its own tower, all with plain stores. Each link is then stored with
 *       release semantics and loaded with acquire semantics. A reader whose acquire load returns
 *       the node address therefore happens-after every one of those plain stores: it sees the
 *       node, its key and its value whole.</li>
 *   <li>A node is linked level 0 first, then upwards; a reader on a higher level may miss a node
 *       being inserted, which only costs it a few extra steps on a lower level.</li>
 *   <li>A value is replaced by writing a new value record (plain stores) and then storing its
 *       address into the node's value word with one release store; readers load that word with
 *       acquire, so a reader sees either the old or the new record, whole.</li>
 *   <li>The chunk a node or a record lives in is published (a volatile write of the arena's
 *       chunk table) before the allocation returns, so before the release store that makes its
 *       address reachable; a reader looks the chunk up only after its acquire load and so always
 *       finds it.</li>
 * </ol>
 * Readers therefore see a state between two {@code put}s, never a torn entry; an iterator is not a
 * snapshot and may or may not see entries added while it runs. The arena must outlive every
 * reader: the {@link Memtable} frees it only when its reference count says none is left.
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

  /** Node words in arena chunks: plain, acquire and release access (aligned, direct buffers). */
  private static final VarHandle WORDS =
      MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
  private static final VarHandle INTS =
      MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
  /** Key bytes in arena chunks, 8 at a time as big-endian numbers: plain access only. */
  private static final VarHandle KEY_LONGS =
      MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  /** Key bytes of keys the caller owns, the same way. */
  private static final VarHandle ARRAY_KEY_LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  // Byte offsets within a node.
  private static final int VALUE_ADDRESS = 0;
  private static final int KEY_PREFIX = 8;
  private static final int KEY_LENGTH = 16;
  private static final int HEIGHT = 20;
  private static final int TOWER = 24;

  // Byte offsets within a value record.
  private static final int VALUE_LENGTH = 0;
  private static final int META = 4;
  private static final int USER_META = 5;
  private static final int EXPIRES_AT = 6;
  private static final int VALUE_BYTES = 14;

  private static final int SUFFIX = InternalKey.SUFFIX_LENGTH;

  private final Arena arena;
  private final RandomGenerator random;
  private final long head;

  /** Levels in use, 1..MAX_HEIGHT. Head links above it are nil, so a stale read is harmless. */
  private volatile int height = 1;
  private volatile long nodeCount;

  /** Writer scratch: the last node before the insertion point on each level. */
  private final long[] predecessors = new long[MAX_HEIGHT];

  /**
   * @param arena  where every node, key and value lives; owned by this list from now on
   * @param random decides node heights; used by the writer thread only
   */
  SkipList(Arena arena, RandomGenerator random) {
    this.arena = arena;
    this.random = random;
    // The head has no key and no value; its links start nil. Arena memory is not zeroed.
    int size = TOWER + MAX_HEIGHT * Long.BYTES;
    this.head = arena.allocate(size);
    ByteBuffer chunk = arena.chunk(head);
    int base = Arena.offset(head);
    for (int offset = 0; offset < size; offset += Long.BYTES) {
      WORDS.set(chunk, base + offset, 0L);
    }
    INTS.set(chunk, base + HEIGHT, MAX_HEIGHT);
  }

  /**
   * Inserts {@code internalKey} with {@code value}, or, if exactly that internal key is present,
   * replaces its value atomically. Writer thread only. The version in {@code value} is ignored:
   * it comes from the key. Returns whether a new node was inserted.
   */
  boolean put(byte[] internalKey, ValueStruct value) {
    if (internalKey.length < SUFFIX) {
      throw new IllegalArgumentException("internal key of " + internalKey.length
          + " bytes is shorter than its " + SUFFIX + "-byte version suffix");
    }
    int userLength = internalKey.length - SUFFIX;
    long keyPrefix = userKeyPrefix(internalKey, 0, internalKey.length);
    long suffix = (long) ARRAY_KEY_LONGS.get(internalKey, userLength);
    long found = findGreaterOrEqual(internalKey, userLength, keyPrefix, suffix, predecessors);
    if (found != 0 && compare(found, internalKey, userLength, keyPrefix, suffix) == 0) {
      long valueAddress = arena.allocate(checkedSize(VALUE_BYTES, value.value().length));
      writeValue(arena.chunk(valueAddress), Arena.offset(valueAddress), value);
      // Publishes the record written above: readers load this word with acquire.
      WORDS.setRelease(arena.chunk(found), Arena.offset(found) + VALUE_ADDRESS, valueAddress);
      return false;
    }
    int nodeHeight = randomHeight();
    int keyStart = TOWER + nodeHeight * Long.BYTES;
    int recordStart = keyStart + internalKey.length;
    long node = arena.allocate(checkedSize(recordStart + VALUE_BYTES, value.value().length));
    ByteBuffer chunk = arena.chunk(node);
    int base = Arena.offset(node);
    int listHeight = height;
    for (int level = listHeight; level < nodeHeight; level++) {
      predecessors[level] = head;
    }
    // Plain stores: nobody can reach the node before the release stores below.
    chunk.put(base + keyStart, internalKey, 0, internalKey.length);
    writeValue(chunk, base + recordStart, value);
    WORDS.set(chunk, base + VALUE_ADDRESS, Arena.address(Arena.chunkIndex(node), base + recordStart));
    WORDS.set(chunk, base + KEY_PREFIX, keyPrefix);
    INTS.set(chunk, base + KEY_LENGTH, internalKey.length);
    INTS.set(chunk, base + HEIGHT, nodeHeight);
    for (int level = 0; level < nodeHeight; level++) {
      WORDS.set(chunk, base + TOWER + level * Long.BYTES, next(predecessors[level], level));
    }
    if (nodeHeight > listHeight) {
      height = nodeHeight;
    }
    for (int level = 0; level < nodeHeight; level++) {
      long predecessor = predecessors[level];
      WORDS.setRelease(arena.chunk(predecessor),
          Arena.offset(predecessor) + TOWER + level * Long.BYTES, node);
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

  /** Gives the arena's memory back (see {@link Arena#free}); nothing may use the list after. */
  void free() {
    arena.free();
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
    return findLast(key(node), false);
  }

  /** The first node whose key is {@code >= key}. */
  long seekGreaterOrEqual(byte[] key) {
    checkInternalKey(key);
    int userLength = key.length - SUFFIX;
    return findGreaterOrEqual(key, userLength, userKeyPrefix(key, 0, key.length),
        (long) ARRAY_KEY_LONGS.get(key, userLength), null);
  }

  /**
   * The first node whose key is {@code >=} the internal key of {@code userKey} at {@code version},
   * without building that key: a point lookup's search.
   */
  long seekUserKey(byte[] userKey, long version) {
    long keyPrefix = userKeyPrefix(userKey, 0, userKey.length + SUFFIX);
    return findGreaterOrEqual(userKey, userKey.length, keyPrefix, ~version, null);
  }

  /** The last node whose key is {@code <= key}. */
  long seekLessOrEqual(byte[] key) {
    return findLast(key, true);
  }

  /**
   * The node nearest {@code key} on one side, as Badger's {@code findNear}: with {@code less},
   * the last node {@code < key} ({@code <= key} if {@code allowEqual}); otherwise the first node
   * {@code > key} ({@code >= key} if {@code allowEqual}).
   */
  long findNear(byte[] key, boolean less, boolean allowEqual) {
    if (less) {
      return findLast(key, allowEqual);
    }
    long node = seekGreaterOrEqual(key);
    if (!allowEqual && node != 0 && compareKey(node, key) == 0) {
      node = next(node, 0);
    }
    return node;
  }

  // ---- Node accessors. Any thread; the node must not be 0.

  /** A copy of the node's internal key. */
  byte[] key(long node) {
    ByteBuffer chunk = arena.chunk(node);
    int base = Arena.offset(node);
    byte[] key = new byte[(int) INTS.get(chunk, base + KEY_LENGTH)];
    chunk.get(keyStart(chunk, base), key, 0, key.length);
    return key;
  }

  /** The node's current value, with its version taken from the key. */
  ValueStruct value(long node) {
    ByteBuffer chunk = arena.chunk(node);
    int base = Arena.offset(node);
    int keyEnd = keyStart(chunk, base) + (int) INTS.get(chunk, base + KEY_LENGTH);
    long version = ~(long) KEY_LONGS.get(chunk, keyEnd - SUFFIX);
    long valueAddress = (long) WORDS.getAcquire(chunk, base + VALUE_ADDRESS);
    ByteBuffer record = arena.chunk(valueAddress);
    int offset = Arena.offset(valueAddress);
    byte[] value = new byte[(int) INTS.get(record, offset + VALUE_LENGTH)];
    record.get(offset + VALUE_BYTES, value, 0, value.length);
    return new ValueStruct(record.get(offset + META), record.get(offset + USER_META),
        (long) WORDS.get(record, offset + EXPIRES_AT), version, value);
  }

  /** Whether the node's key belongs to {@code userKey}. */
  boolean hasUserKey(long node, byte[] userKey) {
    ByteBuffer chunk = arena.chunk(node);
    int base = Arena.offset(node);
    int userLength = (int) INTS.get(chunk, base + KEY_LENGTH) - SUFFIX;
    if (userLength != userKey.length
        || (long) WORDS.get(chunk, base + KEY_PREFIX)
            != userKeyPrefix(userKey, 0, userKey.length + SUFFIX)) {
      return false;
    }
    return compareUserKeyTail(chunk, keyStart(chunk, base), userKey, userLength) == 0;
  }

  /** Compares the node's key with internal key {@code key}, as {@link InternalKey#compare}. */
  int compareKey(long node, byte[] key) {
    checkInternalKey(key);
    int userLength = key.length - SUFFIX;
    return compare(node, key, userLength, userKeyPrefix(key, 0, key.length),
        (long) ARRAY_KEY_LONGS.get(key, userLength));
  }

  /**
   * The first 8 bytes of internal key {@code key[offset, offset+length)}'s user key, big-endian,
   * zero-padded. Zero-padded prefixes order as the user keys do whenever they differ.
   */
  static long userKeyPrefix(byte[] key, int offset, int length) {
    int userLength = length - SUFFIX;
    if (userLength >= Long.BYTES) {
      return (long) ARRAY_KEY_LONGS.get(key, offset);
    }
    long prefix = 0;
    for (int i = 0; i < Long.BYTES; i++) {
      prefix = prefix << 8 | (i < userLength ? key[offset + i] & 0xFF : 0);
    }
    return prefix;
  }

  // ---- Internals.

  /**
   * Compares the node's key with the internal key made of {@code key[0, userLength)} and the
   * big-endian suffix {@code suffix}, given that user key's {@link #userKeyPrefix}.
   */
  private int compare(long node, byte[] key, int userLength, long keyPrefix, long suffix) {
    ByteBuffer chunk = arena.chunk(node);
    int base = Arena.offset(node);
    int byPrefix = Long.compareUnsigned((long) WORDS.get(chunk, base + KEY_PREFIX), keyPrefix);
    if (byPrefix != 0) {
      return byPrefix;
    }
    int nodeUserLength = (int) INTS.get(chunk, base + KEY_LENGTH) - SUFFIX;
    int keyStart = keyStart(chunk, base);
    int byBytes = compareUserKeyTail(chunk, keyStart, key, Math.min(nodeUserLength, userLength));
    if (byBytes != 0) {
      return byBytes;
    }
    if (nodeUserLength != userLength) {
      return nodeUserLength < userLength ? -1 : 1;
    }
    return Long.compareUnsigned((long) KEY_LONGS.get(chunk, keyStart + nodeUserLength), suffix);
  }

  /**
   * Compares the first {@code common} bytes of the arena key at {@code keyStart} with those of
   * {@code key}, knowing that the two user keys' prefixes are equal (so are their first
   * {@code min(8, common)} bytes): 8 bytes at a time, the last 8 overlapping what is known equal.
   */
  private static int compareUserKeyTail(ByteBuffer chunk, int keyStart, byte[] key, int common) {
    if (common <= Long.BYTES) {
      return 0;
    }
    int i = Long.BYTES;
    for (; i + Long.BYTES <= common; i += Long.BYTES) {
      long a = (long) KEY_LONGS.get(chunk, keyStart + i);
      long b = (long) ARRAY_KEY_LONGS.get(key, i);
      if (a != b) {
        return Long.compareUnsigned(a, b);
      }
    }
    if (i < common) {
      long a = (long) KEY_LONGS.get(chunk, keyStart + common - Long.BYTES);
      long b = (long) ARRAY_KEY_LONGS.get(key, common - Long.BYTES);
      if (a != b) {
        return Long.compareUnsigned(a, b);
      }
    }
    return 0;
  }

  /**
   * Descends from the head to the first node {@code >=} the given key; fills
   * {@code predecessorsOut} (if not null) with the last node {@code <} it on every level below the
   * list height.
   */
  private long findGreaterOrEqual(byte[] key, int userLength, long keyPrefix, long suffix,
      long[] predecessorsOut) {
    long node = head;
    int level = height - 1;
    while (true) {
      long next = next(node, level);
      if (next != 0 && compare(next, key, userLength, keyPrefix, suffix) < 0) {
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
  private long findLast(byte[] key, boolean inclusive) {
    checkInternalKey(key);
    int userLength = key.length - SUFFIX;
    long keyPrefix = userKeyPrefix(key, 0, key.length);
    long suffix = (long) ARRAY_KEY_LONGS.get(key, userLength);
    long node = head;
    int level = height - 1;
    while (true) {
      long next = next(node, level);
      int comparison = next == 0 ? 1 : compare(next, key, userLength, keyPrefix, suffix);
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
    return (long) WORDS.getAcquire(arena.chunk(node),
        Arena.offset(node) + TOWER + level * Long.BYTES);
  }

  private static int keyStart(ByteBuffer chunk, int base) {
    return base + TOWER + (int) INTS.get(chunk, base + HEIGHT) * Long.BYTES;
  }

  /** Writes {@code value}'s record at {@code offset} with plain stores; publishes nothing. */
  private static void writeValue(ByteBuffer chunk, int offset, ValueStruct value) {
    byte[] bytes = value.value();
    INTS.set(chunk, offset + VALUE_LENGTH, bytes.length);
    chunk.put(offset + META, value.meta());
    chunk.put(offset + USER_META, value.userMeta());
    WORDS.set(chunk, offset + EXPIRES_AT, value.expiresAt());
    chunk.put(offset + VALUE_BYTES, bytes, 0, bytes.length);
  }

  private static int checkedSize(int fixed, int valueLength) {
    long size = (long) fixed + valueLength;
    if (size > Integer.MAX_VALUE - Arena.ALIGNMENT) {
      throw new IllegalArgumentException("an entry of " + size + " bytes does not fit an arena");
    }
    return (int) size;
  }

  private static void checkInternalKey(byte[] key) {
    if (key.length < SUFFIX) {
      throw new IllegalArgumentException("internal key of " + key.length
          + " bytes is shorter than its " + SUFFIX + "-byte version suffix");
    }
  }

  private int randomHeight() {
    int nodeHeight = 1;
    while (nodeHeight < MAX_HEIGHT && random.nextInt(3) == 0) {
      nodeHeight++;
    }
    return nodeHeight;
  }
}
