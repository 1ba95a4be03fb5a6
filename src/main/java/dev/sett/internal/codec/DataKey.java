package dev.sett.internal.codec;

import java.security.GeneralSecurityException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * One data key of the key registry and the AES-CTR cipher that uses it. Data is sealed as
 * {@code iv[16] | ciphertext}: the ciphertext has the plaintext's length, and every sealing uses a
 * fresh IV. The format documents ({@code docs/format/*.md}) say where each file keeps its sealed
 * parts and which data key id wrote it.
 *
 * <p>IVs: a 64-bit random prefix chosen when the key is loaded, a 32-bit sealing counter, and 32
 * bits of block counter that AES-CTR increments inside one sealing (so one sealing holds at most
 * 64 GiB). After 2^32 sealings the prefix moves on to a different value, so one loaded key never
 * repeats an IV; two loads repeat one only if their random prefixes collide (1 in 2^64).
 *
 * <p>Thread-safety: safe for concurrent use; each thread has its own {@link Cipher}.
 */
public final class DataKey {
  /** Bytes of the IV that precedes every ciphertext. */
  public static final int IV_LENGTH = 16;
  /** The transformation: AES in counter mode, hardware-accelerated by the JDK on x86 and ARM. */
  static final String TRANSFORMATION = "AES/CTR/NoPadding";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ThreadLocal<Cipher> CIPHER = ThreadLocal.withInitial(() -> {
    try {
      return Cipher.getInstance(TRANSFORMATION);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM has no " + TRANSFORMATION, e);
    }
  });

  private final long id;
  private final long createdAtMillis;
  private final byte[] key;
  private final SecretKeySpec spec;
  private final long ivPrefix = RANDOM.nextLong();
  private final AtomicLong sealings = new AtomicLong();

  /** A data key; {@code key} is 16, 24 or 32 bytes and is copied. */
  public DataKey(long id, long createdAtMillis, byte[] key) {
    checkKeyLength(key.length, "data key");
    if (id <= 0) {
      throw new IllegalArgumentException("data key ids start at 1: " + id);
    }
    this.id = id;
    this.createdAtMillis = createdAtMillis;
    this.key = key.clone();
    this.spec = new SecretKeySpec(this.key, "AES");
  }

  /** A new random data key of {@code length} bytes. */
  static DataKey generate(long id, long createdAtMillis, int length) {
    byte[] key = new byte[length];
    RANDOM.nextBytes(key);
    return new DataKey(id, createdAtMillis, key);
  }

  /** Throws {@link IllegalArgumentException} unless {@code length} is an AES key length. */
  public static void checkKeyLength(int length, String what) {
    if (length != 16 && length != 24 && length != 32) {
      throw new IllegalArgumentException(what + " must be 16, 24 or 32 bytes (AES-128, AES-192"
          + " or AES-256), not " + length);
    }
  }

  /** The id files name this key by; ids start at 1, and 0 in a file means "not encrypted". */
  public long id() {
    return id;
  }

  /** When the key was made, in Unix milliseconds. */
  public long createdAtMillis() {
    return createdAtMillis;
  }

  byte[] keyBytes() {
    return key.clone();
  }

  /** {@code length} bytes plus the IV: the size of a sealed {@code length}-byte plaintext. */
  public static int sealedLength(int length) {
    return IV_LENGTH + length;
  }

  /**
   * Seals {@code length} bytes of {@code in} at {@code inOffset} into {@code out} at {@code
   * outOffset}: a fresh IV, then the ciphertext. The ranges may be the same bytes shifted by the
   * IV ({@code out == in, outOffset + 16 == inOffset}), which seals in place. Returns the offset
   * after the ciphertext.
   */
  public int seal(byte[] in, int inOffset, int length, byte[] out, int outOffset) {
    byte[] iv = nextIv();
    apply(spec, iv, in, inOffset, length, out, outOffset + IV_LENGTH);
    System.arraycopy(iv, 0, out, outOffset, IV_LENGTH);
    return outOffset + IV_LENGTH + length;
  }

  /** {@code in[offset, offset + length)} sealed into a new array. */
  public byte[] seal(byte[] in, int offset, int length) {
    byte[] out = new byte[IV_LENGTH + length];
    seal(in, offset, length, out, 0);
    return out;
  }

  /**
   * Opens {@code sealedLength} bytes (IV then ciphertext) of {@code in} at {@code offset} into
   * {@code out} at {@code outOffset}; {@code out} may be {@code in} at {@code offset + 16}.
   */
  public void open(byte[] in, int offset, int sealedLength, byte[] out, int outOffset) {
    byte[] iv = new byte[IV_LENGTH];
    System.arraycopy(in, offset, iv, 0, IV_LENGTH);
    apply(spec, iv, in, offset + IV_LENGTH, sealedLength - IV_LENGTH, out, outOffset);
  }

  /** The plaintext of {@code sealedLength} sealed bytes of {@code in} at {@code offset}. */
  public byte[] open(ByteBuffer in, int offset, int sealedLength) {
    byte[] sealed = new byte[sealedLength];
    in.get(offset, sealed);
    byte[] plain = new byte[sealedLength - IV_LENGTH];
    open(sealed, 0, sealedLength, plain, 0);
    return plain;
  }

  private byte[] nextIv() {
    long sealing = sealings.getAndIncrement();
    byte[] iv = new byte[IV_LENGTH];
    // The epoch (sealing >>> 32) moves the prefix through a bijection: distinct epochs, distinct
    // prefixes.
    LittleEndian.putLong(iv, 0, ivPrefix ^ ((sealing >>> 32) * 0x9E3779B97F4A7C15L));
    iv[8] = (byte) (sealing >>> 24);
    iv[9] = (byte) (sealing >>> 16);
    iv[10] = (byte) (sealing >>> 8);
    iv[11] = (byte) sealing;
    return iv; // bytes 12-15 are the block counter, 0 at the start of each sealing
  }

  /** AES-CTR under {@code key} from counter block {@code iv}; encryption and decryption alike. */
  static void apply(SecretKeySpec key, byte[] iv, byte[] in, int inOffset, int length, byte[] out,
      int outOffset) {
    Cipher cipher = CIPHER.get();
    try {
      cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(iv));
      cipher.doFinal(in, inOffset, length, out, outOffset);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-CTR failed on a valid key and IV", e);
    }
  }

  @Override
  public String toString() {
    return "DataKey[" + id + "]";
  }
}
