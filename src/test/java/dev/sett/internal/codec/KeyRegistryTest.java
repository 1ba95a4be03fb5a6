package dev.sett.internal.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.fs.CorruptFileException;
import dev.sett.internal.fs.FaultInjectingFileSystem;
import dev.sett.internal.fs.InMemoryFileSystem;
import dev.sett.internal.fs.UnsupportedFormatException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The key registry file: its golden bytes ({@code docs/format/key-registry.md}), wrong keys,
 * damage, rotation of data keys, and master-key rotation that a crash cannot half-do.
 */
class KeyRegistryTest {
  private static final Path DIR = Path.of("/store").toAbsolutePath();
  private static final HexFormat HEX = HexFormat.of();
  /** The example of key-registry.md: AES-128 master key 00 01 .. 0f. */
  private static final byte[] MASTER = HEX.parseHex("000102030405060708090a0b0c0d0e0f");
  private static final byte[] DATA_KEY = HEX.parseHex("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");
  private static final long CREATED = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
  /** The file of key-registry.md's example, byte for byte. */
  private static final String GOLDEN = String.join("",
      "534b524701001000",
      "01010101010101010101010101010101",
      // AES-128-CTR of "SettKeyRegistry1"; openssl enc -aes-128-ctr gives the same bytes
      "9037f4231f4606637fa7968797924749",
      "01000000",
      "0100000000000000", "00a8da769b010000", "10",
      "02020202020202020202020202020202",
      "1d278d583308891f50113b5daf829864",
      "6c293d68");

  /** IVs 01 01 .. 01, then 02 02 .. 02, and so on: what the format document shows. */
  private static java.util.function.Consumer<byte[]> countingIvs() {
    int[] next = {1};
    return iv -> java.util.Arrays.fill(iv, (byte) next[0]++);
  }

  @Test
  void goldenBytesMatchTheFormatDocument() throws IOException {
    byte[] encoded = KeyRegistry.encode(List.of(new DataKey(1, CREATED, DATA_KEY)), MASTER,
        countingIvs());
    assertEquals(GOLDEN, HEX.formatHex(encoded));
    List<DataKey> decoded = KeyRegistry.decode(encoded, MASTER, DIR.resolve("KEYREGISTRY"));
    assertEquals(1, decoded.size());
    assertEquals(1, decoded.get(0).id());
    assertEquals(CREATED, decoded.get(0).createdAtMillis());
    assertArrayEquals(DATA_KEY, decoded.get(0).keyBytes());
  }

  @Test
  void aWrongMasterKeyIsAMismatchNotCorruption() throws IOException {
    byte[] encoded = KeyRegistry.encode(List.of(new DataKey(1, CREATED, DATA_KEY)), MASTER,
        countingIvs());
    byte[] wrong = MASTER.clone();
    wrong[15] ^= 1;
    assertThrows(MasterKeyMismatchException.class,
        () -> KeyRegistry.decode(encoded, wrong, DIR.resolve("KEYREGISTRY")));
    assertThrows(MasterKeyMismatchException.class,
        () -> KeyRegistry.decode(encoded, new byte[32], DIR.resolve("KEYREGISTRY")));
  }

  @Test
  void everyFlippedBitIsCaught() throws IOException {
    List<DataKey> keys = List.of(new DataKey(1, CREATED, DATA_KEY),
        new DataKey(2, CREATED + 1, HEX.parseHex("b0b1b2b3b4b5b6b7b8b9babbbcbdbebf")));
    byte[] encoded = KeyRegistry.encode(keys, MASTER, countingIvs());
    for (int bit = 0; bit < encoded.length * 8; bit++) {
      byte[] damaged = encoded.clone();
      damaged[bit / 8] ^= (byte) (1 << (bit % 8));
      IOException e = assertThrows(IOException.class,
          () -> KeyRegistry.decode(damaged, MASTER, DIR.resolve("KEYREGISTRY")), "bit " + bit);
      assertTrue(e instanceof CorruptFileException || e instanceof UnsupportedFormatException,
          "bit " + bit + ": " + e);
    }
    for (int length = 0; length < encoded.length; length++) {
      byte[] cut = java.util.Arrays.copyOf(encoded, length);
      assertInstanceOf(CorruptFileException.class, assertThrows(IOException.class,
          () -> KeyRegistry.decode(cut, MASTER, DIR.resolve("KEYREGISTRY"))), "length " + length);
    }
  }

  @Test
  void dataKeysRotateAfterThePeriodAndAllStay() throws IOException {
    InMemoryFileSystem fs = new InMemoryFileSystem();
    fs.createDirectories(DIR);
    AtomicLong now = new AtomicLong(CREATED);
    KeyRegistry registry = KeyRegistry.create(fs, DIR, MASTER, Duration.ofHours(1), now::get);
    DataKey first = registry.current();
    now.addAndGet(Duration.ofMinutes(59).toMillis());
    assertEquals(first, registry.current(), "not yet an hour old");
    now.addAndGet(Duration.ofMinutes(1).toMillis());
    DataKey second = registry.current();
    assertEquals(2, second.id());
    assertEquals(2, registry.keyCount());
    KeyRegistry reopened = KeyRegistry.open(fs, DIR, MASTER, Duration.ofHours(1), false, now::get);
    assertEquals(2, reopened.keyCount());
    assertArrayEquals(first.keyBytes(), reopened.key(1).keyBytes());
    assertArrayEquals(second.keyBytes(), reopened.key(2).keyBytes());
    assertThrows(CorruptFileException.class, () -> reopened.key(3));
    KeyRegistry readOnly = KeyRegistry.open(fs, DIR, MASTER, Duration.ofHours(1), true, now::get);
    now.addAndGet(Duration.ofDays(1).toMillis());
    assertEquals(2, readOnly.current().id(), "a read-only registry never writes a new key");
  }

  @Test
  void sealingUsesAFreshIvEveryTimeAndOpensBack() {
    DataKey key = new DataKey(1, CREATED, DATA_KEY);
    byte[] plain = "the same plaintext, sealed twice".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] once = key.seal(plain, 0, plain.length);
    byte[] twice = key.seal(plain, 0, plain.length);
    assertFalse(java.util.Arrays.equals(once, twice));
    assertNotEquals(HEX.formatHex(once, 0, 16), HEX.formatHex(twice, 0, 16), "IVs differ");
    byte[] opened = new byte[plain.length];
    key.open(twice, 0, twice.length, opened, 0);
    assertArrayEquals(plain, opened);
  }

  /**
   * A power loss at every file operation of a master-key rotation leaves a registry that opens
   * with exactly one of the two keys and holds the same data keys.
   */
  @Test
  void aCrashAnywhereInAMasterKeyRotationLeavesOneOfTheTwoKeys() throws IOException {
    byte[] newMaster = HEX.parseHex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff0001020304050607");
    long seed = System.nanoTime();
    System.out.println("aCrashAnywhereInAMasterKeyRotationLeavesOneOfTheTwoKeys seed " + seed);
    SplittableRandom random = new SplittableRandom(seed);
    int crashes = 0;
    for (FaultInjectingFileSystem.Op op : FaultInjectingFileSystem.Op.values()) {
      for (int n = 1; ; n++) {
        FaultInjectingFileSystem fs = new FaultInjectingFileSystem(new InMemoryFileSystem());
        fs.createDirectories(DIR);
        KeyRegistry.create(fs, DIR, MASTER, Duration.ofDays(10), () -> CREATED);
        fs.syncDirectory(DIR);
        byte[] before = fs.readAllBytes(DIR.resolve(KeyRegistry.FILE_NAME));
        List<DataKey> keys = KeyRegistry.decode(before, MASTER, DIR);
        long operations = fs.count(op);
        fs.powerLossAtNth(op, n, n % 2 == 0 ? FaultInjectingFileSystem.PowerLoss.DROP_UNSYNCED
            : FaultInjectingFileSystem.PowerLoss.KEEP_RANDOM_PREFIX, random.split());
        boolean crashed;
        try {
          KeyRegistry.rotateMasterKey(fs, DIR, MASTER, newMaster);
          crashed = false;
        } catch (IOException e) {
          crashed = true;
        }
        fs.restart();
        if (!crashed) {
          // Disarm the power loss that the rotation did not reach.
          fs.powerLossAtNth(op, Long.MAX_VALUE / 2, FaultInjectingFileSystem.PowerLoss.DROP_UNSYNCED,
              random.split());
          assertTrue(fs.count(op) - operations < n, op + " " + n);
          assertEquals(keys.get(0).id(), KeyRegistry.decode(
              fs.readAllBytes(DIR.resolve(KeyRegistry.FILE_NAME)), newMaster, DIR).get(0).id());
          break;
        }
        crashes++;
        byte[] after = fs.readAllBytes(DIR.resolve(KeyRegistry.FILE_NAME));
        List<DataKey> found;
        try {
          found = KeyRegistry.decode(after, MASTER, DIR);
          assertThrows(MasterKeyMismatchException.class,
              () -> KeyRegistry.decode(after, newMaster, DIR));
        } catch (MasterKeyMismatchException oldKeyFails) {
          found = KeyRegistry.decode(after, newMaster, DIR);
        }
        assertEquals(keys.size(), found.size(), op + " " + n);
        assertArrayEquals(keys.get(0).keyBytes(), found.get(0).keyBytes(), op + " " + n);
      }
    }
    assertTrue(crashes >= 4, "crash points exercised: " + crashes);
  }
}
