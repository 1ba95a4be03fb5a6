package dev.sett.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.iq80.leveldb.DB;
import org.iq80.leveldb.DBIterator;
import org.iq80.leveldb.Options;
import org.iq80.leveldb.WriteBatch;
import org.iq80.leveldb.impl.Iq80DBFactory;

/** The pure-Java LevelDB port (iq80) with {@code new Options().createIfMissing(true)}. */
final class LevelDbEngine implements Engine {
  private DB db;

  @Override
  public String name() {
    return "LevelDB-Java";
  }

  @Override
  public void open(Path dir, long logicalBytes) throws IOException {
    db = Iq80DBFactory.factory.open(dir.toFile(), new Options().createIfMissing(true));
  }

  @Override
  public void writeBatch(byte[][] keys, byte[][] values, int count) throws IOException {
    try (WriteBatch batch = db.createWriteBatch()) {
      for (int i = 0; i < count; i++) {
        batch.put(keys[i], values[i]);
      }
      db.write(batch);
    }
  }

  @Override
  public void put(byte[] key, byte[] value) {
    db.put(key, value);
  }

  @Override
  public byte[] get(byte[] key) {
    return db.get(key);
  }

  @Override
  public long scan(PairCounter counter) throws IOException {
    long bytes = 0;
    try (DBIterator it = db.iterator()) {
      for (it.seekToFirst(); it.hasNext(); ) {
        Map.Entry<byte[], byte[]> entry = it.next();
        bytes += entry.getKey().length + entry.getValue().length;
        counter.pairs++;
      }
    }
    return bytes;
  }

  @Override
  public long seekAndRead(byte[] key, int count) throws IOException {
    long bytes = 0;
    try (DBIterator it = db.iterator()) {
      it.seek(key);
      for (int read = 0; read < count && it.hasNext(); read++) {
        Map.Entry<byte[], byte[]> entry = it.next();
        bytes += entry.getKey().length + entry.getValue().length;
      }
    }
    return bytes;
  }

  @Override
  public void close() throws IOException {
    if (db != null) {
      db.close();
    }
  }
}
