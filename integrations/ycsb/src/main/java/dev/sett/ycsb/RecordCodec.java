package dev.sett.ycsb;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import site.ycsb.ByteArrayByteIterator;
import site.ycsb.ByteIterator;

/**
 * How a YCSB record is laid out in a key-value store. Key: the table name (UTF-8), a 0x00 byte,
 * the record key (UTF-8), so a table is one contiguous key range. Value: for each field, its
 * name length (i32, little-endian), name (UTF-8), value length (i32), value bytes.
 */
public final class RecordCodec {

  private RecordCodec() {}

  /** The store key of {@code key} in {@code table}. */
  public static byte[] key(String table, String key) {
    byte[] tableBytes = table.getBytes(StandardCharsets.UTF_8);
    byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[tableBytes.length + 1 + keyBytes.length];
    System.arraycopy(tableBytes, 0, out, 0, tableBytes.length);
    System.arraycopy(keyBytes, 0, out, tableBytes.length + 1, keyBytes.length);
    return out;
  }

  /** The prefix every key of {@code table} starts with. */
  public static byte[] tablePrefix(String table) {
    byte[] tableBytes = table.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[tableBytes.length + 1];
    System.arraycopy(tableBytes, 0, out, 0, tableBytes.length);
    return out;
  }

  /**
   * The bytes of every field. YCSB's {@link ByteIterator}s can be read once: take their bytes
   * once, before anything that may be retried.
   */
  public static Map<String, byte[]> materialize(Map<String, ByteIterator> fields) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    fields.forEach((name, value) -> out.put(name, value.toArray()));
    return out;
  }

  /** Encodes the fields of a record (reading each iterator once). */
  public static byte[] encode(Map<String, ByteIterator> fields) {
    return encodeBytes(materialize(fields));
  }

  /** Encodes fields already read into bytes. */
  public static byte[] encodeBytes(Map<String, byte[]> fields) {
    int size = 0;
    for (Map.Entry<String, byte[]> field : fields.entrySet()) {
      size += 8 + field.getKey().getBytes(StandardCharsets.UTF_8).length + field.getValue().length;
    }
    ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    fields.forEach((field, value) -> {
      byte[] name = field.getBytes(StandardCharsets.UTF_8);
      out.putInt(name.length).put(name).putInt(value.length).put(value);
    });
    return out.array();
  }

  /** Decodes a record's fields into {@code result}, only those in {@code wanted} unless it is null. */
  public static void decode(byte[] record, Set<String> wanted, Map<String, ByteIterator> result) {
    ByteBuffer in = ByteBuffer.wrap(record).order(ByteOrder.LITTLE_ENDIAN);
    while (in.hasRemaining()) {
      byte[] name = new byte[in.getInt()];
      in.get(name);
      byte[] value = new byte[in.getInt()];
      in.get(value);
      String field = new String(name, StandardCharsets.UTF_8);
      if (wanted == null || wanted.contains(field)) {
        result.put(field, new ByteArrayByteIterator(value));
      }
    }
  }

  /** The record {@code current} with {@code updates} applied (fields overwritten or added). */
  public static byte[] merge(byte[] current, Map<String, byte[]> updates) {
    Map<String, byte[]> fields = new LinkedHashMap<>();
    ByteBuffer in = ByteBuffer.wrap(current).order(ByteOrder.LITTLE_ENDIAN);
    while (in.hasRemaining()) {
      byte[] name = new byte[in.getInt()];
      in.get(name);
      byte[] value = new byte[in.getInt()];
      in.get(value);
      fields.put(new String(name, StandardCharsets.UTF_8), value);
    }
    fields.putAll(updates);
    return encodeBytes(fields);
  }
}
