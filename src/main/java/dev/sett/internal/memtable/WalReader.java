package dev.sett.internal.memtable;

import dev.sett.internal.codec.Crc32c;
import dev.sett.internal.codec.DataKey;
import dev.sett.internal.codec.DataKeys;
import dev.sett.internal.codec.Varint;
import dev.sett.internal.fs.CorruptFileException;
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
 * <p>Torn tail or corruption: a power loss can keep the unsynced pages of a file out of order, so
 * a torn tail may hold good records after damaged ones. What cannot survive a crash is a damaged
 * record in the part of the file that was synced. Each record of a version 3 or 4 WAL carries
 * the file's durable offset (its length at the last completed sync) when it was written. When a
 * bad record at offset D is found, the rest of the file is searched for good records (length
 * fits, checksum matches, body parses): if one of them was written when the file was durable past
 * D, the damaged record had been synced, and {@link #next} throws {@link CorruptFileException}
 * naming D; otherwise everything from D on is the torn tail. In a version 1 or 2 WAL (no durable
 * offsets) any good record after D makes it corruption, as before. The search checks at most
 * {@link #RESYNC_BUDGET} bytes of candidate records, so arbitrary bytes cannot make it slow.
 *
 * <p>Thread-safety: not thread-safe; one reader per instance.
 */
final class WalReader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WalReader.class);

  /** How many bytes of candidate records the search for a good record after damage may check. */
  static final long RESYNC_BUDGET = 256L << 20;

  /** What {@link #replay} found. */
  record ReplayResult(long memtableId, long validEnd, long records, long droppedBytes,
      boolean refused, DataKey dataKey) {
  }

  /** The default: the WAL is named, since nothing else is known. */
  static final Memtable.SyncedRefusal REFUSE_SYNCED = (wal, offset, evidence) ->
      new CorruptFileException(wal, offset, "a synced transaction was refused at replay (" + evidence + ")");

  /** What a search of the file from an offset on found: its good records. */
  private record GoodRecords(long count, long first, long maxDurable, long maxDurableAt) {
  }

  private final Path path;
  private final ReadableFile file;
  private final long fileSize;
  private final long memtableId;
  /** The key that sealed the records; null for a plain WAL. */
  private final DataKey dataKey;
  /** Whether records carry the file's durable offset (format versions 3 and 4). */
  private final boolean durableOffsets;
  private byte[] buffer = new byte[4096];
  /** End of the last good record. */
  private long position;
  /** Why reading stopped before the end of the file; null while none was found. */
  private String damage;

  private WalReader(Path path, ReadableFile file, long fileSize, WalFormat.Header header,
      DataKey dataKey) {
    this.path = path;
    this.file = file;
    this.fileSize = fileSize;
    this.memtableId = header.memtableId();
    this.position = header.length();
    this.dataKey = dataKey;
    this.durableOffsets = header.durableOffsets();
  }

  /**
   * Opens a WAL and checks its header: {@code CorruptFileException} for a file that is not a WAL
   * or whose header is short or damaged, {@code UnsupportedFormatException} for an unknown
   * version.
   */
  static WalReader open(FileSystem fileSystem, Path path) throws IOException {
    return open(fileSystem, path, DataKeys.NONE);
  }

  /** As {@link #open(FileSystem, Path)}; an encrypted WAL finds its data key in {@code keys}. */
  static WalReader open(FileSystem fileSystem, Path path, DataKeys keys) throws IOException {
    ReadableFile file = fileSystem.openForRead(path);
    try {
      long size = file.size();
      int headerLength = (int) Math.min(size, WalFormat.ENCRYPTED_HEADER_LENGTH);
      byte[] header = new byte[WalFormat.ENCRYPTED_HEADER_LENGTH];
      file.readFully(ByteBuffer.wrap(header, 0, headerLength), 0);
      WalFormat.Header parsed = WalFormat.parse(path, header, headerLength);
      DataKey dataKey = parsed.dataKeyId() == 0 ? null : keys.key(parsed.dataKeyId());
      return new WalReader(path, file, size, parsed, dataKey);
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
    return replayAccepting(fileSystem, path, readOnly, true, accept);
  }

  /**
   * As {@link #replayAccepting(FileSystem, Path, boolean, Predicate)}; with {@code newest} false
   * the WAL is known to have been synced and closed before a newer one was started (a rotation),
   * so a crash cannot have torn its end: damage there is corruption, not a torn tail.
   */
  static ReplayResult replayAccepting(FileSystem fileSystem, Path path, boolean readOnly,
      boolean newest, Predicate<List<KeyValue>> accept) throws IOException {
    return replayAccepting(fileSystem, path, readOnly, newest, DataKeys.NONE, accept);
  }

  /** As above, for a WAL that may be encrypted under one of {@code keys}. */
  static ReplayResult replayAccepting(FileSystem fileSystem, Path path, boolean readOnly,
      boolean newest, DataKeys keys, Predicate<List<KeyValue>> accept) throws IOException {
    return replayAccepting(fileSystem, path, readOnly, newest, keys, accept, REFUSE_SYNCED);
  }

  /**
   * As above. A refused transaction is cut off only if it may have been unsynced at the crash: in
   * the newest WAL, when no good record after it was written once the file was durable past its
   * start. A refused transaction in an older WAL (synced whole before the newer one began), or one
   * proven synced, throws what {@code syncedRefusal} makes, and nothing is cut.
   */
  static ReplayResult replayAccepting(FileSystem fileSystem, Path path, boolean readOnly,
      boolean newest, DataKeys keys, Predicate<List<KeyValue>> accept,
      Memtable.SyncedRefusal syncedRefusal) throws IOException {
    long records = 0;
    DataKey dataKey;
    boolean refused = false;
    long memtableId;
    long validEnd;
    long dropped;
    String damage;
    try (WalReader reader = open(fileSystem, path, keys)) {
      memtableId = reader.memtableId();
      dataKey = reader.dataKey;
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
      if (refused) {
        String evidence = null;
        if (!newest) {
          evidence = "a newer WAL follows this one, so it was synced whole";
        } else if (reader.durableOffsets) {
          GoodRecords later = reader.goodRecordsFrom(reader.validEnd());
          if (later.maxDurable() > validEnd) {
            evidence = "the record at offset " + later.maxDurableAt() + " was written when the"
                + " WAL was durable to " + later.maxDurable();
          }
        }
        if (evidence != null) {
          throw syncedRefusal.corruption(path, validEnd, evidence);
        }
      }
    }
    if (dropped > 0 && !newest && !refused) {
      throw new CorruptFileException(path, validEnd, "damaged record (" + damage + ") at the end"
          + " of a WAL that a newer one follows: it was synced whole before the newer one began,"
          + " so this is corruption, not the torn tail of a crash");
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
    return new ReplayResult(memtableId, validEnd, records, dropped, refused, dataKey);
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
      ByteBuffer body = openBody(buffer, WalFormat.RECORD_HEADER_LENGTH, bodyLength);
      readType(body);
      if (durableOffsets) {
        readDurable(body, position);
      }
      batch = parseEntries(body);
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

  /**
   * Ends the good prefix at the current position, unless the damage there lies in the synced part
   * of the file: then it is reported as corruption (see the class comment).
   */
  private List<KeyValue> stop(String reason) throws IOException {
    GoodRecords later = goodRecordsFrom(position + 1);
    if (!durableOffsets && later.count() > 0) {
      throw new CorruptFileException(path, position, "damaged WAL record (" + reason
          + ") followed by a good record at offset " + later.first()
          + ": mid-file corruption, not the torn tail of a crash");
    }
    if (later.maxDurable() > position) {
      throw new CorruptFileException(path, position, "damaged WAL record (" + reason
          + "): the record at offset " + later.maxDurableAt() + " was written when the file was"
          + " durable to " + later.maxDurable() + ", so the damaged record had been synced");
    }
    damage = later.count() == 0 ? reason : reason + "; " + later.count() + " good records"
        + " after it, from offset " + later.first() + ", were written when the file was durable"
        + " to at most " + Math.max(later.maxDurable(), 0) + ": an unsynced tail that the crash"
        + " kept out of order";
    return null;
  }

  /**
   * The good records from {@code from} on: those that follow one another, and after a damaged
   * stretch the next one found byte by byte. A record's durable offset counts only in a version 3
   * or 4 WAL (else -1).
   */
  private GoodRecords goodRecordsFrom(long from) throws IOException {
    long[] budget = {RESYNC_BUDGET};
    long count = 0;
    long first = -1;
    long maxDurable = -1;
    long maxDurableAt = -1;
    long at = from;
    while (at + WalFormat.RECORD_HEADER_LENGTH < fileSize) {
      long[] found = goodRecordAt(at, budget);
      if (found == null) {
        at = findGoodRecordAfter(at, budget);
        if (at < 0) {
          break;
        }
        continue;
      }
      count++;
      if (first < 0) {
        first = at;
      }
      if (found[1] > maxDurable) {
        maxDurable = found[1];
        maxDurableAt = at;
      }
      at += WalFormat.RECORD_HEADER_LENGTH + found[0];
    }
    return new GoodRecords(count, first, maxDurable, maxDurableAt);
  }

  /**
   * The offset of the first good record that starts after {@code damaged}, or -1; spends {@code
   * budget[0]} on the lengths of candidate records checked.
   */
  private long findGoodRecordAfter(long damaged, long[] budget) throws IOException {
    byte[] window = new byte[64 << 10];
    ByteBuffer view = ByteBuffer.wrap(window).order(ByteOrder.LITTLE_ENDIAN);
    long windowStart = -1;
    int windowLength = 0;
    int headerAndType = WalFormat.RECORD_HEADER_LENGTH + 1;
    // An encrypted body's type byte is ciphertext: only the checksum can tell a good record.
    boolean checkType = dataKey == null;
    for (long at = damaged + 1; at + headerAndType <= fileSize; at++) {
      if (windowStart < 0 || at + headerAndType > windowStart + windowLength) {
        windowStart = at;
        windowLength = (int) Math.min(window.length, fileSize - at);
        file.readFully(ByteBuffer.wrap(window, 0, windowLength), at);
      }
      int offset = (int) (at - windowStart);
      long length = Integer.toUnsignedLong(view.getInt(offset));
      if (length == 0 || length > WalFormat.MAX_RECORD_LENGTH
          || length > fileSize - at - WalFormat.RECORD_HEADER_LENGTH
          || checkType && window[offset + WalFormat.RECORD_HEADER_LENGTH] != WalFormat.TYPE_BATCH) {
        continue;
      }
      if (budget[0] <= 0) {
        LOG.warn("WAL {}: gave up looking for good records after offset {}", path, damaged);
        return -1;
      }
      if (goodRecordAt(at, budget) != null) {
        return at;
      }
    }
    return -1;
  }

  /**
   * Whether a good record starts at {@code at}: its body length and durable offset (-1 in a
   * version 1 or 2 WAL), or null. Spends {@code budget[0]} on its length; null once it is spent.
   */
  private long[] goodRecordAt(long at, long[] budget) throws IOException {
    if (fileSize - at < WalFormat.RECORD_HEADER_LENGTH) {
      return null;
    }
    byte[] header = new byte[WalFormat.RECORD_HEADER_LENGTH];
    file.readFully(ByteBuffer.wrap(header), at);
    ByteBuffer view = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
    long length = Integer.toUnsignedLong(view.getInt(0));
    if (length == 0 || length > WalFormat.MAX_RECORD_LENGTH
        || length > fileSize - at - WalFormat.RECORD_HEADER_LENGTH || budget[0] < length) {
      return null;
    }
    budget[0] -= length;
    int bodyLength = (int) length;
    byte[] record = new byte[4 + bodyLength];
    ByteBuffer.wrap(record, 0, 4).order(ByteOrder.LITTLE_ENDIAN).putInt(bodyLength);
    file.readFully(ByteBuffer.wrap(record, 4, bodyLength), at + WalFormat.RECORD_HEADER_LENGTH);
    if (Crc32c.of(record, 0, record.length) != view.getInt(4)) {
      return null;
    }
    try {
      ByteBuffer body = openBody(record, 4, bodyLength);
      readType(body);
      long durable = durableOffsets ? readDurable(body, at) : -1;
      parseEntries(body);
      return new long[] {length, durable};
    } catch (IllegalArgumentException | BufferUnderflowException e) {
      return null;
    }
  }

  /**
   * The record body stored at {@code bytes[offset]}: as it is in a plain WAL; in an encrypted one
   * decrypted in place after its IV. Throws IllegalArgumentException for a body shorter than an IV.
   */
  private ByteBuffer openBody(byte[] bytes, int offset, int length) {
    if (dataKey == null) {
      return ByteBuffer.wrap(bytes, offset, length);
    }
    if (length <= DataKey.IV_LENGTH) {
      throw new IllegalArgumentException("an encrypted body of " + length
          + " bytes holds nothing after its IV");
    }
    dataKey.open(bytes, offset, length, bytes, offset + DataKey.IV_LENGTH);
    return ByteBuffer.wrap(bytes, offset + DataKey.IV_LENGTH, length - DataKey.IV_LENGTH);
  }

  private static void readType(ByteBuffer body) {
    byte type = body.get();
    if (type != WalFormat.TYPE_BATCH) {
      throw new IllegalArgumentException("unknown record type " + (type & 0xFF));
    }
  }

  /**
   * Reads the durable offset of the record at {@code recordStart}: it cannot reach past the
   * record's own start, since a record is written before the sync that covers it.
   */
  private static long readDurable(ByteBuffer body, long recordStart) {
    long durable = Varint.read(body);
    if (durable < 0 || durable > recordStart) {
      throw new IllegalArgumentException("durable offset " + Long.toUnsignedString(durable)
          + " lies past the record's own start, " + recordStart);
    }
    return durable;
  }

  /** Parses the entries of a BATCH body after its type (and durable offset); throws
   * IllegalArgumentException saying what is wrong. */
  private static List<KeyValue> parseEntries(ByteBuffer body) {
    int length = body.remaining();
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
