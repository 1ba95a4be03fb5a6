package dev.sett.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.DB;
import dev.sett.DbClosedException;
import dev.sett.DbIterator;
import dev.sett.Item;
import dev.sett.IteratorOptions;
import dev.sett.Options;
import dev.sett.Txn;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Misuse never crashes the JVM (rocksdbjni's failure mode, peers §C.2): use after close of a
 * store, transaction or iterator, double close, and a store closed by another thread while
 * iterators and lookups run over its memory-mapped tables. Each gets an exception or completes;
 * a SIGSEGV from an unmapped buffer would kill the test JVM and fail the build.
 */
class MisuseTest {
  private static final int KEYS = 20_000;

  @TempDir
  Path dir;

  private static byte[] key(int i) {
    return String.format("key%06d", i).getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] value(int i) {
    return ("value " + i + " " + "x".repeat(i % 50)).getBytes(StandardCharsets.UTF_8);
  }

  /** A store whose data sits in memory-mapped tables (written, closed, reopened). */
  private DB openWithTables() {
    Options options = Options.builder(dir).memTableSize(256 << 10).build();
    try (DB db = DB.open(options)) {
      for (int start = 0; start < KEYS; start += 200) {
        int first = start;
        db.update(txn -> {
          for (int i = first; i < first + 200; i++) {
            txn.set(key(i), value(i));
          }
        });
      }
    }
    return DB.open(options);
  }

  @Test
  void useAfterCloseThrowsAndDoubleCloseIsHarmless() {
    DB db = openWithTables();
    Txn txn = db.newTransaction(true);
    DbIterator it = txn.newIterator(IteratorOptions.builder().build());
    it.rewind();
    Item item = it.item();
    it.close();
    assertDoesNotThrow(it::close, "closing an iterator twice");
    assertThrows(IllegalStateException.class, it::rewind);
    assertThrows(IllegalStateException.class, it::next);
    assertThrows(IllegalStateException.class, it::item);
    txn.discard();
    assertDoesNotThrow(txn::discard, "discarding twice");
    assertThrows(IllegalStateException.class, () -> txn.set(key(1), value(1)));
    assertThrows(IllegalStateException.class, txn::commit);
    db.close();
    assertDoesNotThrow(db::close, "closing a store twice");
    assertArrayEquals(value(0), item.value(), "an item read before close stays readable");
    assertThrows(DbClosedException.class, () -> db.get(key(1)));
    assertThrows(DbClosedException.class, () -> db.put(key(1), value(1)));
    assertThrows(DbClosedException.class, () -> db.newTransaction(false));
    assertThrows(DbClosedException.class, db::verifyChecksum);
    assertThrows(DbClosedException.class, () -> db.flatten(1));
    assertThrows(DbClosedException.class, () -> db.runValueLogGC(0.5));
  }

  @Test
  void aTransactionAndIteratorOutlivingTheirStoreThrow() {
    DB db = openWithTables();
    Txn txn = db.newTransaction(false);
    DbIterator it = txn.newIterator(IteratorOptions.builder().build());
    it.rewind();
    db.close();
    RuntimeException next = assertThrows(RuntimeException.class, () -> {
      for (int i = 0; i < KEYS + 1 && it.valid(); i++) {
        it.next();
        it.item().value();
      }
    });
    assertTrue(next instanceof DbClosedException || next instanceof IllegalStateException,
        next.toString());
    assertThrows(DbClosedException.class, () -> txn.get(key(5)));
    it.close();
    txn.discard();
  }

  @Test
  void closingTheStoreUnderRunningIteratorsAndLookupsNeverCrashes() throws Exception {
    for (int round = 0; round < 8; round++) {
      DB db = openWithTables();
      int readers = 4;
      CountDownLatch started = new CountDownLatch(readers);
      AtomicLong reads = new AtomicLong();
      AtomicReference<Throwable> unexpected = new AtomicReference<>();
      List<Thread> threads = new ArrayList<>();
      for (int r = 0; r < readers; r++) {
        boolean iterate = r % 2 == 0;
        Thread thread = new Thread(() -> {
          started.countDown();
          try {
            while (true) {
              if (iterate) {
                try (Txn txn = db.newTransaction(false);
                    DbIterator it = txn.newIterator(IteratorOptions.builder().build())) {
                  for (it.rewind(); it.valid(); it.next()) {
                    it.item().value();
                    reads.incrementAndGet();
                  }
                }
              } else {
                for (int i = 0; i < KEYS; i += 7) {
                  db.get(key(i));
                  reads.incrementAndGet();
                }
              }
            }
          } catch (DbClosedException | IllegalStateException expected) {
            // the store went away under the reader: an exception, as promised
          } catch (Throwable e) {
            unexpected.set(e);
          }
        });
        threads.add(thread);
        thread.start();
      }
      started.await();
      Thread.sleep(20 + round * 10L);
      db.close();
      for (Thread thread : threads) {
        thread.join(30_000);
        assertTrue(!thread.isAlive(), "a reader did not stop after close");
      }
      if (unexpected.get() != null) {
        throw new AssertionError("round " + round + ": unexpected failure", unexpected.get());
      }
      assertTrue(reads.get() > 0);
    }
  }
}
