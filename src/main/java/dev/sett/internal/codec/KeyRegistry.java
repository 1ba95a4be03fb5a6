package dev.sett.internal.codec;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import dev.sett.internal.fs.CorruptFileException;
import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.fs.UnsupportedFormatException;
import dev.sett.internal.fs.WritableFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key registry of an encrypted store (Badger's {@code KEYREGISTRY}): the data keys, each
 * encrypted under the master key, in one small file written whole, atomically (a temporary file,
 * forced, renamed over the old one, the directory forced). The byte layout is in
 * {@code docs/format/key-registry.md}:
 *
 * <pre>
 * file   := magic "SKRG" | version u16 = 1 | masterKeyLength u8 | reserved u8 = 0
 *           | check | keyCount u32 | key* | crc32c u32 (of every byte before it)
 * check  := iv[16] | AES-CTR(master key, iv, "SettKeyRegistry1")
 * key    := id u64 | createdAt u64 (Unix ms) | length u8 | iv[16] | AES-CTR(master key, iv, key)
 * </pre>
 *
 * A new data key replaces the current one for new files once the current one is older than the
 * rotation period. Keys are never removed: every file names the key that wrote it, and a key
 * costs some 40 bytes, so keeping them all is what keeps every file readable (backups included).
 *
 * <p>Thread-safety: safe for concurrent use; the key map and the file are guarded by {@code this}.
 */
public final class KeyRegistry implements DataKeys {
  /** The registry's file name in the store directory. */
  public static final String FILE_NAME = "KEYREGISTRY";
  static final String TEMPORARY_NAME = "KEYREGISTRY.tmp";
  static final byte[] MAGIC = "SKRG".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 1;
  static final byte[] CHECK_TEXT = "SettKeyRegistry1".getBytes(StandardCharsets.US_ASCII);
  static final int HEADER_LENGTH = 8;
  static final int KEY_FIXED_LENGTH = 8 + 8 + 1 + DataKey.IV_LENGTH;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final FileSystem fs;
  private final Path directory;
  private final byte[] masterKey;
  private final Duration rotation;
  private final boolean readOnly;
  private final LongSupplier clock;
  @GuardedBy("this")
  private final TreeMap<Long, DataKey> keys;

  private KeyRegistry(FileSystem fs, Path directory, byte[] masterKey, Duration rotation,
      boolean readOnly, LongSupplier clock, List<DataKey> keys) {
    this.fs = fs;
    this.directory = directory;
    this.masterKey = masterKey.clone();
    this.rotation = rotation;
    this.readOnly = readOnly;
    this.clock = clock;
    this.keys = new TreeMap<>();
    for (DataKey key : keys) {
      this.keys.put(key.id(), key);
    }
  }

  /** Whether {@code directory} holds a key registry, which makes it an encrypted store. */
  public static boolean exists(FileSystem fs, Path directory) {
    return fs.exists(directory.resolve(FILE_NAME));
  }

  /** Creates the registry of a new store, with one fresh data key, and writes it durably. */
  public static KeyRegistry create(FileSystem fs, Path directory, byte[] masterKey,
      Duration rotation, LongSupplier clock) throws IOException {
    DataKey.checkKeyLength(masterKey.length, "encryptionKey");
    DataKey first = DataKey.generate(1, clock.getAsLong(), masterKey.length);
    KeyRegistry registry = new KeyRegistry(fs, directory, masterKey, rotation, false, clock,
        List.of(first));
    write(fs, directory, encode(List.of(first), masterKey, RANDOM::nextBytes));
    return registry;
  }

  /**
   * Reads the registry of an existing store. Throws {@link MasterKeyMismatchException} when
   * {@code masterKey} is not the store's, {@link CorruptFileException} when the file is damaged.
   * Writes nothing: a read-only registry never rotates, and a writable one first rotates when a
   * file is created.
   */
  public static KeyRegistry open(FileSystem fs, Path directory, byte[] masterKey,
      Duration rotation, boolean readOnly, LongSupplier clock) throws IOException {
    Path path = directory.resolve(FILE_NAME);
    List<DataKey> keys = decode(fs.readAllBytes(path), masterKey, path);
    return new KeyRegistry(fs, directory, masterKey, rotation, readOnly, clock, keys);
  }

  /**
   * Re-encrypts the registry in {@code directory} from {@code oldKey} to {@code newKey}, atomically:
   * after a crash the registry opens with exactly one of the two. Returns the number of data keys.
   */
  public static int rotateMasterKey(FileSystem fs, Path directory, byte[] oldKey, byte[] newKey)
      throws IOException {
    DataKey.checkKeyLength(newKey.length, "new key");
    Path path = directory.resolve(FILE_NAME);
    List<DataKey> keys = decode(fs.readAllBytes(path), oldKey, path);
    write(fs, directory, encode(keys, newKey, RANDOM::nextBytes));
    return keys.size();
  }

  @Override
  public synchronized DataKey current() throws IOException {
    DataKey newest = keys.lastEntry().getValue();
    long now = clock.getAsLong();
    if (readOnly || now - newest.createdAtMillis() < rotation.toMillis()) {
      return newest;
    }
    DataKey next = DataKey.generate(newest.id() + 1, now, masterKey.length);
    List<DataKey> all = new ArrayList<>(keys.values());
    all.add(next);
    write(fs, directory, encode(all, masterKey, RANDOM::nextBytes));
    keys.put(next.id(), next);
    return next;
  }

  @Override
  public synchronized DataKey key(long id) throws IOException {
    DataKey key = keys.get(id);
    if (key == null) {
      throw new CorruptFileException(directory.resolve(FILE_NAME), 0,
          "the key registry has no data key " + id + " (it has " + keys.keySet() + ")");
    }
    return key;
  }

  /** How many data keys the registry holds. */
  public synchronized int keyCount() {
    return keys.size();
  }

  /**
   * The registry file for {@code keys} under {@code masterKey}; {@code ivSource} fills each IV
   * (random in use, fixed in the golden-bytes test).
   */
  static byte[] encode(List<DataKey> keys, byte[] masterKey, Consumer<byte[]> ivSource) {
    DataKey.checkKeyLength(masterKey.length, "master key");
    SecretKeySpec master = new SecretKeySpec(masterKey, "AES");
    int length = HEADER_LENGTH + DataKey.IV_LENGTH + CHECK_TEXT.length + Integer.BYTES
        + Integer.BYTES;
    for (DataKey key : keys) {
      length += KEY_FIXED_LENGTH + key.keyBytes().length;
    }
    byte[] out = new byte[length];
    System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
    out[4] = (byte) VERSION;
    out[5] = (byte) (VERSION >>> 8);
    out[6] = (byte) masterKey.length;
    int at = HEADER_LENGTH;
    at = sealWith(master, ivSource, CHECK_TEXT, out, at);
    LittleEndian.putInt(out, at, keys.size());
    at += Integer.BYTES;
    for (DataKey key : keys) {
      byte[] bytes = key.keyBytes();
      LittleEndian.putLong(out, at, key.id());
      LittleEndian.putLong(out, at + 8, key.createdAtMillis());
      out[at + 16] = (byte) bytes.length;
      at = sealWith(master, ivSource, bytes, out, at + 17);
    }
    LittleEndian.putInt(out, at, Crc32c.of(out, 0, at));
    return out;
  }

  /**
   * The data keys in registry file {@code bytes}. Checks, in order: the magic, the version, the
   * checksum, then that {@code masterKey} decrypts the check text; a damaged file is a {@link
   * CorruptFileException} and a wrong key a {@link MasterKeyMismatchException}.
   */
  public static List<DataKey> decode(byte[] bytes, byte[] masterKey, Path file)
      throws IOException {
    int minimum = HEADER_LENGTH + DataKey.IV_LENGTH + CHECK_TEXT.length + 2 * Integer.BYTES;
    if (bytes.length < MAGIC.length || !Arrays.equals(bytes, 0, MAGIC.length, MAGIC, 0,
        MAGIC.length)) {
      throw new CorruptFileException(file, 0, "not a Sett key registry: no magic \"SKRG\"");
    }
    if (bytes.length < minimum) {
      throw new CorruptFileException(file, 0, "key registry of " + bytes.length
          + " bytes is shorter than the smallest, " + minimum);
    }
    int version = LittleEndian.getUnsignedShort(bytes, 4);
    if (version != VERSION) {
      throw new UnsupportedFormatException(file, "key registry", version, VERSION);
    }
    int body = bytes.length - Integer.BYTES;
    if (Crc32c.of(bytes, 0, body) != LittleEndian.getInt(bytes, body)) {
      throw new CorruptFileException(file, body, "key registry checksum mismatch");
    }
    int keyLength = bytes[6] & 0xFF;
    if (keyLength != masterKey.length) {
      throw new MasterKeyMismatchException(file);
    }
    SecretKeySpec master = new SecretKeySpec(masterKey, "AES");
    byte[] check = openWith(master, bytes, HEADER_LENGTH, CHECK_TEXT.length);
    if (!Arrays.equals(check, CHECK_TEXT)) {
      throw new MasterKeyMismatchException(file);
    }
    int at = HEADER_LENGTH + DataKey.IV_LENGTH + CHECK_TEXT.length;
    long count = LittleEndian.getUnsignedInt(bytes, at);
    at += Integer.BYTES;
    if (count < 1 || count > (body - at) / (KEY_FIXED_LENGTH + 16)) {
      throw new CorruptFileException(file, at - Integer.BYTES, "key registry has a bad key count "
          + count);
    }
    Map<Long, DataKey> keys = new TreeMap<>();
    long previousId = 0;
    for (int i = 0; i < count; i++) {
      if (body - at < KEY_FIXED_LENGTH) {
        throw new CorruptFileException(file, at, "key registry entry " + i + " is cut short");
      }
      long id = LittleEndian.getLong(bytes, at);
      long createdAt = LittleEndian.getLong(bytes, at + 8);
      int length = bytes[at + 16] & 0xFF;
      if (id <= previousId) {
        throw new CorruptFileException(file, at, "key registry entry " + i + " has id " + id
            + ", not above the previous " + previousId);
      }
      if ((length != 16 && length != 24 && length != 32)
          || body - at - KEY_FIXED_LENGTH < length) {
        throw new CorruptFileException(file, at + 16, "key registry entry " + i
            + " has a bad key length " + length);
      }
      byte[] key = openWith(master, bytes, at + 17, length);
      keys.put(id, new DataKey(id, createdAt, key));
      previousId = id;
      at += KEY_FIXED_LENGTH + length;
    }
    if (at != body) {
      throw new CorruptFileException(file, at, (body - at) + " bytes follow the last data key");
    }
    return List.copyOf(keys.values());
  }

  private static int sealWith(SecretKeySpec master, Consumer<byte[]> ivSource, byte[] plain,
      byte[] out, int at) {
    byte[] iv = new byte[DataKey.IV_LENGTH];
    ivSource.accept(iv);
    System.arraycopy(iv, 0, out, at, iv.length);
    DataKey.apply(master, iv, plain, 0, plain.length, out, at + iv.length);
    return at + iv.length + plain.length;
  }

  private static byte[] openWith(SecretKeySpec master, byte[] in, int at, int length) {
    byte[] iv = Arrays.copyOfRange(in, at, at + DataKey.IV_LENGTH);
    byte[] plain = new byte[length];
    DataKey.apply(master, iv, in, at + DataKey.IV_LENGTH, length, plain, 0);
    return plain;
  }

  /** Writes {@code bytes} as the registry: a temporary file, forced, renamed, directory forced. */
  private static void write(FileSystem fs, Path directory, byte[] bytes) throws IOException {
    Path temporary = directory.resolve(TEMPORARY_NAME);
    if (fs.exists(temporary)) {
      fs.delete(temporary);
    }
    WritableFile file = fs.createFile(temporary);
    try {
      file.write(bytes);
      file.sync();
    } finally {
      file.close();
    }
    fs.rename(temporary, directory.resolve(FILE_NAME));
    fs.syncDirectory(directory);
  }
}
