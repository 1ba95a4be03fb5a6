package dev.sett.bench;

import java.io.IOException;
import java.nio.file.Path;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/** RocksDB through rocksdbjni with {@code new Options().setCreateIfMissing(true)}. */
final class RocksDbEngine implements Engine {
  private Options options;
  private WriteOptions writeOptions;
  private RocksDB db;

  @Override
  public String name() {
    return "RocksDB";
  }

  @Override
  public void open(Path dir, long logicalBytes) throws IOException {
    RocksDB.loadLibrary();
    options = new Options().setCreateIfMissing(true);
    writeOptions = new WriteOptions();
    try {
      db = RocksDB.open(options, dir.toString());
    } catch (RocksDBException e) {
      throw new IOException(e);
    }
  }

  @Override
  public void writeBatch(byte[][] keys, byte[][] values, int count) throws IOException {
    try (WriteBatch batch = new WriteBatch()) {
      for (int i = 0; i < count; i++) {
        batch.put(keys[i], values[i]);
      }
      db.write(writeOptions, batch);
    } catch (RocksDBException e) {
      throw new IOException(e);
    }
  }

  /** {@code db.put} with the default WriteOptions (no sync). */
  @Override
  public void put(byte[] key, byte[] value) throws IOException {
    try {
      db.put(key, value);
    } catch (RocksDBException e) {
      throw new IOException(e);
    }
  }

  @Override
  public byte[] get(byte[] key) throws IOException {
    try {
      return db.get(key);
    } catch (RocksDBException e) {
      throw new IOException(e);
    }
  }

  @Override
  public long scan(PairCounter counter) {
    long bytes = 0;
    try (RocksIterator it = db.newIterator()) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        bytes += it.key().length + it.value().length;
        counter.pairs++;
      }
    }
    return bytes;
  }

  @Override
  public long seekAndRead(byte[] key, int count) {
    long bytes = 0;
    try (RocksIterator it = db.newIterator()) {
      int read = 0;
      for (it.seek(key); it.isValid() && read < count; it.next(), read++) {
        bytes += it.key().length + it.value().length;
      }
    }
    return bytes;
  }

  @Override
  public boolean quiet() {
    try {
      return db.getLongProperty("rocksdb.num-running-compactions") == 0
          && db.getLongProperty("rocksdb.num-running-flushes") == 0
          && db.getLongProperty("rocksdb.compaction-pending") == 0;
    } catch (RocksDBException e) {
      return true;
    }
  }

  @Override
  public void close() {
    if (db != null) {
      db.close();
    }
    if (writeOptions != null) {
      writeOptions.close();
    }
    if (options != null) {
      options.close();
    }
  }
}
