package dev.sett.internal.backup;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnsafeByteOperations;
import dev.sett.internal.backup.proto.KV;
import dev.sett.internal.backup.proto.KVList;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a backup stream (docs/format/backup.md): versions are gathered into a {@code KVList} and
 * written as one frame once it holds {@link #frameBytes} bytes of payload, so memory stays bounded
 * by one frame (plus one record) whatever the size of the store. Records are written as Badger
 * writes them: {@code user_meta} and {@code meta} are always one byte, {@code value} is omitted
 * when empty.
 *
 * <p>The arrays handed to {@link #add} are not copied and must not change until the frame holding
 * them is written (the next {@link #add} that fills it, or {@link #finish}).
 *
 * <p>Thread-safety: not thread-safe.
 */
public final class BackupWriter {
  /** The default payload size at which a frame is written. */
  public static final int DEFAULT_FRAME_BYTES = 4 << 20;

  private static final ByteString[] ONE_BYTE = new ByteString[256];

  static {
    for (int i = 0; i < 256; i++) {
      ONE_BYTE[i] = ByteString.copyFrom(new byte[] {(byte) i});
    }
  }

  private final OutputStream out;
  private final int frameBytes;
  private final List<KV> pending = new ArrayList<>();
  private long pendingBytes;
  private long written;
  private long records;
  private long frames;
  private final byte[] lengthBytes = new byte[BackupFormat.LENGTH_BYTES];

  /** Writes frames of about {@link #DEFAULT_FRAME_BYTES} to {@code out} (which it does not close). */
  public BackupWriter(OutputStream out) {
    this(out, DEFAULT_FRAME_BYTES);
  }

  /** Writes a frame once {@code frameBytes} of payload are gathered (at least one record each). */
  public BackupWriter(OutputStream out, int frameBytes) {
    if (frameBytes < 1) {
      throw new IllegalArgumentException("frameBytes must be positive, was " + frameBytes);
    }
    this.out = out;
    this.frameBytes = frameBytes;
  }

  /**
   * Adds one version. {@code value} may be null or empty (a tombstone or an expired version).
   *
   * @param meta Badger's meta bits; only {@link BackupFormat#PORTABLE_META} are written
   */
  public void add(byte[] key, byte[] value, byte userMeta, long version, long expiresAt, byte meta)
      throws IOException {
    KV.Builder kv = KV.newBuilder()
        .setKey(UnsafeByteOperations.unsafeWrap(key))
        .setUserMeta(ONE_BYTE[userMeta & 0xFF])
        .setVersion(version)
        .setExpiresAt(expiresAt)
        .setMeta(ONE_BYTE[meta & BackupFormat.PORTABLE_META]);
    if (value != null && value.length > 0) {
      kv.setValue(UnsafeByteOperations.unsafeWrap(value));
    }
    KV record = kv.build();
    pending.add(record);
    int size = record.getSerializedSize();
    pendingBytes += CodedOutputStream.computeUInt32SizeNoTag(size) + 1 + size;
    records++;
    if (pendingBytes >= frameBytes) {
      writeFrame();
    }
  }

  /** Writes the frame being gathered, if any, and flushes {@code out}. Call once at the end. */
  public void finish() throws IOException {
    if (!pending.isEmpty()) {
      writeFrame();
    }
    out.flush();
  }

  private void writeFrame() throws IOException {
    KVList list = KVList.newBuilder().addAllKv(pending).build();
    int length = list.getSerializedSize();
    for (int i = 0; i < BackupFormat.LENGTH_BYTES; i++) {
      lengthBytes[i] = (byte) ((long) length >>> (8 * i));
    }
    out.write(lengthBytes);
    CodedOutputStream coded = CodedOutputStream.newInstance(out, Math.min(length, 64 << 10));
    list.writeTo(coded);
    coded.flush();
    written += BackupFormat.LENGTH_BYTES + (long) length;
    frames++;
    pending.clear();
    pendingBytes = 0;
  }

  /** Bytes written to the stream so far (whole frames). */
  public long bytesWritten() {
    return written;
  }

  /** Records added so far. */
  public long records() {
    return records;
  }

  /** Frames written so far. */
  public long frames() {
    return frames;
  }
}
