package dev.sett.internal.sstable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.sett.internal.codec.CompressionType;
import dev.sett.internal.codec.Crc32c;
import dev.sett.internal.fs.CorruptFileException;
import dev.sett.internal.fs.InMemoryFileSystem;
import dev.sett.internal.fs.UnsupportedFormatException;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValueIterator;
import dev.sett.internal.sstable.TableFiles.Region;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * Damaged tables: every changed byte is reported as a {@link CorruptFileException} naming the file
 * and an offset in the damaged region, and never read back as data.
 */
class TableCorruptionTest {
  private static final Path PATH = Path.of("/db/000009.sst");
  private static final TableOptions VERIFY_ON_READ =
      new TableOptions(64, 0.01, CompressionType.NONE, 1, false, true);
  private static final TableOptions NO_VERIFICATION =
      new TableOptions(64, 0.01, CompressionType.NONE, 1, false, false);

  private final InMemoryFileSystem fs = new InMemoryFileSystem();

  @ParameterizedTest
  @EnumSource(CompressionType.class)
  void damageInEachRegionIsReportedThere(CompressionType compression) throws IOException {
    TableModel model = smallModel(compression);
    byte[] clean = write(model, compression);
    for (Region region : TableFiles.regions(clean)) {
      for (long offset : new long[] {region.start(), (region.start() + region.end()) / 2,
          region.end() - 1}) {
        CorruptFileException e = readDamaged(model, clean, (int) offset, 0x01, VERIFY_ON_READ);
        assertEquals(PATH, e.file());
        assertTrue(region.contains(e.offset()), () -> "damage at " + offset + " in " + region
            + " reported at " + e.offset() + ": " + e.getMessage());
      }
    }
  }

  @ParameterizedTest
  @EnumSource(value = CompressionType.class, names = {"NONE", "ZSTD"})
  void everyDamagedByteIsDetected(CompressionType compression) throws IOException {
    TableModel model = smallModel(compression);
    byte[] clean = write(model, compression);
    for (int offset = 0; offset < clean.length; offset++) {
      for (int mask : new int[] {0x01, 0x80, 0xFF}) {
        readDamaged(model, clean, offset, mask, VERIFY_ON_READ);
      }
    }
  }

  @Test
  void damagedBlockIsFoundAtOpenWhenAsked() throws IOException {
    TableModel model = smallModel(CompressionType.NONE);
    byte[] clean = write(model, CompressionType.NONE);
    Region lastBlock = TableFiles.blockRegions(clean).get(TableFiles.blockRegions(clean).size() - 1);
    byte[] damaged = clean.clone();
    damaged[(int) lastBlock.start() + 2] ^= 0x10;
    TableFiles.replace(fs, PATH, damaged);
    TableOptions verifyOnOpen = new TableOptions(64, 0.01, CompressionType.NONE, 1, true, false);
    CorruptFileException e = assertThrows(CorruptFileException.class,
        () -> Table.open(fs, PATH, 9, verifyOnOpen, BlockCache.disabled()));
    assertEquals(lastBlock.start(), e.offset());

    Table table = Table.open(fs, PATH, 9, NO_VERIFICATION, BlockCache.disabled());
    try {
      e = assertThrows(CorruptFileException.class, table::verifyChecksums);
      assertEquals(lastBlock.start(), e.offset());
    } finally {
      table.release();
    }
  }

  /**
   * Without verification a damaged uncompressed block may be read as other data (that is the
   * option's trade-off), but never as an index error or a crash: the structural checks hold.
   */
  @Test
  void unverifiedDamageFailsOnlyAsCorruption() throws IOException {
    TableModel model = smallModel(CompressionType.NONE);
    byte[] clean = write(model, CompressionType.NONE);
    for (Region block : TableFiles.blockRegions(clean)) {
      for (long offset = block.start(); offset < block.end(); offset++) {
        for (int mask : new int[] {0x01, 0x80, 0xFF}) {
          byte[] damaged = clean.clone();
          damaged[(int) offset] ^= (byte) mask;
          TableFiles.replace(fs, PATH, damaged);
          try {
            readEverything(model, NO_VERIFICATION);
          } catch (CorruptFileException expected) {
            assertEquals(PATH, expected.file());
          }
        }
      }
    }
  }

  @Test
  void malformedCompressedBlockWithValidChecksumIsCorruption() throws IOException {
    TableModel model = smallModel(CompressionType.LZ4);
    byte[] clean = write(model, CompressionType.LZ4);
    for (Region block : TableFiles.blockRegions(clean)) {
      int typePosition = (int) block.end() - 5;
      if (clean[typePosition] != CompressionType.LZ4.id()) {
        continue;
      }
      byte[] damaged = clean.clone();
      int payloadStart = (int) block.start() + 1; // after a one-byte length varint
      for (int i = payloadStart; i < typePosition; i++) {
        damaged[i] = (byte) 0xF0; // a literal run longer than the block
      }
      ByteBuffer.wrap(damaged).order(ByteOrder.LITTLE_ENDIAN).putInt(typePosition + 1,
          Crc32c.of(damaged, (int) block.start(), typePosition + 1 - (int) block.start()));
      TableFiles.replace(fs, PATH, damaged);
      CorruptFileException e = assertThrows(CorruptFileException.class,
          () -> readEverything(model, VERIFY_ON_READ));
      assertEquals(block.start(), e.offset());
      assertTrue(e.getMessage().contains("decompress"), e.getMessage());
      return;
    }
    fail("no block was stored compressed");
  }

  @Test
  void otherFormatVersionsAreUnsupported() throws IOException {
    byte[] clean = write(smallModel(CompressionType.NONE), CompressionType.NONE);
    for (int version : new int[] {TableFormat.ENCRYPTED_FORMAT_VERSION + 1, 0}) {
      byte[] other = withVersion(clean, version, version);
      TableFiles.replace(fs, PATH, other);
      UnsupportedFormatException e = assertThrows(UnsupportedFormatException.class,
          () -> Table.open(fs, PATH, 9, VERIFY_ON_READ, BlockCache.disabled()));
      assertEquals(PATH, e.file());
      assertTrue(e.getMessage().contains(version == 0 ? "too old" : "newer"), e.getMessage());
    }
    // Header and footer disagree: one of them is damaged.
    TableFiles.replace(fs, PATH, withVersion(clean, 1, 2));
    assertThrows(CorruptFileException.class,
        () -> Table.open(fs, PATH, 9, VERIFY_ON_READ, BlockCache.disabled()));
  }

  @Test
  void truncatedOrForeignFilesAreCorrupt() throws IOException {
    byte[] clean = write(smallModel(CompressionType.NONE), CompressionType.NONE);
    for (int length : new int[] {0, 10, 67, clean.length - 1}) {
      TableFiles.replace(fs, PATH, java.util.Arrays.copyOf(clean, length));
      CorruptFileException e = assertThrows(CorruptFileException.class,
          () -> Table.open(fs, PATH, 9, VERIFY_ON_READ, BlockCache.disabled()));
      assertEquals(PATH, e.file());
    }
  }

  private TableModel smallModel(CompressionType compression) {
    Random random = new Random(11);
    TableModel model = new TableModel();
    for (int i = 0; i < 12; i++) {
      byte[] value = new byte[compression == CompressionType.NONE ? 6 : 40];
      java.util.Arrays.fill(value, (byte) ('a' + i % 3));
      model.put(("key" + (char) ('a' + i)).getBytes(java.nio.charset.StandardCharsets.US_ASCII),
          1 + random.nextInt(100), new dev.sett.internal.key.ValueStruct((byte) 0, (byte) 0, 0, 0,
              value));
    }
    return model;
  }

  private byte[] write(TableModel model, CompressionType compression) throws IOException {
    fs.delete(PATH);
    model.writeTable(new TableOptions(64, 0.01, compression, 1, false, true), fs, PATH);
    return fs.readAllBytes(PATH);
  }

  /** Reads the damaged copy and returns the corruption it must report. */
  private CorruptFileException readDamaged(TableModel model, byte[] clean, int offset, int mask,
      TableOptions options) throws IOException {
    byte[] damaged = clean.clone();
    damaged[offset] ^= (byte) mask;
    TableFiles.replace(fs, PATH, damaged);
    try {
      readEverything(model, options);
    } catch (CorruptFileException e) {
      assertEquals(PATH, e.file());
      return e;
    } catch (IOException | RuntimeException e) {
      throw new AssertionError("damage at " + offset + " raised " + e, e);
    }
    throw new AssertionError("damage at offset " + offset + " (mask " + mask + ") went unnoticed");
  }

  /** Opens the table, scans it both ways and gets every key; checks any data it returns. */
  private void readEverything(TableModel model, TableOptions options) throws IOException {
    Table table = Table.open(fs, PATH, 9, options, new BlockCache(1 << 20));
    try {
      for (boolean reverse : new boolean[] {false, true}) {
        try (KeyValueIterator iterator = table.iterator(reverse)) {
          iterator.rewind();
          int count = 0;
          while (iterator.valid()) {
            iterator.key();
            iterator.value();
            iterator.next();
            count++;
          }
          if (options.verifyBlocksOnRead()) {
            assertEquals(model.entries.size(), count);
          }
        } catch (UncheckedIOException e) {
          throw assertInstanceOf(CorruptFileException.class, e.getCause());
        }
      }
      for (byte[] key : model.entries.keySet()) {
        Object found = table.get(InternalKey.userKey(key), InternalKey.MAX_VERSION);
        if (options.verifyBlocksOnRead()) {
          assertEquals(model.get(InternalKey.userKey(key), InternalKey.MAX_VERSION), found);
        }
      }
    } finally {
      table.release();
    }
  }

  /** A copy of {@code file} claiming the given versions, with the header checksum recomputed. */
  private static byte[] withVersion(byte[] file, int headerVersion, int footerVersion) {
    byte[] copy = file.clone();
    ByteBuffer buffer = ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN);
    buffer.putInt(8, headerVersion);
    buffer.putInt(12, Crc32c.of(copy, 0, 12));
    buffer.putInt(copy.length - TableFooter.SIZE + 40, footerVersion);
    return copy;
  }
}
