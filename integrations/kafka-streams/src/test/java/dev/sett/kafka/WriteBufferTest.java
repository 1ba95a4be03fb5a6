package dev.sett.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Bytes;
import org.junit.jupiter.api.Test;

class WriteBufferTest {

  private static Bytes key(String k) {
    return Bytes.wrap(k.getBytes());
  }

  @Test
  void sizeAndPutsFollowOverwritesAndDeletes() {
    WriteBuffer buffer = new WriteBuffer();
    buffer.put(key("a"), new byte[10]);
    long one = buffer.bytes();
    assertEquals(1, buffer.puts());
    buffer.put(key("a"), new byte[30]);   // an overwrite costs only the value's growth
    assertEquals(one + 20, buffer.bytes());
    assertEquals(1, buffer.puts());
    buffer.put(key("a"), null);           // a delete: a tombstone, no put
    assertEquals(one - 10, buffer.bytes());
    assertEquals(0, buffer.puts());
    assertSame(WriteBuffer.TOMBSTONE, buffer.get(key("a")));
    assertNull(buffer.get(key("b")));
    buffer.clear();
    assertTrue(buffer.isEmpty());
    assertEquals(0, buffer.bytes());
  }

  @Test
  void copiesAreSnapshotsInIterationOrder() {
    WriteBuffer buffer = new WriteBuffer();
    for (String k : List.of("b", "a", "ab", "c", "abc")) {
      buffer.put(key(k), k.getBytes());
    }
    List<Map.Entry<Bytes, byte[]>> range = buffer.copyRange(key("ab"), key("b"), true);
    buffer.put(key("abz"), new byte[1]);   // after the copy: not in it
    assertEquals(List.of(key("b"), key("abc"), key("ab")), range.stream().map(Map.Entry::getKey).toList());
    List<Map.Entry<Bytes, byte[]>> prefix = buffer.copyPrefix("ab".getBytes());
    assertEquals(List.of(key("ab"), key("abc"), key("abz")), prefix.stream().map(Map.Entry::getKey).toList());
    assertArrayEquals("abc".getBytes(), prefix.get(1).getValue());
  }
}
