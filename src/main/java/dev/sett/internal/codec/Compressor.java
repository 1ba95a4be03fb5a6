package dev.sett.internal.codec;

import com.github.luben.zstd.Zstd;
import java.io.IOException;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;

/**
 * Compresses and decompresses whole blocks. The compressed form carries no length: callers store
 * the uncompressed length beside it and pass it to {@link #decompress}.
 *
 * <p>Thread-safety: immutable and safe for concurrent use; each instance owns its settings (a ZSTD
 * level is per instance, not process-wide as in Badger).
 */
public final class Compressor {
  private static final LZ4Factory LZ4 = LZ4Factory.fastestInstance();

  private final CompressionType type;
  private final int zstdLevel;
  private final LZ4Compressor lz4Compressor;

  public Compressor(CompressionType type, int zstdLevel) {
    this.type = type;
    this.zstdLevel = zstdLevel;
    this.lz4Compressor = LZ4.fastCompressor();
  }

  public CompressionType type() {
    return type;
  }

  /** Compresses {@code src[offset, offset+length)}; returns the compressed bytes. */
  public byte[] compress(byte[] src, int offset, int length) {
    switch (type) {
      case NONE:
        return java.util.Arrays.copyOfRange(src, offset, offset + length);
      case LZ4: {
        byte[] dst = new byte[lz4Compressor.maxCompressedLength(length)];
        int n = lz4Compressor.compress(src, offset, length, dst, 0, dst.length);
        return java.util.Arrays.copyOf(dst, n);
      }
      case ZSTD: {
        byte[] dst = new byte[(int) Zstd.compressBound(length)];
        long n = Zstd.compressByteArray(dst, 0, dst.length, src, offset, length, zstdLevel);
        if (Zstd.isError(n)) {
          throw new IllegalStateException("zstd compression failed: " + Zstd.getErrorName(n));
        }
        return java.util.Arrays.copyOf(dst, (int) n);
      }
      default:
        throw new AssertionError(type);
    }
  }

  /**
   * Decompresses a block of {@code type} into exactly {@code uncompressedLength} bytes. Throws
   * {@link IOException} when the input is malformed or does not decompress to that length.
   */
  public static byte[] decompress(CompressionType type, byte[] src, int offset, int length,
      int uncompressedLength) throws IOException {
    switch (type) {
      case NONE:
        if (length != uncompressedLength) {
          throw new IOException("stored length " + length + " != " + uncompressedLength);
        }
        return java.util.Arrays.copyOfRange(src, offset, offset + length);
      case LZ4: {
        byte[] dst = new byte[uncompressedLength];
        try {
          int n = LZ4.safeDecompressor().decompress(src, offset, length, dst, 0, uncompressedLength);
          if (n != uncompressedLength) {
            throw new IOException("lz4 block decompressed to " + n + " bytes, expected "
                + uncompressedLength);
          }
        } catch (LZ4Exception e) {
          throw new IOException("malformed lz4 block: " + e.getMessage(), e);
        }
        return dst;
      }
      case ZSTD: {
        byte[] dst = new byte[uncompressedLength];
        long n = Zstd.decompressByteArray(dst, 0, uncompressedLength, src, offset, length);
        if (Zstd.isError(n)) {
          throw new IOException("malformed zstd block: " + Zstd.getErrorName(n));
        }
        if (n != uncompressedLength) {
          throw new IOException("zstd block decompressed to " + n + " bytes, expected "
              + uncompressedLength);
        }
        return dst;
      }
      default:
        throw new AssertionError(type);
    }
  }
}
