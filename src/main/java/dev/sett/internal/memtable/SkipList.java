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
 * <p><b>Layout.</b> A node is a run of words in the arena's {@code long[]} word chunks, and its
 * address is a word address:
 * <pre>
 *   word 0            value address  byte address of the current value record  acquire/release
 *   word 1            key address    byte address of the key bytes             plain, immutable
 *   word 2            key length                                               plain, immutable
 *   words 3..3+h-1    next[h]        word addresses of the successors          acquire/release
 * </pre>
 * Key and value bytes live in the arena's {@code byte[]} byte chunks. A value record is
 * {@code int length | ValueStruct encoding}, the int in native byte order (the arena never
 * reaches disk). An insert makes one byte allocation holding the first value record followed by
 * the key; a replacement makes one holding just the new value record. Every word that a reader
 * loads while the writer may store it (the links and the value address) is an element of a
 * {@code long[]}, accessed through {@link MethodHandles#arrayElementVarHandle}, whose
 * acquire/release modes every JDK supports. Byte chunks are only ever accessed with plain loads
 * and stores; byte-array view var handles support nothing else since JDK 22.
 *
 * <p><b>Thread-safety.</b> One writer thread calls {@link #put}; any number of reader threads
 * search and walk the list at the same time, without locks. The invariants that make this safe
 * (after LevelDB's {@code db/skiplist.h}):
 * <ol>
 *   <li>Nodes are never removed or moved; a key's bytes, a value record's bytes and a node's key
 *       address and length never change once written.</li>
 *   <li>A node is fully written before the writer links it into any level: the key and the first
 *       value record into a byte chunk, then the node's words (value address, key address, key
 *       length, key prefix, its own tower), all with plain stores. Each link is then stored with release
 *       semantics and loaded with acquire semantics. A reader whose acquire load returns the node
 *       address therefore happens-after every one of those plain stores, in whichever chunk kind
 *       they went: it sees the node, its key and its value whole.</li>
 *   <li>A node is linked level 0 first, then upwards; a reader on a higher level may miss a node
 *       being inserted, which only costs it a few extra steps on a lower level.</li>
 *   <li>A value is replaced by writing a new value record (plain stores into a byte chunk) and
 *       then storing its address into the node's value word with one release store; readers load
 *       that word with acquire, so a reader sees either the old or the new record, whole.</li>
 *   <li>The chunk a node or a record lives in is published (a volatile write of the arena's
 *       table for that kind) before the allocation returns, so before the release store that
 *       makes its address reachable; a reader looks the chunk up only after its acquire load and
 *       so always finds it.</li>
 * </ol>
 * Readers therefore see a state between two {@code put}s, never a torn entry; an iterator is not a
 * snapshot and may or may not see entries added while it runs.
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

  /** Node words, in word chunks: plain, acquire and release access. */
  private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);
  /** Value-record lengths, in byte chunks: plain access only. */
  private static final VarHandle INTS =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.nativeOrder());
  /** Key prefixes, read from keys the caller owns: plain access only. */
  private static final VarHandle BIG_ENDIAN_LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  // Word indexes within a node.
  private static final int VALUE_ADDRESS = 0;
  private static final int KEY_ADDRESS = 1;
  private static final int KEY_LENGTH = 2;
  /**
   * The first 8 bytes of the node's user key, big-endian, zero-padded: most comparisons are
   * decided by it without loading the key bytes, which sit in another chunk (a cache miss).
   */
  private static final int KEY_PREFIX = 3;
  private static final int TOWER = 4;

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
   * @param arena  where every node, key and value lives; owned by this list from now on
   * @param random decides node heights; used by the writer thread only
   */
  SkipList(Arena arena, RandomGenerator random) {
    this.arena = arena;
    this.random = random;
    // The head has no key and no value: its key length stays 0 and nothing reads the rest.
    this.head = arena.allocateWords(TOWER + MAX_HEIGHT);
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
    if (found != 0 && compareKey(found, internalKey, 0, internalKey.length) == 0) {
      long valueAddress = writeValue(value, 0);
      // Publishes the record written above: readers load this word with acquire.
      WORDS.setRelease(arena.words(found), Arena.offset(found) + VALUE_ADDRESS, valueAddress);
      return false;
    }
    // One byte allocation for the first value record and then the key.
    long valueAddress = writeValue(value, internalKey.length);
    int keyOffset = Arena.offset(valueAddress) + VALUE_LENGTH_SIZE + value.encodedSize();
    System.arraycopy(internalKey, 0, arena.chunk(valueAddress), keyOffset, internalKey.length);
    long keyAddress = Arena.address(Arena.chunkIndex(valueAddress), keyOffset);

    int nodeHeight = randomHeight();
    int listHeight = height;
    for (int level = listHeight; level < nodeHeight; level++) {
      predecessors[level] = head;
    }
    long node = arena.allocateWords(TOWER + nodeHeight);
    long[] words = arena.words(node);
    int base = Arena.offset(node);
    // Plain stores: nobody can reach the node before the release stores below.
    words[base + VALUE_ADDRESS] = valueAddress;
    words[base + KEY_ADDRESS] = keyAddress;
    words[base + KEY_LENGTH] = internalKey.length;
    words[base + KEY_PREFIX] = userKeyPrefix(internalKey, 0, internalKey.length);
    for (int level = 0; level < nodeHeight; level++) {
      words[base + TOWER + level] = next(predecessors[level], level);
    }
    if (nodeHeight > listHeight) {
      height = nodeHeight;
    }
    for (int level = 0; level < nodeHeight; level++) {
      long predecessor = predecessors[level];
      WORDS.setRelease(arena.words(predecessor), Arena.offset(predecessor) + TOWER + level, node);
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
    long[] words = arena.words(node);
    int base = Arena.offset(node);
    long keyAddress = words[base + KEY_ADDRESS];
    return findLast(arena.chunk(keyAddress), Arena.offset(keyAddress),
        (int) words[base + KEY_LENGTH], false);
  }

  /** The first node whose key is {@code >= key}. */
  long seekGreaterOrEqual(byte[] key) {
    return findGreaterOrEqual(key, 0, key.length, null);
  }

  /**
   * The first node whose key is {@code >=} the internal key of {@code userKey} at {@code version},
   * without building that key: a point lookup's search.
   */
  long seekUserKey(byte[] userKey, long version) {
    long keyPrefix = userKeyPrefix(userKey, 0, userKey.length + InternalKey.SUFFIX_LENGTH);
    long invertedVersion = ~version;
    long node = head;
    int level = height - 1;
    while (true) {
      long next = next(node, level);
      if (next != 0 && compareUserKey(next, userKey, keyPrefix, invertedVersion) < 0) {
        node = next;
      } else if (level == 0) {
        return next;
      } else {
        level--;
      }
    }
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
    long[] words = arena.words(node);
    int base = Arena.offset(node);
    long keyAddress = words[base + KEY_ADDRESS];
    int start = Arena.offset(keyAddress);
    return Arrays.copyOfRange(arena.chunk(keyAddress), start,
        start + (int) words[base + KEY_LENGTH]);
  }

  /** The node's current value, with its version taken from the key. */
  ValueStruct value(long node) {
    long[] words = arena.words(node);
    int base = Arena.offset(node);
    long keyAddress = words[base + KEY_ADDRESS];
    long version = InternalKey.version(arena.chunk(keyAddress), Arena.offset(keyAddress),
        (int) words[base + KEY_LENGTH]);
    long valueAddress = (long) WORDS.getAcquire(words, base + VALUE_ADDRESS);
    byte[] valueChunk = arena.chunk(valueAddress);
    int valueOffset = Arena.offset(valueAddress);
    int length = (int) INTS.get(valueChunk, valueOffset);
    return ValueStruct.decode(valueChunk, valueOffset + VALUE_LENGTH_SIZE, length, version);
  }

  /** Whether the node's key belongs to {@code userKey}. */
  boolean hasUserKey(long node, byte[] userKey) {
    long[] words = arena.words(node);
    int base = Arena.offset(node);
    int length = (int) words[base + KEY_LENGTH];
    if (length - InternalKey.SUFFIX_LENGTH != userKey.length) {
      return false;
    }
    long keyAddress = words[base + KEY_ADDRESS];
    int start = Arena.offset(keyAddress);
    return Arrays.equals(arena.chunk(keyAddress), start, start + userKey.length, userKey, 0,
        userKey.length);
  }

  /** Compares the node's key with {@code key[offset, offset+length)}, as InternalKey.compare. */
  int compareKey(long node, byte[] key, int keyOffset, int keyLength) {
    return compareKey(node, key, keyOffset, keyLength, userKeyPrefix(key, keyOffset, keyLength));
  }

  /** As {@link #compareKey(long, byte[], int, int)}, given {@code key}'s {@link #userKeyPrefix}. */
  private int compareKey(long node, byte[] key, int keyOffset, int keyLength, long keyPrefix) {
    long[] words = arena.words(node);
    int base = Arena.offset(node);
    // Zero-padded big-endian prefixes order as the user keys do whenever they differ.
    int byPrefix = Long.compareUnsigned(words[base + KEY_PREFIX], keyPrefix);
    if (byPrefix != 0) {
      return byPrefix;
    }
    long keyAddress = words[base + KEY_ADDRESS];
    return InternalKey.compare(arena.chunk(keyAddress), Arena.offset(keyAddress),
        (int) words[base + KEY_LENGTH], key, keyOffset, keyLength);
  }

  /**
   * Compares the node's key with the internal key of {@code userKey} at the version whose
   * complement is {@code invertedVersion} (the suffix, as a big-endian number).
   */
  private int compareUserKey(long node, byte[] userKey, long keyPrefix, long invertedVersion) {
    long[] words = arena.words(node);
    int base = Arena.offset(node);
    int byPrefix = Long.compareUnsigned(words[base + KEY_PREFIX], keyPrefix);
    if (byPrefix != 0) {
      return byPrefix;
    }
    long keyAddress = words[base + KEY_ADDRESS];
    byte[] chunk = arena.chunk(keyAddress);
    int start = Arena.offset(keyAddress);
    int userLength = (int) words[base + KEY_LENGTH] - InternalKey.SUFFIX_LENGTH;
    int byUserKey = Arrays.compareUnsigned(chunk, start, start + userLength, userKey, 0,
        userKey.length);
    if (byUserKey != 0) {
      return byUserKey;
    }
    return Long.compareUnsigned((long) BIG_ENDIAN_LONGS.get(chunk, start + userLength),
        invertedVersion);
  }

  /** The first 8 bytes of internal key {@code key[offset, offset+length)}'s user key, big-endian, zero-padded. */
  static long userKeyPrefix(byte[] key, int offset, int length) {
    int userLength = length - InternalKey.SUFFIX_LENGTH;
    if (userLength >= Long.BYTES) {
      return (long) BIG_ENDIAN_LONGS.get(key, offset);
    }
    long prefix = 0;
    for (int i = 0; i < Long.BYTES; i++) {
      prefix = prefix << 8 | (i < userLength ? key[offset + i] & 0xFF : 0);
    }
    return prefix;
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
    long keyPrefix = userKeyPrefix(key, keyOffset, keyLength);
    while (true) {
      long next = next(node, level);
      if (next != 0 && compareKey(next, key, keyOffset, keyLength, keyPrefix) < 0) {
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
    long keyPrefix = userKeyPrefix(key, keyOffset, keyLength);
    while (true) {
      long next = next(node, level);
      int comparison = next == 0 ? 1 : compareKey(next, key, keyOffset, keyLength, keyPrefix);
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
    return (long) WORDS.getAcquire(arena.words(node), Arena.offset(node) + TOWER + level);
  }

  /**
   * Allocates a value record with {@code extra} bytes after it and writes {@code value} into it
   * with plain stores; returns the record's byte address. Nothing is published here.
   */
  private long writeValue(ValueStruct value, int extra) {
    int length = value.encodedSize();
    long size = (long) VALUE_LENGTH_SIZE + length + extra;
    if (size > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("an entry of " + size + " bytes does not fit an arena");
    }
    long address = arena.allocate((int) size);
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
}
