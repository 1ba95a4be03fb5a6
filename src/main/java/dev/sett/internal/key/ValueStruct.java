package dev.sett.internal.key;

import dev.sett.internal.codec.Varint;

/**
 * One version's value and its attributes, as stored next to an internal key in memtables and
 * SSTables. The version itself lives in the key; {@link #version()} is filled in by lookups.
 *
 * <p>Encoding (docs/format/sstable.md): {@code meta u8 | userMeta u8 | varint expiresAt | value...};
 * the value's length is implied by the enclosing record.
 */
public record ValueStruct(byte meta, byte userMeta, long expiresAt, long version, byte[] value) {

  /** Bytes of {@link #encode}. */
  public int encodedSize() {
    return 2 + Varint.length(expiresAt) + value.length;
  }

  /** Writes the encoding at {@code offset}; returns the offset after it. */
  public int encode(byte[] dst, int offset) {
    dst[offset++] = meta;
    dst[offset++] = userMeta;
    offset = Varint.write(dst, offset, expiresAt);
    System.arraycopy(value, 0, dst, offset, value.length);
    return offset + value.length;
  }

  public byte[] encode() {
    byte[] out = new byte[encodedSize()];
    encode(out, 0);
    return out;
  }

  /** Decodes {@code src[offset, offset+length)}; the version comes from the key. */
  public static ValueStruct decode(byte[] src, int offset, int length, long version) {
    if (length < 3) {
      throw new IllegalArgumentException("value record of " + length + " bytes is too short");
    }
    int end = offset + length;
    byte meta = src[offset];
    byte userMeta = src[offset + 1];
    long expiresAt = Varint.read(src, offset + 2, end);
    int valueStart = Varint.readEnd(src, offset + 2, end);
    return new ValueStruct(meta, userMeta, expiresAt, version,
        java.util.Arrays.copyOfRange(src, valueStart, end));
  }

  public boolean isDeleted() {
    return (meta & Meta.DELETE) != 0;
  }

  /** A tombstone, or past its expiry at {@code nowSeconds}. */
  public boolean isDeletedOrExpired(long nowSeconds) {
    return isDeleted() || (expiresAt != 0 && expiresAt <= nowSeconds);
  }

  public ValueStruct withVersion(long newVersion) {
    return new ValueStruct(meta, userMeta, expiresAt, newVersion, value);
  }

  @Override
  public String toString() {
    return "ValueStruct[meta=" + meta + ", userMeta=" + userMeta + ", expiresAt=" + expiresAt
        + ", version=" + version + ", value=" + value.length + " bytes]";
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ValueStruct that && meta == that.meta && userMeta == that.userMeta
        && expiresAt == that.expiresAt && version == that.version
        && java.util.Arrays.equals(value, that.value);
  }

  @Override
  public int hashCode() {
    return java.util.Arrays.hashCode(value) * 31 + Long.hashCode(version);
  }
}
