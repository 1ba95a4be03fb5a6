package dev.sett.internal.codec;

import java.nio.ByteBuffer;

/**
 * Unsigned LEB128 varints: seven bits a byte, least significant group first, high bit set on every
 * byte but the last. A u64 takes 1 to 10 bytes.
 */
public final class Varint {
  public static final int MAX_LENGTH = 10;

  private Varint() {
  }

  public static int length(long value) {
    int n = 1;
    while ((value & ~0x7FL) != 0) {
      value >>>= 7;
      n++;
    }
    return n;
  }

  /** Writes {@code value} at {@code offset}; returns the offset after it. */
  public static int write(byte[] dst, int offset, long value) {
    while ((value & ~0x7FL) != 0) {
      dst[offset++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    dst[offset++] = (byte) value;
    return offset;
  }

  public static void write(ByteBuffer dst, long value) {
    while ((value & ~0x7FL) != 0) {
      dst.put((byte) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    dst.put((byte) value);
  }

  /**
   * Reads a varint at {@code dst[offset]}. Returns the value; the number of bytes read is
   * {@link #length(long)} of it only for canonical encodings, so callers that need the end use
   * {@link #readEnd}. Throws {@link IllegalArgumentException} on a truncated or over-long varint.
   */
  public static long read(byte[] src, int offset, int limit) {
    long result = 0;
    for (int shift = 0, i = offset; shift < 64; shift += 7, i++) {
      if (i >= limit) {
        throw new IllegalArgumentException("truncated varint at " + offset);
      }
      byte b = src[i];
      result |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return result;
      }
    }
    throw new IllegalArgumentException("varint longer than 10 bytes at " + offset);
  }

  /** The offset just past the varint that starts at {@code offset}. */
  public static int readEnd(byte[] src, int offset, int limit) {
    for (int i = offset; i < limit && i < offset + MAX_LENGTH; i++) {
      if (src[i] >= 0) {
        return i + 1;
      }
    }
    throw new IllegalArgumentException("truncated or over-long varint at " + offset);
  }

  /** Reads a varint at the buffer's position and advances it. */
  public static long read(ByteBuffer src) {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (!src.hasRemaining()) {
        throw new IllegalArgumentException("truncated varint at " + src.position());
      }
      byte b = src.get();
      result |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        return result;
      }
    }
    throw new IllegalArgumentException("varint longer than 10 bytes at " + src.position());
  }

  /** Reads a varint that must fit a non-negative int no larger than {@code max}. */
  public static int readInt(ByteBuffer src, int max) {
    long value = read(src);
    if (value < 0 || value > max) {
      throw new IllegalArgumentException("length " + Long.toUnsignedString(value)
          + " exceeds " + max + " at " + src.position());
    }
    return (int) value;
  }
}
