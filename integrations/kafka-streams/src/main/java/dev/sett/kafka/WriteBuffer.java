package dev.sett.kafka;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.kafka.common.utils.Bytes;

/**
 * The writes a {@link SettKeyValueStore} holds between two Kafka commits, sorted by key (unsigned
 * bytes, as Sett and Kafka sort), a delete being {@link #TOMBSTONE}. Keeps a running estimate of
 * its size in bytes, which Kafka reads as {@code approximateNumUncommittedBytes()}.
 *
 * <p>Thread-safety: none; the store guards it with its monitor.
 */
final class WriteBuffer {

  /** Marks a buffered delete (compared by identity). */
  static final byte[] TOMBSTONE = new byte[0];

  /** What a buffered entry costs beyond its bytes: the map node, the Bytes wrapper, the arrays' headers. */
  private static final int ENTRY_OVERHEAD = 48;

  private final TreeMap<Bytes, byte[]> entries = new TreeMap<>();
  private long bytes;
  private int puts;

  /** Buffers a put, or a delete when {@code value} is null. */
  void put(Bytes key, byte[] value) {
    Objects.requireNonNull(key, "key");
    byte[] stored = value == null ? TOMBSTONE : value;
    byte[] previous = entries.put(key, stored);
    if (previous == null) {
      bytes += key.get().length + ENTRY_OVERHEAD;
    } else {
      bytes -= previous.length;
      if (previous != TOMBSTONE) {
        puts--;
      }
    }
    bytes += stored.length;
    if (stored != TOMBSTONE) {
      puts++;
    }
  }

  /** The buffered value, {@link #TOMBSTONE} for a buffered delete, or null when {@code key} is not buffered. */
  byte[] get(Bytes key) {
    return entries.get(key);
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  long bytes() {
    return bytes;
  }

  /** Buffered puts (some may overwrite keys already stored). */
  int puts() {
    return puts;
  }

  /** Every buffered entry, ascending (a live view: do not buffer while walking it). */
  Collection<Map.Entry<Bytes, byte[]>> entries() {
    return entries.entrySet();
  }

  /** A copy of the entries in {@code [from, to]} (null for open), in iteration order. */
  List<Map.Entry<Bytes, byte[]>> copyRange(Bytes from, Bytes to, boolean reverse) {
    NavigableMap<Bytes, byte[]> view = entries;
    if (from != null) {
      view = view.tailMap(from, true);
    }
    if (to != null) {
      view = view.headMap(to, true);
    }
    return copy(reverse ? view.descendingMap() : view);
  }

  /** A copy of the entries whose key starts with {@code prefix}, ascending. */
  List<Map.Entry<Bytes, byte[]>> copyPrefix(byte[] prefix) {
    List<Map.Entry<Bytes, byte[]>> out = new ArrayList<>();
    for (Map.Entry<Bytes, byte[]> entry : entries.tailMap(Bytes.wrap(prefix), true).entrySet()) {
      byte[] key = entry.getKey().get();
      if (key.length < prefix.length || !Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length)) {
        break;
      }
      out.add(new AbstractMap.SimpleImmutableEntry<>(entry.getKey(), entry.getValue()));
    }
    return out;
  }

  private static List<Map.Entry<Bytes, byte[]>> copy(Map<Bytes, byte[]> view) {
    List<Map.Entry<Bytes, byte[]>> out = new ArrayList<>(view.size());
    for (Map.Entry<Bytes, byte[]> entry : view.entrySet()) {
      out.add(new AbstractMap.SimpleImmutableEntry<>(entry.getKey(), entry.getValue()));
    }
    return out;
  }

  void clear() {
    entries.clear();
    bytes = 0;
    puts = 0;
  }
}
