package dev.sett.internal.codec;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/** CRC-32C (Castagnoli), hardware-accelerated by the JDK. Every record and block on disk carries one. */
public final class Crc32c {
  private Crc32c() {
  }

  public static int of(byte[] bytes, int offset, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, offset, length);
    return (int) crc.getValue();
  }

  public static int of(byte[] bytes) {
    return of(bytes, 0, bytes.length);
  }

  /** The checksum of {@code buffer}'s bytes in [offset, offset + length), positions untouched. */
  public static int of(ByteBuffer buffer, int offset, int length) {
    CRC32C crc = new CRC32C();
    ByteBuffer view = buffer.duplicate();
    view.limit(offset + length).position(offset);
    crc.update(view);
    return (int) crc.getValue();
  }
}
