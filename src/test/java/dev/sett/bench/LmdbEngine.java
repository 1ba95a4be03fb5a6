package dev.sett.bench;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Iterator;
import org.lmdbjava.CursorIterable;
import org.lmdbjava.CursorIterable.KeyVal;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.KeyRange;
import org.lmdbjava.Txn;

/**
 * LMDB through lmdbjava with direct {@link ByteBuffer}s and default flags (so every commit is
 * synced to disk: LMDB's default durability). The one setting it cannot do without is the map
 * size (LMDB's default is 10 MiB), set to four times the logical bytes plus 1 GiB.
 */
final class LmdbEngine implements Engine {
  private final ThreadLocal<ByteBuffer> keyBuffers = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(511));
  private Env<ByteBuffer> env;
  private Dbi<ByteBuffer> dbi;
  private ByteBuffer valueBuffer = ByteBuffer.allocateDirect(0);

  @Override
  public String name() {
    return "LMDB";
  }

  @Override
  public void open(Path dir, long logicalBytes) {
    env = Env.create().setMapSize(4 * logicalBytes + (1L << 30)).setMaxDbs(1).open(dir.toFile());
    dbi = env.openDbi((String) null, DbiFlags.MDB_CREATE);
  }

  @Override
  public void writeBatch(byte[][] keys, byte[][] values, int count) {
    ByteBuffer key = keyBuffers.get();
    try (Txn<ByteBuffer> txn = env.txnWrite()) {
      for (int i = 0; i < count; i++) {
        if (valueBuffer.capacity() < values[i].length) {
          valueBuffer = ByteBuffer.allocateDirect(values[i].length);
        }
        key.clear();
        key.put(keys[i]).flip();
        valueBuffer.clear();
        valueBuffer.put(values[i]).flip();
        dbi.put(txn, key, valueBuffer);
      }
      txn.commit();
    }
  }

  /** One write transaction per put; with the default flags each commit syncs to disk. */
  @Override
  public void put(byte[] key, byte[] value) {
    writeBatch(new byte[][] {key}, new byte[][] {value}, 1);
  }

  @Override
  public byte[] get(byte[] key) {
    ByteBuffer keyBuffer = keyBuffers.get();
    keyBuffer.clear();
    keyBuffer.put(key).flip();
    try (Txn<ByteBuffer> txn = env.txnRead()) {
      ByteBuffer value = dbi.get(txn, keyBuffer);
      if (value == null) {
        return null;
      }
      byte[] copy = new byte[value.remaining()];
      value.get(copy);
      return copy;
    }
  }

  @Override
  public long scan(PairCounter counter) {
    long bytes = 0;
    try (Txn<ByteBuffer> txn = env.txnRead();
         CursorIterable<ByteBuffer> pairs = dbi.iterate(txn, KeyRange.all())) {
      for (KeyVal<ByteBuffer> pair : pairs) {
        bytes += copy(pair.key()).length + copy(pair.val()).length;
        counter.pairs++;
      }
    }
    return bytes;
  }

  @Override
  public long seekAndRead(byte[] key, int count) {
    ByteBuffer keyBuffer = keyBuffers.get();
    keyBuffer.clear();
    keyBuffer.put(key).flip();
    long bytes = 0;
    try (Txn<ByteBuffer> txn = env.txnRead();
         CursorIterable<ByteBuffer> pairs = dbi.iterate(txn, KeyRange.atLeast(keyBuffer))) {
      Iterator<KeyVal<ByteBuffer>> it = pairs.iterator();
      for (int read = 0; read < count && it.hasNext(); read++) {
        KeyVal<ByteBuffer> pair = it.next();
        bytes += copy(pair.key()).length + copy(pair.val()).length;
      }
    }
    return bytes;
  }

  private static byte[] copy(ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }

  @Override
  public void close() {
    if (env != null) {
      env.close();
    }
  }
}
