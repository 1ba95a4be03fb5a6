package dev.sett.internal.vlog;

import static dev.sett.testing.Bytes.hex;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValuePointerTest {

  @Test
  void encodesThreeLittleEndianU32s() {
    ValuePointer pointer = new ValuePointer(0x01020304L, 0x0A0B0C0DL, 0xF1F2F3F4L);
    assertEquals("04030201" + "0d0c0b0a" + "f4f3f2f1", hex(pointer.encode()));
    assertEquals(pointer, ValuePointer.decode(pointer.encode()));
    byte[] embedded = new byte[20];
    assertEquals(15, pointer.encode(embedded, 3));
    assertEquals(pointer, ValuePointer.decode(embedded, 3));
  }

  @Test
  void theZeroPointerIsNone() {
    assertTrue(ValuePointer.NONE.isNone());
    assertArrayEquals(new byte[12], ValuePointer.NONE.encode());
    assertEquals(ValuePointer.NONE, ValuePointer.decode(new byte[12]));
    assertFalse(new ValuePointer(1, 0, 0).isNone());
    assertFalse(new ValuePointer(0, 0, 20).isNone());
  }

  @Test
  void extremesRoundTrip() {
    long max = 0xFFFF_FFFFL;
    ValuePointer pointer = new ValuePointer(max, max, max);
    assertEquals("ff".repeat(12), hex(pointer.encode()));
    assertEquals(pointer, ValuePointer.decode(pointer.encode()));
    assertEquals(2 * max, pointer.end());
  }

  @Test
  void ordersByFileThenOffsetThenLength() {
    List<ValuePointer> sorted = List.of(
        ValuePointer.NONE,
        new ValuePointer(1, 99, 20),
        new ValuePointer(1, 10, 119),
        new ValuePointer(1, 11, 119),
        new ValuePointer(2, 5, 20),
        new ValuePointer(0xFFFF_FFFFL, 5, 20));
    List<ValuePointer> shuffled = new ArrayList<>(sorted);
    Collections.reverse(shuffled);
    shuffled.sort(null);
    assertEquals(sorted, shuffled);
    assertEquals(0, new ValuePointer(1, 2, 3).compareTo(new ValuePointer(1, 2, 3)));
  }

  @Test
  void rejectsFieldsOutsideU32AndWrongLengths() {
    assertThrows(IllegalArgumentException.class, () -> new ValuePointer(-1, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> new ValuePointer(0, 1L << 32, 0));
    assertThrows(IllegalArgumentException.class, () -> new ValuePointer(0, 0, -5));
    assertThrows(IllegalArgumentException.class, () -> ValuePointer.decode(new byte[11]));
    assertThrows(IllegalArgumentException.class, () -> ValuePointer.decode(new byte[13]));
    assertThrows(IllegalArgumentException.class, () -> ValuePointer.decode(new byte[12], 1));
    assertThrows(IllegalArgumentException.class, () -> ValuePointer.decode(new byte[12], -1));
  }
}
