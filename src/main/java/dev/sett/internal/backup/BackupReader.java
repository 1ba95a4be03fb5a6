package dev.sett.internal.backup;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.sett.internal.backup.proto.KV;
import dev.sett.internal.backup.proto.KVList;
import dev.sett.internal.fs.CorruptFileException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads a backup stream (docs/format/backup.md) one frame at a time, so memory stays bounded by
 * the largest frame. Accepts what Sett and Badger write: Badger's {@code stream_id} is ignored,
 * {@code stream_done} markers are skipped.
 *
 * <p>Damage is reported as {@link CorruptFileException} naming the byte offset of the frame that
 * holds it: a stream that ends inside a length prefix or a payload, a length beyond
 * {@link BackupFormat#MAX_PAYLOAD}, a payload that is not a {@code KVList}, or a record with an
 * empty key or a {@code user_meta}/{@code meta} longer than one byte. Every frame before the
 * damaged one was returned whole. The payload is read in chunks as it arrives, so a damaged
 * length cannot make the reader allocate more than the stream holds.
 *
 * <p>Thread-safety: not thread-safe.
 */
public final class BackupReader {
  private static final int CHUNK = 1 << 20;

  /** One decoded version; the meta byte as the stream carried it. */
  public record Record(byte[] key, byte[] value, byte userMeta, long version, long expiresAt,
      byte meta) {
  }

  private final InputStream in;
  private final Path name;
  private long offset;
  private long frameOffset = -1;

  /** Reads from {@code in} (which it does not close); {@code name} appears in error messages. */
  public BackupReader(InputStream in, Path name) {
    this.in = in;
    this.name = name;
  }

  /** The byte offset where the next frame starts (the stream's length once it ended cleanly). */
  public long offset() {
    return offset;
  }

  /** The byte offset of the frame returned last by {@link #nextFrame}; -1 before the first. */
  public long frameOffset() {
    return frameOffset;
  }

  /**
   * The records of the next frame (possibly none: an empty frame or one of only stream-done
   * markers), or null at the clean end of the stream.
   */
  public List<Record> nextFrame() throws IOException {
    long start = offset;
    byte[] header = new byte[BackupFormat.LENGTH_BYTES];
    int got = readFully(header, 0, header.length);
    if (got == 0) {
      return null;
    }
    if (got < header.length) {
      throw new CorruptFileException(name, start, "backup stream ends inside a frame's length ("
          + got + " of 8 bytes)");
    }
    long length = 0;
    for (int i = BackupFormat.LENGTH_BYTES - 1; i >= 0; i--) {
      length = (length << 8) | (header[i] & 0xFF);
    }
    if (length < 0 || length > BackupFormat.MAX_PAYLOAD) {
      throw new CorruptFileException(name, start, "backup frame length "
          + Long.toUnsignedString(length) + " is beyond the limit of " + BackupFormat.MAX_PAYLOAD);
    }
    byte[] payload = readPayload((int) length, start);
    List<Record> records = decode(payload, start);
    offset = start + BackupFormat.LENGTH_BYTES + length;
    frameOffset = start;
    return records;
  }

  private byte[] readPayload(int length, long start) throws IOException {
    byte[] payload = new byte[Math.min(length, CHUNK)];
    int filled = 0;
    while (filled < length) {
      if (filled == payload.length) {
        payload = Arrays.copyOf(payload, (int) Math.min(length, (long) payload.length * 2));
      }
      int got = readFully(payload, filled, payload.length - filled);
      filled += got;
      if (filled < payload.length) {
        throw new CorruptFileException(name, start, "backup stream ends inside a frame: "
            + filled + " of " + length + " payload bytes");
      }
    }
    return payload;
  }

  private List<Record> decode(byte[] payload, long start) throws CorruptFileException {
    KVList list;
    try {
      list = KVList.parseFrom(payload);
    } catch (InvalidProtocolBufferException e) {
      throw new CorruptFileException(name, start, "backup frame of " + payload.length
          + " bytes is not a KVList: " + e.getMessage(), e);
    }
    List<Record> records = new ArrayList<>(list.getKvCount());
    for (int i = 0; i < list.getKvCount(); i++) {
      KV kv = list.getKv(i);
      if (kv.getStreamDone()) {
        continue;
      }
      if (kv.getKey().isEmpty()) {
        throw new CorruptFileException(name, start, "record " + i + " of the backup frame has an"
            + " empty key");
      }
      if (kv.getUserMeta().size() > 1 || kv.getMeta().size() > 1) {
        throw new CorruptFileException(name, start, "record " + i + " of the backup frame has a "
            + kv.getUserMeta().size() + "-byte user_meta and a " + kv.getMeta().size()
            + "-byte meta; both are one byte");
      }
      records.add(new Record(kv.getKey().toByteArray(), kv.getValue().toByteArray(),
          kv.getUserMeta().isEmpty() ? 0 : kv.getUserMeta().byteAt(0), kv.getVersion(),
          kv.getExpiresAt(), kv.getMeta().isEmpty() ? 0 : kv.getMeta().byteAt(0)));
    }
    return records;
  }

  /** Reads until {@code length} bytes or the end of the stream; returns how many it read. */
  private int readFully(byte[] buffer, int at, int length) throws IOException {
    int total = 0;
    while (total < length) {
      int n = in.read(buffer, at + total, length - total);
      if (n < 0) {
        break;
      }
      total += n;
    }
    return total;
  }
}
