package dev.sett.internal.vlog;

import dev.sett.internal.codec.LittleEndian;
import dev.sett.internal.key.Meta;
import dev.sett.internal.key.ValueStruct;

/**
 * Where a value lives in the value log: the file, the byte offset of its record and the record's
 * whole length (header and body). An LSM entry whose meta has {@code Meta.VALUE_POINTER} holds the
 * 12-byte {@link #encode() encoding} of one of these instead of its value.
 *
 * <p>Encoding ({@code docs/format/value-log.md}): {@code fileId u32 | length u32 | offset u32},
 * each little-endian. The all-zero pointer, {@link #NONE}, means "no pointer"; no record can have
 * it, since file ids start at 1. Pointers order by file id, then offset, then length, which is the
 * order in which the records were written.
 *
 * <p>Thread-safety: immutable.
 *
 * @param fileId the value log file id, in [0, 2<sup>32</sup>); 0 only in {@link #NONE}
 * @param length bytes of the whole record, in [0, 2<sup>32</sup>)
 * @param offset byte offset of the record in its file, in [0, 2<sup>32</sup>)
 */
public record ValuePointer(long fileId, long length, long offset)
    implements Comparable<ValuePointer> {

  /** Bytes of {@link #encode()}. */
  public static final int ENCODED_LENGTH = 12;

  /** The zero pointer: no value in the value log. */
  public static final ValuePointer NONE = new ValuePointer(0, 0, 0);

  private static final long MAX_U32 = 0xFFFF_FFFFL;

  /** Checks that every field fits an unsigned 32-bit integer. */
  public ValuePointer {
    checkU32("fileId", fileId);
    checkU32("length", length);
    checkU32("offset", offset);
  }

  /** Whether this is the zero pointer. */
  public boolean isNone() {
    return fileId == 0 && length == 0 && offset == 0;
  }

  /** The offset just past the record: {@code offset + length}. */
  public long end() {
    return offset + length;
  }

  /** The 12-byte encoding. */
  public byte[] encode() {
    byte[] out = new byte[ENCODED_LENGTH];
    encode(out, 0);
    return out;
  }

  /** Writes the 12-byte encoding at {@code destination[at]}; returns the offset after it. */
  public int encode(byte[] destination, int at) {
    LittleEndian.putUnsignedInt(destination, at, fileId);
    LittleEndian.putUnsignedInt(destination, at + 4, length);
    LittleEndian.putUnsignedInt(destination, at + 8, offset);
    return at + ENCODED_LENGTH;
  }

  /**
   * The pointer an LSM entry holds in place of its value, or null when the entry holds its value
   * (no {@link Meta#VALUE_POINTER} bit) or its value is not a 12-byte pointer.
   */
  public static ValuePointer of(ValueStruct entry) {
    byte[] encoded = entry.value();
    return (entry.meta() & Meta.VALUE_POINTER) != 0 && encoded.length == ENCODED_LENGTH
        ? decode(encoded, 0) : null;
  }

  /** Decodes a pointer from exactly 12 bytes. */
  public static ValuePointer decode(byte[] encoded) {
    if (encoded.length != ENCODED_LENGTH) {
      throw new IllegalArgumentException("a value pointer is " + ENCODED_LENGTH
          + " bytes, not " + encoded.length);
    }
    return decode(encoded, 0);
  }

  /** Decodes the 12 bytes at {@code source[at]}. */
  public static ValuePointer decode(byte[] source, int at) {
    if (at < 0 || at > source.length - ENCODED_LENGTH) {
      throw new IllegalArgumentException("a value pointer needs " + ENCODED_LENGTH
          + " bytes at offset " + at + " of " + source.length);
    }
    return new ValuePointer(LittleEndian.getUnsignedInt(source, at), LittleEndian.getUnsignedInt(source, at + 4),
        LittleEndian.getUnsignedInt(source, at + 8));
  }

  @Override
  public int compareTo(ValuePointer other) {
    int byFile = Long.compare(fileId, other.fileId);
    if (byFile != 0) {
      return byFile;
    }
    int byOffset = Long.compare(offset, other.offset);
    return byOffset != 0 ? byOffset : Long.compare(length, other.length);
  }

  @Override
  public String toString() {
    return isNone() ? "ValuePointer[none]"
        : "ValuePointer[file " + fileId + ", offset " + offset + ", length " + length + "]";
  }

  private static void checkU32(String name, long value) {
    if (value < 0 || value > MAX_U32) {
      throw new IllegalArgumentException("value pointer " + name + " " + value
          + " does not fit an unsigned 32-bit integer");
    }
  }
}
