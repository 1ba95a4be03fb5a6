package dev.sett.bench;

import dev.sett.DB;
import dev.sett.DbIterator;
import dev.sett.Item;
import dev.sett.IteratorOptions;
import dev.sett.LevelInfo;
import dev.sett.Options;
import dev.sett.Txn;
import dev.sett.TxnTooBigException;
import dev.sett.WriteBatch;
import dev.sett.internal.db.DbImpl;
import java.nio.file.Path;

/**
 * Sett with {@code Options.builder(dir).build()}: its default options, whatever they are in the
 * build being measured (so the value log counts as soon as the defaults route values to it).
 * Engine {@code sett} fills through {@code db.newWriteBatch()}, the bulk API Badger users reach
 * for; {@code sett-txn} makes each batch of 1,000 one {@code db.update} transaction, unless that
 * passes Sett's transaction limit: then it falls back to a {@link WriteBatch}, which splits
 * batches (and the log says so). Single-key writes are {@code db.put}.
 */
final class SettEngine implements Engine {
  /** The master key of engine {@code sett-encrypted} (AES-256): fixed, as only speed matters. */
  private static final byte[] BENCH_KEY = new byte[32];

  private final boolean transactions;
  private final boolean encrypted;
  private DB db;
  private boolean splitBatches;

  /**
   * Sett with its defaults, filling through one transaction per batch when {@code transactions}
   * (else a WriteBatch), encrypted at rest with AES-256 when {@code encrypted}.
   */
  SettEngine(boolean transactions, boolean encrypted) {
    this.transactions = transactions;
    this.encrypted = encrypted;
  }

  @Override
  public String name() {
    return (transactions ? "Sett txn" : "Sett") + (encrypted ? " AES-256" : "");
  }

  @Override
  public void open(Path dir, long logicalBytes) {
    db = DB.open(Options.builder(dir).encryptionKey(encrypted ? BENCH_KEY : null).build());
  }

  @Override
  public void writeBatch(byte[][] keys, byte[][] values, int count) {
    if (transactions && !splitBatches) {
      try {
        db.update(txn -> {
          for (int i = 0; i < count; i++) {
            txn.set(keys[i], values[i]);
          }
        });
        return;
      } catch (TxnTooBigException e) {
        // 1,000 large values (16 KiB: 16 MB) pass the transaction limit (15% of memTableSize, as
        // Badger's): from now on write through a WriteBatch, which splits itself into transactions.
        splitBatches = true;
      }
    }
    try (WriteBatch batch = db.newWriteBatch()) {
      for (int i = 0; i < count; i++) {
        batch.set(keys[i], values[i]);
      }
      batch.flush();
    }
  }

  @Override
  public void put(byte[] key, byte[] value) {
    db.put(key, value);
  }

  /** Whether a {@code sett-txn} fill went through a WriteBatch because one transaction could not hold a batch. */
  boolean splitsBatches() {
    return splitBatches;
  }

  @Override
  public byte[] get(byte[] key) {
    return db.get(key);
  }

  @Override
  public long scan(PairCounter counter) {
    long bytes = 0;
    try (Txn txn = db.newTransaction(false);
         DbIterator it = txn.newIterator(IteratorOptions.DEFAULT)) {
      for (it.rewind(); it.valid(); it.next()) {
        Item item = it.item();
        bytes += item.key().length + item.value().length;
        counter.pairs++;
      }
    }
    return bytes;
  }

  @Override
  public long seekAndRead(byte[] key, int count) {
    long bytes = 0;
    try (Txn txn = db.newTransaction(false);
         DbIterator it = txn.newIterator(IteratorOptions.builder().prefetchSize(count).build())) {
      int read = 0;
      for (it.seek(key); it.valid() && read < count; it.next(), read++) {
        Item item = it.item();
        bytes += item.key().length + item.value().length;
      }
    }
    return bytes;
  }

  /**
   * No level over its target, no value log GC run and no spell of moving values into key order
   * (GC reads a whole file before it writes anything, longer than the driver's quiet window).
   */
  @Override
  public boolean quiet() {
    if (((DbImpl) db).valueLogBusy()) {
      return false;
    }
    for (LevelInfo level : db.levels()) {
      if (level.score() >= 1.0 && level.level() < db.levels().size() - 1) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() {
    if (db != null) {
      db.close();
    }
  }
}
