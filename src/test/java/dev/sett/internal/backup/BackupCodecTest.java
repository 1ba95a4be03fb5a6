package dev.sett.internal.backup;

import static dev.sett.testing.Bytes.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.sett.internal.backup.proto.KV;
import dev.sett.internal.backup.proto.KVList;
import dev.sett.internal.fs.CorruptFileException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The backup codec: the golden bytes of docs/format/backup.md, round trips, and every kind of
 * damage reported with the offset of the damaged frame.
 */
class BackupCodecTest {
  private static final Path NAME = Path.of("test.backup");

  /**
   * One frame of two records: "a" = "hi" at version 3 with user meta 7, and a tombstone of "a"
   * at version 2. Quoted in docs/format/backup.md.
   */
  static final String GOLDEN_HEX = "1e00000000000000"
      + "0a0f" + "0a0161" + "12026869" + "1a0107" + "2003" + "320100"
      + "0a0b" + "0a0161" + "1a0100" + "2002" + "320101";

  static byte[] golden() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BackupWriter writer = new BackupWriter(out);
    writer.add(bytes("a"), bytes("hi"), (byte) 7, 3, 0, (byte) 0);
    writer.add(bytes("a"), null, (byte) 0, 2, 0, BackupFormat.META_DELETE);
    writer.finish();
    return out.toByteArray();
  }

  @Test
  void writesTheGoldenBytes() throws IOException {
    assertEquals(GOLDEN_HEX, HexFormat.of().formatHex(golden()));
  }

  @Test
  void readsTheGoldenBytes() throws IOException {
    BackupReader reader = reader(HexFormat.of().parseHex(GOLDEN_HEX));
    List<BackupReader.Record> frame = reader.nextFrame();
    assertEquals(2, frame.size());
    assertRecord(frame.get(0), "a", "hi", 7, 3, 0, 0);
    assertRecord(frame.get(1), "a", "", 0, 2, 0, 1);
    assertEquals(0, reader.frameOffset());
    assertNull(reader.nextFrame());
    assertEquals(GOLDEN_HEX.length() / 2, reader.offset());
  }

  @Test
  void theFormatDocumentShowsTheGoldenBytes() throws IOException {
    Path doc = Path.of(System.getProperty("basedir", "")).toAbsolutePath()
        .resolve("docs/format/backup.md");
    String text = Files.readString(doc, StandardCharsets.UTF_8).replaceAll("[\\s`]", "");
    assertTrue(text.contains(GOLDEN_HEX), "docs/format/backup.md must quote " + GOLDEN_HEX);
  }

  @Test
  void onlyPortableMetaBitsAreWritten() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BackupWriter writer = new BackupWriter(out);
    writer.add(bytes("k"), bytes("v"), (byte) 0, 1, 0, (byte) 0xFF);
    writer.finish();
    BackupReader.Record record = reader(out.toByteArray()).nextFrame().get(0);
    assertEquals(BackupFormat.PORTABLE_META, record.meta());
  }

  @Test
  void randomRecordsRoundTripThroughManyFrames() throws IOException {
    long seed = new SplittableRandom().nextLong();
    System.out.println("BackupCodecTest seed " + seed);
    SplittableRandom random = new SplittableRandom(seed);
    List<BackupReader.Record> written = new ArrayList<>();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BackupWriter writer = new BackupWriter(out, 1 + random.nextInt(4096));
    for (int i = 0; i < 2000; i++) {
      byte[] key = new byte[1 + random.nextInt(40)];
      random.nextBytes(key);
      byte[] value = new byte[random.nextInt(4) == 0 ? 0 : random.nextInt(3000)];
      random.nextBytes(value);
      byte meta = (byte) (random.nextInt(16) & BackupFormat.PORTABLE_META);
      long version = random.nextLong() & Long.MAX_VALUE;
      long expiresAt = random.nextBoolean() ? 0 : random.nextLong();
      byte userMeta = (byte) random.nextInt(256);
      writer.add(key, value, userMeta, version, expiresAt, meta);
      written.add(new BackupReader.Record(key, value, userMeta, version, expiresAt, meta));
    }
    writer.finish();
    assertEquals(out.size(), writer.bytesWritten());
    BackupReader reader = reader(out.toByteArray());
    List<BackupReader.Record> read = new ArrayList<>();
    int frames = 0;
    for (List<BackupReader.Record> frame; (frame = reader.nextFrame()) != null; frames++) {
      read.addAll(frame);
    }
    assertEquals(writer.frames(), frames, "seed " + seed);
    assertEquals(written.size(), read.size(), "seed " + seed);
    for (int i = 0; i < written.size(); i++) {
      BackupReader.Record a = written.get(i);
      BackupReader.Record b = read.get(i);
      assertArrayEquals(a.key(), b.key(), "seed " + seed);
      assertArrayEquals(a.value(), b.value(), "seed " + seed);
      assertEquals(List.of(a.userMeta(), a.version(), a.expiresAt(), a.meta()),
          List.of(b.userMeta(), b.version(), b.expiresAt(), b.meta()), "seed " + seed);
    }
  }

  @Test
  void everyTruncationIsReportedAtTheFrameItCuts() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BackupWriter writer = new BackupWriter(out, 1); // one record per frame
    for (int i = 0; i < 3; i++) {
      writer.add(bytes("key" + i), bytes("value" + i), (byte) 0, 10 - i, 0, (byte) 0);
    }
    writer.finish();
    byte[] whole = out.toByteArray();
    long[] frameStarts = new long[4];
    BackupReader scan = reader(whole);
    for (int i = 0; i < 3; i++) {
      scan.nextFrame();
      frameStarts[i + 1] = scan.offset();
    }
    for (int cut = 0; cut < whole.length; cut++) {
      BackupReader reader = reader(Arrays.copyOf(whole, cut));
      int complete = 0;
      while (complete < 3 && frameStarts[complete + 1] <= cut) {
        List<BackupReader.Record> frame = reader.nextFrame();
        assertEquals("key" + complete, new String(frame.get(0).key(), StandardCharsets.UTF_8));
        complete++;
      }
      if (frameStarts[complete] == cut) {
        assertNull(reader.nextFrame(), "a cut at a frame boundary is a clean end");
      } else {
        CorruptFileException e = assertThrows(CorruptFileException.class, reader::nextFrame,
            "cut at " + cut);
        assertEquals(frameStarts[complete], e.offset(), "cut at " + cut);
        assertEquals(NAME, e.file());
      }
    }
  }

  @Test
  void aHugeLengthIsDamageNotAnAllocation() throws IOException {
    byte[] stream = HexFormat.of().parseHex(GOLDEN_HEX + "ffffffffffffff7f" + "00");
    BackupReader reader = reader(stream);
    reader.nextFrame();
    CorruptFileException e = assertThrows(CorruptFileException.class, reader::nextFrame);
    assertEquals(GOLDEN_HEX.length() / 2, e.offset());
    // A length within the limit but beyond the stream: reported as a truncation.
    byte[] lying = HexFormat.of().parseHex("00000040000000000a");
    e = assertThrows(CorruptFileException.class, () -> reader(lying).nextFrame());
    assertEquals(0, e.offset());
    assertTrue(e.getMessage().contains("ends inside a frame"), e.getMessage());
  }

  @Test
  void aPayloadThatIsNotAKvListIsDamage() {
    byte[] stream = HexFormat.of().parseHex("0300000000000000" + "0aff01");
    CorruptFileException e = assertThrows(CorruptFileException.class, () -> reader(stream).nextFrame());
    assertEquals(0, e.offset());
  }

  @Test
  void recordsWithoutAKeyOrWithLongMetaAreDamage() throws IOException {
    assertThrows(CorruptFileException.class, () -> reader(frame(KV.newBuilder()
        .setValue(ByteString.copyFromUtf8("v")).setVersion(1).build())).nextFrame());
    assertThrows(CorruptFileException.class, () -> reader(frame(KV.newBuilder()
        .setKey(ByteString.copyFromUtf8("k")).setMeta(ByteString.copyFrom(new byte[2]))
        .build())).nextFrame());
  }

  @Test
  void badgerStreamFieldsAreAcceptedAndDoneMarkersSkipped() throws IOException {
    byte[] stream = frame(
        KV.newBuilder().setKey(ByteString.copyFromUtf8("k")).setValue(ByteString.copyFromUtf8("v"))
            .setVersion(5).setStreamId(3).setUserMeta(ByteString.copyFrom(new byte[] {9})).build(),
        KV.newBuilder().setStreamId(3).setStreamDone(true).build());
    List<BackupReader.Record> frame = reader(stream).nextFrame();
    assertEquals(1, frame.size());
    assertRecord(frame.get(0), "k", "v", 9, 5, 0, 0);
  }

  @Test
  void emptyFramesAreAllowed() throws IOException {
    BackupReader reader = reader(new byte[8]);
    assertEquals(List.of(), reader.nextFrame());
    assertNull(reader.nextFrame());
  }

  private static byte[] frame(KV... kvs) {
    byte[] payload = KVList.newBuilder().addAllKv(List.of(kvs)).build().toByteArray();
    byte[] out = new byte[8 + payload.length];
    for (int i = 0; i < 8; i++) {
      out[i] = (byte) ((long) payload.length >>> (8 * i));
    }
    System.arraycopy(payload, 0, out, 8, payload.length);
    return out;
  }

  private static BackupReader reader(byte[] bytes) {
    return new BackupReader(new ByteArrayInputStream(bytes), NAME);
  }

  private static void assertRecord(BackupReader.Record record, String key, String value,
      int userMeta, long version, long expiresAt, int meta) {
    assertEquals(key, new String(record.key(), StandardCharsets.UTF_8));
    assertEquals(value, new String(record.value(), StandardCharsets.UTF_8));
    assertEquals((byte) userMeta, record.userMeta());
    assertEquals(version, record.version());
    assertEquals(expiresAt, record.expiresAt());
    assertEquals((byte) meta, record.meta());
  }

}
