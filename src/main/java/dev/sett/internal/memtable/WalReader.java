package dev.sett.internal.memtable;

import dev.sett.internal.codec.Crc32c;
import dev.sett.internal.codec.Varint;
import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.fs.ReadableFile;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValue;
import dev.sett.internal.key.ValueStruct;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a memtable's write-ahead log back, one whole transaction at a time (format:
 * {@code docs/format/wal.md}, summarised in {@link WalFormat}).
 *
 * <p>Replay rule: records are read in order and the first record that is incomplete (a short
 * record header, or a length running past the end of the file), has a length of 0 or above
 * 256 MiB, fails its checksum or does not parse ends the good prefix. It is treated as the torn
 * tail of a crash: nothing of it or after it is applied, and {@link #replay} cuts it off unless
 * the store is read-only. A damaged header, by contrast, is an error: without it the file's
 * identity is unknown.
 *
 * <p>A bit flip in the middle of an older record is indistinguishable here from a torn tail and
 * silently loses the transactions after it; issue 7 will tell the two apart (for example by
 * checking that a crash can only have torn the last record) and report the former as corruption.
 *
 * <p>Thread-safety: not thread-safe; one reader per instance.
 */
final class WalReader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WalReader.class);

  /** What {@link #replay} found. */
  record ReplayResult(long memtableId, long validEnd, long records, long droppedBytes,
      boolean refused) {
  }

  private final Path path;
  private final ReadableFile file;
  private final long fileSize;
  private final long memtableId;
  private byte[] buffer = new byte[4096];
  /** End of the last good record. */
  private long position = WalFormat.HEADER_LENGTH;
  /** Why reading stopped before the end of the file; null while none was found. */
  private String damage;

  private WalReader(Path path, ReadableFile file, long fileSize, long memtableId) {
    this.path = path;
    this.file = file;
    this.fileSize = fileSize;
    this.memtableId = memtableId;
  }

  /**
   * Opens a WAL and checks its header: {@code CorruptFileException} for a file that is not a WAL
   * or whose header is short or damaged, {@code UnsupportedFormatException} for an unknown
   * version.
   */
  static WalReader open(FileSystem fileSystem, Path path) throws IOException {
    ReadableFile file = fileSystem.openForRead(path);
    try {
      long size = file.size();
      int headerLength = (int) Math.min(size, WalFormat.HEADER_LENGTH);
      byte[] header = new byte[WalFormat.HEADER_LENGTH];
      file.readFully(ByteBuffer.wrap(header, 0, headerLength), 0);
      long memtableId = WalFormat.parseHeader(path, header, headerLength);
      return new WalReader(path, file, size, memtableId);
    } catch (IOException | RuntimeException e) {
      try {
        file.close();
      } catch (IOException closeFailure) {
        e.addSuppressed(closeFailure);
      }
      throw e;
    }
  }

  /**
   * Replays the WAL at {@code path}: hands every whole transaction, in order, to {@code apply},
   * then, unless {@code readOnly}, truncates the file to the end of the last good record. Any
   * dropped tail is logged as a warning naming the file, offset and byte count.
   */
  static ReplayResult replay(FileSystem fileSystem, Path path, boolean readOnly,
      Consumer<List<KeyValue>> apply) throws IOException {
    return replayAccepting(fileSystem, path, readOnly, batch -> {
      apply.accept(batch);
      return true;
    });
  }

  /**
   * As {@link #replay}, but {@code accept} may refuse a transaction (the store does so for one
   * whose values the value log lost in a crash): the refused transaction and everything after it
   * are cut off like a torn tail, and {@link ReplayResult#refused()} says so.
   */
  static ReplayResult replayAccepting(FileSystem fileSystem, Path path, boolean readOnly,
      Predicate<List<KeyValue>> accept) throws IOException {
    long records = 0;
    boolean refused = false;
    long memtableId;
    long validEnd;
    long dropped;
    String damage;
    try (WalReader reader = open(fileSystem, path)) {
      memtableId = reader.memtableId();
      long start = reader.validEnd();
      for (List<KeyValue> batch = reader.next(); batch != null; batch = reader.next()) {
        if (!accept.test(batch)) {
          refused = true;
          break;
        }
        records++;
        start = reader.validEnd();
      }
      validEnd = start;
      dropped = reader.fileSize() - validEnd;
      damage = refused ? "a transaction names value log data that was lost" : reader.damage();
    }
    if (dropped > 0) {
      if (readOnly) {
        LOG.warn("WAL {}: ignoring {} bytes from offset {} ({}); the file is left as it is"
            + " because the store is read-only", path, dropped, validEnd, damage);
      } else {
        LOG.warn("WAL {}: dropping {} bytes from offset {} ({}); truncating the file to {} bytes",
            path, dropped, validEnd, damage, validEnd);
        fileSystem.truncate(path, validEnd);
      }
    }
    return new ReplayResult(memtableId, validEnd, records, dropped, refused);
  }

  /** The memtable id from the header. */
  long memtableId() {
    return memtableId;
  }

  /** The end of the last good record read so far. */
  long validEnd() {
    return position;
  }

  long fileSize() {
    return fileSize;
  }

  /** Why reading stopped before the end of the file, or null. */
  String damage() {
    return damage;
  }

  /** The next whole transaction, or null at the end of the good prefix. */
  List<KeyValue> next() throws IOException {
    if (damage != null) {
      return null;
    }
    long remaining = fileSize - position;
    if (remaining == 0) {
      return null;
    }
    if (remaining < WalFormat.RECORD_HEADER_LENGTH) {
      return stop("record header cut short: " + remaining + " bytes left");
    }
    file.readFully(ByteBuffer.wrap(buffer, 0, WalFormat.RECORD_HEADER_LENGTH), position);
    ByteBuffer header = ByteBuffer.wrap(buffer).order(ByteOrder.LITTLE_ENDIAN);
    long length = Integer.toUnsignedLong(header.getInt(0));
    int storedChecksum = header.getInt(4);
    if (length == 0 || length > WalFormat.MAX_RECORD_LENGTH) {
      return stop("record length " + length + " is out of range");
    }
    if (length > remaining - WalFormat.RECORD_HEADER_LENGTH) {
      return stop("record of " + length + " bytes runs past the end of the file");
    }
    int bodyLength = (int) length;
    int recordLength = WalFormat.RECORD_HEADER_LENGTH + bodyLength;
    if (buffer.length < recordLength) {
      byte[] larger = new byte[Math.max(recordLength, buffer.length * 2)];
      System.arraycopy(buffer, 0, larger, 0, WalFormat.RECORD_HEADER_LENGTH);
      buffer = larger;
    }
    file.readFully(ByteBuffer.wrap(buffer, WalFormat.RECORD_HEADER_LENGTH, bodyLength),
        position + WalFormat.RECORD_HEADER_LENGTH);
    // As in the writer: the checksum covers the length bytes followed by the body.
    System.arraycopy(buffer, 0, buffer, 4, 4);
    int computedChecksum = Crc32c.of(buffer, 4, 4 + bodyLength);
    if (computedChecksum != storedChecksum) {
      return stop(String.format("record checksum mismatch: stored %08x, computed %08x",
          storedChecksum, computedChecksum));
    }
    List<KeyValue> batch;
    try {
      batch = parseBody(ByteBuffer.wrap(buffer, WalFormat.RECORD_HEADER_LENGTH, bodyLength));
    } catch (IllegalArgumentException | BufferUnderflowException e) {
      return stop("record does not parse: " + e.getMessage());
    }
    position += recordLength;
    return batch;
  }

  @Override
  public void close() throws IOException {
    file.close();
  }

  private List<KeyValue> stop(String reason) {
    damage = reason;
    return null;
  }

  /** Parses a BATCH body; throws IllegalArgumentException saying what is wrong. */
  private static List<KeyValue> parseBody(ByteBuffer body) {
    int length = body.remaining();
    byte type = body.get();
    if (type != WalFormat.TYPE_BATCH) {
      throw new IllegalArgumentException("unknown record type " + (type & 0xFF));
    }
    long count = Varint.read(body);
    if (count < 0 || count > length / WalFormat.MIN_ENTRY_LENGTH) {
      throw new IllegalArgumentException("an entry count of " + Long.toUnsignedString(count)
          + " cannot fit in a body of " + length + " bytes");
    }
    List<KeyValue> entries = new ArrayList<>((int) count);
    for (int i = 0; i < count; i++) {
      try {
        byte meta = body.get();
        byte userMeta = body.get();
        long expiresAt = Varint.read(body);
        int keyLength = readLength(body, i, "key");
        if (keyLength < InternalKey.SUFFIX_LENGTH) {
          throw new IllegalArgumentException("entry " + i + " has a key of " + keyLength
              + " bytes, shorter than its version suffix");
        }
        byte[] key = new byte[keyLength];
        body.get(key);
        byte[] value = new byte[readLength(body, i, "value")];
        body.get(value);
        entries.add(new KeyValue(key,
            new ValueStruct(meta, userMeta, expiresAt, InternalKey.version(key), value)));
      } catch (BufferUnderflowException e) {
        throw new IllegalArgumentException("entry " + i + " is cut short by the end of the body",
            e);
      }
    }
    if (body.hasRemaining()) {
      throw new IllegalArgumentException(body.remaining() + " bytes follow the last entry");
    }
    return entries;
  }

  private static int readLength(ByteBuffer body, int entry, String what) {
    long length = Varint.read(body);
    if (length < 0 || length > body.remaining()) {
      throw new IllegalArgumentException("entry " + entry + ": " + what + " length "
          + Long.toUnsignedString(length) + " runs past the end of the body");
    }
    return (int) length;
  }
}
