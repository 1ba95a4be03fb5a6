package dev.sett.internal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LittleEndianTest {
  @Test
  void intsAreWrittenLowByteFirst() {
    byte[] bytes = new byte[6];
    LittleEndian.putInt(bytes, 1, 0x8A0B0C0D);
    assertArrayEquals(new byte[] {0, 0x0D, 0x0C, 0x0B, (byte) 0x8A, 0}, bytes);
    assertEquals(0x8A0B0C0D, LittleEndian.getInt(bytes, 1));
    assertEquals(0x8A0B0C0DL, LittleEndian.getUnsignedInt(bytes, 1));
    assertEquals(0x0B0C, LittleEndian.getUnsignedShort(bytes, 2));
  }

  @Test
  void unsignedIntsUseAllThirtyTwoBits() {
    byte[] bytes = new byte[4];
    LittleEndian.putUnsignedInt(bytes, 0, 0xFFFF_FFFEL);
    assertArrayEquals(new byte[] {(byte) 0xFE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}, bytes);
    assertEquals(0xFFFF_FFFEL, LittleEndian.getUnsignedInt(bytes, 0));
  }

  @Test
  void longsAreWrittenLowByteFirst() {
    byte[] bytes = new byte[8];
    LittleEndian.putLong(bytes, 0, 0x0102030405060708L);
    assertArrayEquals(new byte[] {8, 7, 6, 5, 4, 3, 2, 1}, bytes);
    assertEquals(0x0102030405060708L, LittleEndian.getLong(bytes, 0));
  }

  @Test
  void outOfBoundsIsAnException() {
    assertThrows(IndexOutOfBoundsException.class, () -> LittleEndian.getInt(new byte[3], 0));
    assertThrows(IndexOutOfBoundsException.class, () -> LittleEndian.putInt(new byte[4], 1, 0));
  }
}
