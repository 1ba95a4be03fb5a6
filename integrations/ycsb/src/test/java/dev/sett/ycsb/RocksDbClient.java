package dev.sett.ycsb;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.Vector;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import site.ycsb.ByteIterator;
import site.ycsb.DBException;
import site.ycsb.Status;

/**
 * A small YCSB binding of RocksDB (none is published for YCSB 0.17 on Maven Central), the peer of
 * {@link SettClient} in {@link YcsbRunner}: the same record layout ({@link RecordCodec}), one
 * RocksDB per process, default options. {@code update} is a get and a put, not atomic, as in
 * YCSB's own RocksDB binding. Property: {@code rocksdb.dir}.
 */
public class RocksDbClient extends site.ycsb.DB {

  public static final String DIR_PROPERTY = "rocksdb.dir";

  private static final Object SHARED_LOCK = new Object();
  private static RocksDB shared;
  private static Options sharedOptions;
  private static int references;

  private RocksDB db;

  @Override
  public void init() throws DBException {
    String dir = getProperties().getProperty(DIR_PROPERTY);
    if (dir == null) {
      throw new DBException("set " + DIR_PROPERTY);
    }
    synchronized (SHARED_LOCK) {
      if (shared == null) {
        try {
          RocksDB.loadLibrary();
          Files.createDirectories(Path.of(dir));
          sharedOptions = new Options().setCreateIfMissing(true);
          shared = RocksDB.open(sharedOptions, dir);
        } catch (java.io.IOException | RocksDBException e) {
          throw new DBException("cannot open RocksDB in " + dir, e);
        }
      }
      references++;
      db = shared;
    }
  }

  @Override
  public void cleanup() {
    synchronized (SHARED_LOCK) {
      if (db == null) {
        return;
      }
      db = null;
      if (--references == 0) {
        shared.close();
        sharedOptions.close();
        shared = null;
      }
    }
  }

  @Override
  public Status read(String table, String key, Set<String> fields, Map<String, ByteIterator> result) {
    try {
      byte[] record = db.get(RecordCodec.key(table, key));
      if (record == null) {
        return Status.NOT_FOUND;
      }
      RecordCodec.decode(record, fields, result);
      return Status.OK;
    } catch (RocksDBException e) {
      return Status.ERROR;
    }
  }

  @Override
  public Status scan(String table, String startKey, int recordCount, Set<String> fields,
      Vector<HashMap<String, ByteIterator>> result) {
    byte[] prefix = RecordCodec.tablePrefix(table);
    try (RocksIterator it = db.newIterator()) {
      int found = 0;
      for (it.seek(RecordCodec.key(table, startKey)); it.isValid() && found < recordCount; it.next()) {
        byte[] key = it.key();
        if (key.length < prefix.length || !Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length)) {
          break;
        }
        HashMap<String, ByteIterator> row = new HashMap<>();
        RecordCodec.decode(it.value(), fields, row);
        result.add(row);
        found++;
      }
      return Status.OK;
    }
  }

  @Override
  public Status update(String table, String key, Map<String, ByteIterator> values) {
    try {
      byte[] storeKey = RecordCodec.key(table, key);
      byte[] current = db.get(storeKey);
      if (current == null) {
        return Status.NOT_FOUND;
      }
      db.put(storeKey, RecordCodec.merge(current, RecordCodec.materialize(values)));
      return Status.OK;
    } catch (RocksDBException e) {
      return Status.ERROR;
    }
  }

  @Override
  public Status insert(String table, String key, Map<String, ByteIterator> values) {
    try {
      db.put(RecordCodec.key(table, key), RecordCodec.encode(values));
      return Status.OK;
    } catch (RocksDBException e) {
      return Status.ERROR;
    }
  }

  @Override
  public Status delete(String table, String key) {
    try {
      db.delete(RecordCodec.key(table, key));
      return Status.OK;
    } catch (RocksDBException e) {
      return Status.ERROR;
    }
  }
}
