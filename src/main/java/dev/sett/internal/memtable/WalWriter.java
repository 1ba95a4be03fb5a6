package dev.sett.internal.memtable;

import dev.sett.internal.codec.Crc32c;
import dev.sett.internal.codec.DataKey;
import dev.sett.internal.codec.LittleEndian;
import dev.sett.internal.codec.Varint;
import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.fs.WritableFile;
import dev.sett.internal.key.EntryHead;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValue;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Appends transactions to a memtable's write-ahead log, one {@code BATCH} record per
 * {@link #append} (format: {@code docs/format/wal.md}, summarised in {@link WalFormat}). A record
 * is built whole in a reused buffer and handed to the file in one write, so replay after a crash
 * finds either all of a transaction or a torn record that it drops.
 *
 * <p>A failed append is rolled back by truncating the file to the end of the last whole record;
 * if even that fails, the writer refuses every later append, because a record appended after a
 * torn one would be lost at replay.
 *
 * <p>Thread-safety: not thread-safe; {@link Memtable} serialises all calls.
 */
final class WalWriter implements AutoCloseable {
  /** A record buffer that grew past this is dropped after use rather than kept for the file's life. */
  private static final int RETAINED_BUFFER_LIMIT = 4 << 20;
  private static final int INITIAL_BUFFER_SIZE = 4096;

  private final Path path;
  private final WritableFile file;
  /** The key that seals each record's body; null for a plain WAL. */
  private final DataKey dataKey;
  private byte[] buffer = new byte[INITIAL_BUFFER_SIZE];
  /** End of the last whole record. */
  private long size;
  /**
   * The file's length at its last completed sync, written into each record (format versions 3
   * and 4; recovery tells a torn unsynced tail from damaged synced records by it). The store
   * forces a transaction's values to the value log before the WAL, so the WAL is never durable
   * past a record whose values are not.
   */
  private long durable;
  /** Whether records carry {@link #durable}: false when appending to a version 1 or 2 file. */
  private final boolean durableOffsets;
  /** Set when a failed append could not be rolled back. */
  private IOException failure;

  private WalWriter(Path path, WritableFile file, long size, DataKey dataKey,
      boolean durableOffsets) {
    this.path = path;
    this.file = file;
    this.dataKey = dataKey;
    this.size = size;
    this.durable = size;
    this.durableOffsets = durableOffsets;
  }

  /**
   * Creates the WAL file (it must not exist), writes its header and forces the file and its
   * directory entry to disk, so a synced record can never be lost with its file. On failure the
   * partial file is removed.
   */
  static WalWriter create(FileSystem fileSystem, Path path, long memtableId) throws IOException {
    return create(fileSystem, path, memtableId, null);
  }

  /** As {@link #create(FileSystem, Path, long)}, sealing every record under {@code dataKey}. */
  static WalWriter create(FileSystem fileSystem, Path path, long memtableId, DataKey dataKey)
      throws IOException {
    byte[] header = WalFormat.header(memtableId, dataKey == null ? 0 : dataKey.id());
    WritableFile file = fileSystem.createDurable(path, header);
    return new WalWriter(path, file, header.length, dataKey, true);
  }

  /**
   * Opens an existing WAL whose last record is whole, to append after it, in its own format
   * version. Everything in it counts as durable (recovery has just forced it).
   */
  static WalWriter openForAppend(FileSystem fileSystem, Path path) throws IOException {
    return openForAppend(fileSystem, path, null);
  }

  /** As {@link #openForAppend(FileSystem, Path)} for a WAL sealed by {@code dataKey}. */
  static WalWriter openForAppend(FileSystem fileSystem, Path path, DataKey dataKey)
      throws IOException {
    byte[] version = new byte[6];
    try (dev.sett.internal.fs.ReadableFile existing = fileSystem.openForRead(path)) {
      existing.readFully(java.nio.ByteBuffer.wrap(version), 0);
    }
    boolean durableOffsets = WalFormat.hasDurableOffsets(
        (version[4] & 0xFF) | (version[5] & 0xFF) << 8);
    WritableFile file = fileSystem.openForAppend(path);
    return new WalWriter(path, file, file.position(), dataKey, durableOffsets);
  }

  /** Appends one record holding {@code batch}; its bytes reach the OS before this returns. */
  void append(List<KeyValue> batch) throws IOException {
    if (failure != null) {
      throw new IOException("WAL " + path + " refuses appends after an earlier write failed"
          + " and could not be rolled back", failure);
    }
    long recordDurable = durableOffsets ? durable : -1;
    int plainLength = bodyLength(batch, recordDurable);
    int seal = dataKey == null ? 0 : DataKey.IV_LENGTH;
    int bodyLength = plainLength + seal;
    int recordLength = WalFormat.RECORD_HEADER_LENGTH + bodyLength;
    byte[] record = recordLength <= buffer.length ? buffer : new byte[recordLength];
    int end = encodeBody(batch, recordDurable, record, WalFormat.RECORD_HEADER_LENGTH + seal);
    assert end == recordLength;
    if (dataKey != null) {
      // The record's encode point: the body is sealed in place, its IV written before it.
      dataKey.seal(record, WalFormat.RECORD_HEADER_LENGTH + seal, plainLength, record,
          WalFormat.RECORD_HEADER_LENGTH);
    }
    // The checksum covers the length bytes and the body, which are contiguous from offset 4
    // while the length sits in the checksum's slot.
    LittleEndian.putInt(record, 4, bodyLength);
    int checksum = Crc32c.of(record, 4, 4 + bodyLength);
    LittleEndian.putInt(record, 0, bodyLength);
    LittleEndian.putInt(record, 4, checksum);
    try {
      file.write(record, 0, recordLength);
    } catch (IOException e) {
      rollBack(e);
      throw e;
    }
    size += recordLength;
    if (record.length <= RETAINED_BUFFER_LIMIT) {
      buffer = record;
    }
  }

  /** Forces every appended record to the device. */
  void sync() throws IOException {
    long synced = size;
    file.sync();
    durable = synced;
  }

  /** The file's length: the end of the last whole record. */
  long size() {
    return size;
  }

  @Override
  public void close() throws IOException {
    file.close();
  }

  private void rollBack(IOException cause) {
    try {
      file.truncate(size);
    } catch (IOException rollbackFailure) {
      cause.addSuppressed(rollbackFailure);
      failure = cause;
    }
  }

  /** {@code durable} is -1 for a record without a durable offset (versions 1 and 2). */
  private static int bodyLength(List<KeyValue> batch, long durable) {
    long length = 1 + (durable < 0 ? 0 : Varint.length(durable)) + Varint.length(batch.size());
    for (KeyValue entry : batch) {
      byte[] key = entry.key();
      if (key.length < InternalKey.SUFFIX_LENGTH) {
        throw new IllegalArgumentException("internal key of " + key.length
            + " bytes is shorter than its version suffix: " + entry);
      }
      byte[] value = entry.value().value();
      length += EntryHead.length(entry) + Varint.length(value.length) + value.length;
    }
    if (length > WalFormat.MAX_RECORD_LENGTH) {
      throw new IllegalArgumentException("a batch of " + batch.size() + " entries needs a WAL"
          + " record of " + length + " bytes; the limit is " + WalFormat.MAX_RECORD_LENGTH);
    }
    return (int) length;
  }

  private static int encodeBody(List<KeyValue> batch, long durable, byte[] record, int offset) {
    record[offset++] = WalFormat.TYPE_BATCH;
    if (durable >= 0) {
      offset = Varint.write(record, offset, durable);
    }
    offset = Varint.write(record, offset, batch.size());
    for (KeyValue entry : batch) {
      byte[] value = entry.value().value();
      offset = EntryHead.write(entry, record, offset);
      offset = Varint.write(record, offset, value.length);
      System.arraycopy(value, 0, record, offset, value.length);
      offset += value.length;
    }
    return offset;
  }
}
