package dev.sett.kafka;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.query.Position;

/**
 * The bytes of the metadata a {@link SettKeyValueStore} keeps beside its data: committed changelog
 * offsets, the query position and the entry count. docs/format/kafka-store.md gives the grammar
 * (little-endian); every value opens with a format version byte (never renumber).
 */
final class StoreMetadata {

  /** Format version of every metadata value; a newer one is refused. */
  static final byte FORMAT_VERSION = 1;

  /** Data keys are {@code 0x01 || kafka key}; metadata keys {@code 0x00 || tag}. Never renumber. */
  static final byte DATA_PREFIX = 0x01;

  static final byte[] OFFSETS_KEY = {0x00, 'o'};
  static final byte[] POSITION_KEY = {0x00, 'p'};
  static final byte[] COUNT_KEY = {0x00, 'n'};

  private StoreMetadata() {}

  static byte[] dataKey(byte[] key) {
    byte[] out = new byte[key.length + 1];
    out[0] = DATA_PREFIX;
    System.arraycopy(key, 0, out, 1, key.length);
    return out;
  }

  static byte[] userKey(byte[] dataKey) {
    byte[] out = new byte[dataKey.length - 1];
    System.arraycopy(dataKey, 1, out, 0, out.length);
    return out;
  }

  /** version u8, count u32, then per partition: topic (u16 length + UTF-8), partition i32, offset i64. Little-endian. */
  static byte[] encodeOffsets(Map<TopicPartition, Long> offsets) {
    int size = 1 + 4;
    for (TopicPartition partition : offsets.keySet()) {
      size += 2 + partition.topic().getBytes(StandardCharsets.UTF_8).length + 4 + 8;
    }
    ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    out.put(FORMAT_VERSION).putInt(offsets.size());
    for (Map.Entry<TopicPartition, Long> entry : offsets.entrySet()) {
      putString(out, entry.getKey().topic());
      out.putInt(entry.getKey().partition()).putLong(entry.getValue());
    }
    return out.array();
  }

  static Map<TopicPartition, Long> decodeOffsets(byte[] bytes) {
    try {
      return readOffsets(open(bytes, "offsets"));
    } catch (BufferUnderflowException e) {
      throw truncated("offsets", bytes);
    }
  }

  private static Map<TopicPartition, Long> readOffsets(ByteBuffer in) {
    int count = in.getInt();
    Map<TopicPartition, Long> offsets = new HashMap<>();
    for (int i = 0; i < count; i++) {
      String topic = getString(in);
      int partition = in.getInt();
      offsets.put(new TopicPartition(topic, partition), in.getLong());
    }
    return offsets;
  }

  /** version u8, topics u32, then per topic: topic (u16 + UTF-8), partitions u32, (partition i32, offset i64)*. */
  static byte[] encodePosition(Position position) {
    int size = 1 + 4;
    for (String topic : position.getTopics()) {
      size += 2 + topic.getBytes(StandardCharsets.UTF_8).length + 4
          + position.getPartitionPositions(topic).size() * 12;
    }
    ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    out.put(FORMAT_VERSION).putInt(position.getTopics().size());
    for (String topic : position.getTopics()) {
      Map<Integer, Long> partitions = position.getPartitionPositions(topic);
      putString(out, topic);
      out.putInt(partitions.size());
      for (Map.Entry<Integer, Long> entry : partitions.entrySet()) {
        out.putInt(entry.getKey()).putLong(entry.getValue());
      }
    }
    return out.array();
  }

  static Position decodePosition(byte[] bytes) {
    try {
      return readPosition(open(bytes, "position"));
    } catch (BufferUnderflowException e) {
      throw truncated("position", bytes);
    }
  }

  private static Position readPosition(ByteBuffer in) {
    int topics = in.getInt();
    Map<String, Map<Integer, Long>> map = new HashMap<>();
    for (int i = 0; i < topics; i++) {
      String topic = getString(in);
      int partitions = in.getInt();
      Map<Integer, Long> offsets = new HashMap<>();
      for (int j = 0; j < partitions; j++) {
        offsets.put(in.getInt(), in.getLong());
      }
      map.put(topic, offsets);
    }
    return Position.fromMap(map);
  }

  /** version u8, count i64. */
  static byte[] encodeCount(long count) {
    return ByteBuffer.allocate(9).order(ByteOrder.LITTLE_ENDIAN).put(FORMAT_VERSION).putLong(count).array();
  }

  static long decodeCount(byte[] bytes) {
    try {
      return open(bytes, "entry count").getLong();
    } catch (BufferUnderflowException e) {
      throw truncated("entry count", bytes);
    }
  }

  private static IllegalStateException truncated(String what, byte[] bytes) {
    return new IllegalStateException("the " + what + " record of this Sett Kafka store is truncated ("
        + bytes.length + " bytes)");
  }

  private static ByteBuffer open(byte[] bytes, String what) {
    if (bytes.length == 0) {
      throw new IllegalStateException("empty " + what + " record in a Sett Kafka store");
    }
    if (bytes[0] > FORMAT_VERSION) {
      throw new IllegalStateException("the " + what + " record of this Sett Kafka store has format version "
          + bytes[0] + ", newer than this build reads (" + FORMAT_VERSION + "): upgrade sett-kafka-streams");
    }
    if (bytes[0] < 1) {
      throw new IllegalStateException("the " + what + " record of this Sett Kafka store has an invalid format version "
          + bytes[0]);
    }
    ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    in.get();
    return in;
  }

  private static void putString(ByteBuffer out, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    out.putShort((short) bytes.length).put(bytes);
  }

  private static String getString(ByteBuffer in) {
    byte[] bytes = new byte[Short.toUnsignedInt(in.getShort())];
    in.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
