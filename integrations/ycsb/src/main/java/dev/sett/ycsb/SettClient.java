package dev.sett.ycsb;

import dev.sett.ConflictException;
import dev.sett.DB;
import dev.sett.DbIterator;
import dev.sett.Item;
import dev.sett.IteratorOptions;
import dev.sett.Options;
import dev.sett.SettException;
import dev.sett.Txn;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.Vector;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import site.ycsb.ByteIterator;
import site.ycsb.DBException;
import site.ycsb.Status;

/**
 * The YCSB binding of Sett. YCSB makes one {@code SettClient} per client thread; they share one
 * Sett store per process (per directory), opened by the first {@link #init()} and closed by the
 * last {@link #cleanup()}. Records are laid out as {@link RecordCodec} says.
 *
 * <p>Properties: {@code sett.dir} (required), {@code sett.syncwrites} (default false),
 * {@code sett.memtablesize} (bytes, default Sett's). {@code update} is a read-modify-write in one
 * Sett transaction, retried on a conflict, so concurrent updates of one record never lose a
 * field. A failed operation returns {@link Status#ERROR} (YCSB counts it) and is logged.
 *
 * <p>Thread-safety: one instance per YCSB thread, as YCSB uses it; the shared store is safe.
 */
public class SettClient extends site.ycsb.DB {

  public static final String DIR_PROPERTY = "sett.dir";
  public static final String SYNC_WRITES_PROPERTY = "sett.syncwrites";
  public static final String MEMTABLE_SIZE_PROPERTY = "sett.memtablesize";

  private static final Logger LOG = LoggerFactory.getLogger(SettClient.class);
  private static final int UPDATE_ATTEMPTS = 100;

  /** The shared store of this process and how many clients hold it. */
  private static final Object SHARED_LOCK = new Object();
  private static DB shared;
  private static Path sharedDir;
  private static int references;

  private DB db;

  @Override
  public void init() throws DBException {
    Properties props = getProperties();
    String dir = props.getProperty(DIR_PROPERTY);
    if (dir == null || dir.isBlank()) {
      throw new DBException("YCSB binding of Sett: set the property " + DIR_PROPERTY + " to the store's directory");
    }
    Path path = Path.of(dir).toAbsolutePath();
    synchronized (SHARED_LOCK) {
      if (shared == null) {
        try {
          Files.createDirectories(path);
          Options.Builder options = Options.builder(path)
              .syncWrites(Boolean.parseBoolean(props.getProperty(SYNC_WRITES_PROPERTY, "false")));
          String memtable = props.getProperty(MEMTABLE_SIZE_PROPERTY);
          if (memtable != null) {
            options.memTableSize(Long.parseLong(memtable));
          }
          shared = DB.open(options.build());
          sharedDir = path;
        } catch (java.io.IOException | RuntimeException e) {
          throw new DBException("cannot open Sett store in " + path + ": " + e.getMessage(), e);
        }
      } else if (!sharedDir.equals(path)) {
        throw new DBException("this process already runs YCSB on the Sett store in " + sharedDir
            + "; one store per process, asked for " + path);
      }
      references++;
      db = shared;
    }
  }

  @Override
  public void cleanup() throws DBException {
    synchronized (SHARED_LOCK) {
      if (db == null) {
        return;
      }
      db = null;
      if (--references == 0) {
        try {
          shared.close();
        } catch (SettException e) {
          throw new DBException("cannot close Sett store in " + sharedDir, e);
        } finally {
          shared = null;
          sharedDir = null;
        }
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
    } catch (SettException e) {
      return failed("read", key, e);
    }
  }

  @Override
  public Status scan(String table, String startKey, int recordCount, Set<String> fields,
      Vector<HashMap<String, ByteIterator>> result) {
    byte[] prefix = RecordCodec.tablePrefix(table);
    try (Txn txn = db.newTransaction(false);
         DbIterator it = txn.newIterator(IteratorOptions.builder().prefix(prefix)
             .prefetchSize(Math.max(1, Math.min(recordCount, 100))).build())) {
      int found = 0;
      for (it.seek(RecordCodec.key(table, startKey)); it.validForPrefix(prefix) && found < recordCount; it.next()) {
        HashMap<String, ByteIterator> row = new HashMap<>();
        RecordCodec.decode(it.item().value(), fields, row);
        result.add(row);
        found++;
      }
      return Status.OK;
    } catch (SettException e) {
      return failed("scan", startKey, e);
    }
  }

  @Override
  public Status update(String table, String key, Map<String, ByteIterator> values) {
    byte[] storeKey = RecordCodec.key(table, key);
    Map<String, byte[]> updates = RecordCodec.materialize(values);   // once: a retry reads them again
    for (int attempt = 1; ; attempt++) {
      try (Txn txn = db.newTransaction(true)) {
        Item current = txn.get(storeKey);
        if (current == null) {
          return Status.NOT_FOUND;
        }
        txn.set(storeKey, RecordCodec.merge(current.value(), updates));
        txn.commit();
        return Status.OK;
      } catch (ConflictException e) {
        if (attempt == UPDATE_ATTEMPTS) {
          return failed("update (" + attempt + " conflicts)", key, e);
        }
        backOff(attempt);
      } catch (SettException e) {
        return failed("update", key, e);
      }
    }
  }

  /**
   * Waits a random while before retrying a conflicting update, up to twice as long after each
   * conflict (at most 1 ms), so that writers of one hot record take turns instead of colliding
   * again and again.
   */
  private static void backOff(int attempt) {
    long limitNanos = Math.min(1_000_000L, 2_000L << Math.min(attempt, 20));
    LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(limitNanos));
  }

  @Override
  public Status insert(String table, String key, Map<String, ByteIterator> values) {
    try {
      db.put(RecordCodec.key(table, key), RecordCodec.encode(values));
      return Status.OK;
    } catch (SettException e) {
      return failed("insert", key, e);
    }
  }

  @Override
  public Status delete(String table, String key) {
    try {
      db.delete(RecordCodec.key(table, key));
      return Status.OK;
    } catch (SettException e) {
      return failed("delete", key, e);
    }
  }

  private static Status failed(String operation, String key, SettException e) {
    LOG.warn("YCSB {} of {} failed on Sett", operation, key, e);
    return Status.ERROR;
  }

  @Override
  public String toString() {
    return "SettClient[" + (sharedDir == null ? "closed" : sharedDir) + "]";
  }
}
