package dev.sett;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BinaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The merge operator of Badger §1.11, and Sett's race-free write-back of the fold. */
class MergeOperatorTest {
  @TempDir
  Path dir;

  private static final byte[] KEY = "counter".getBytes(StandardCharsets.UTF_8);
  private static final BinaryOperator<byte[]> ADD = (older, accumulated) ->
      ByteBuffer.allocate(8).putLong(ByteBuffer.wrap(older).getLong() + ByteBuffer.wrap(accumulated).getLong()).array();

  private static byte[] number(long n) {
    return ByteBuffer.allocate(8).putLong(n).array();
  }

  private static long versions(DB db) {
    long count = 0;
    try (Txn txn = db.newTransaction(false); DbIterator it = txn.newKeyIterator(KEY, IteratorOptions.DEFAULT)) {
      for (it.rewind(); it.valid(); it.next()) {
        count++;
      }
    }
    return count;
  }

  @Test
  void getFoldsTheOperandsAndTheBackgroundFoldLetsCompactionDropThem() throws Exception {
    try (DB db = DB.open(Options.builder(dir).build())) {
      try (MergeOperator merge = db.getMergeOperator(KEY, ADD, Duration.ofHours(1))) {
        assertNull(merge.get());
        for (int i = 1; i <= 3; i++) {
          merge.add(number(i));
        }
        assertEquals(6, ByteBuffer.wrap(merge.get()).getLong());
      } // close folds once more
      assertEquals(6, ByteBuffer.wrap(db.get(KEY)).getLong());
      assertEquals(4, versions(db), "three operands and the fold, until compaction");
      db.flatten(1);
      assertEquals(1, versions(db), "the fold discards the operands below it");
      try (MergeOperator merge = db.getMergeOperator(KEY, ADD, Duration.ofHours(1))) {
        merge.add(number(10));
        assertEquals(16, ByteBuffer.wrap(merge.get()).getLong());
      }
    }
  }

  @Test
  void addsRacingTheBackgroundFoldAreNeverLost() throws Exception {
    try (DB db = DB.open(Options.builder(dir).memTableSize(256 << 10).build())) {
      try (MergeOperator merge = db.getMergeOperator(KEY, ADD, Duration.ofMillis(1))) {
        Thread[] adders = new Thread[4];
        for (int t = 0; t < adders.length; t++) {
          adders[t] = new Thread(() -> {
            for (int i = 0; i < 500; i++) {
              merge.add(number(1));
            }
          });
          adders[t].start();
        }
        for (Thread adder : adders) {
          adder.join();
        }
        assertEquals(2000, ByteBuffer.wrap(merge.get()).getLong());
      }
      assertEquals(2000, ByteBuffer.wrap(db.get(KEY)).getLong());
      db.flatten(1);
      assertEquals(1, versions(db), "the last fold discards every operand below it");
    }
  }

  @Test
  void managedStoresHaveNoMergeOperator() {
    try (DB db = DB.openManaged(Options.builder(dir).build())) {
      assertThrows(IllegalStateException.class, () -> db.getMergeOperator(KEY, ADD, Duration.ofSeconds(1)));
    }
  }
}
