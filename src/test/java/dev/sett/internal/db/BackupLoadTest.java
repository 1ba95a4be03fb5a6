package dev.sett.internal.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.backup.BackupWriter;
import dev.sett.internal.key.InternalKey;
import dev.sett.internal.key.KeyValue;
import dev.sett.internal.txn.Oracle;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link BackupLoad} against a sink that completes batches late: batches in flight, the oracle. */
class BackupLoadTest {
  private static final TxnContext.TxnLimits LIMITS =
      new TxnContext.TxnLimits(10, 1 << 20, 1 << 20, true);

  private static byte[] backup(int records) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BackupWriter writer = new BackupWriter(out, 256);
    for (int i = 0; i < records; i++) {
      writer.add(("key" + i).getBytes(StandardCharsets.UTF_8), new byte[] {(byte) i}, (byte) 0,
          1000 + i, 0, (byte) 0);
    }
    writer.finish();
    return out.toByteArray();
  }

  @Test
  void atMostMaxPendingWritesBatchesAreInFlight() throws Exception {
    ScheduledExecutorService completer = Executors.newSingleThreadScheduledExecutor();
    try {
      AtomicInteger outstanding = new AtomicInteger();
      AtomicInteger maxOutstanding = new AtomicInteger();
      List<KeyValue> received = Collections.synchronizedList(new ArrayList<>());
      BackupLoad.Sink sink = new BackupLoad.Sink() {
        @Override
        public <T> T gated(java.util.function.Supplier<T> queue) {
          return queue.get();
        }

        @Override
        public CompletableFuture<Void> submit(List<KeyValue> entries) {
          maxOutstanding.accumulateAndGet(outstanding.incrementAndGet(), Math::max);
          CompletableFuture<Void> done = new CompletableFuture<>();
          completer.schedule(() -> {
            received.addAll(entries);
            outstanding.decrementAndGet();
            done.complete(null);
          }, 1, TimeUnit.MILLISECONDS);
          return done;
        }

        @Override
        public void sync() {
          assertEquals(0, outstanding.get(), "sync comes after every batch is written");
        }
      };
      Oracle oracle = new Oracle(5, true);
      BackupLoad.Result result = new BackupLoad(sink, oracle, LIMITS, 1 << 20, 3)
          .load(new ByteArrayInputStream(backup(500)));
      assertEquals(500, result.records());
      assertEquals(1499, result.maxVersion());
      assertTrue(maxOutstanding.get() <= 3, "in flight: " + maxOutstanding.get());
      assertTrue(maxOutstanding.get() >= 2, "batches overlap: " + maxOutstanding.get());
      assertEquals(500, received.size());
      for (int i = 0; i < 500; i++) {
        assertEquals(1000 + i, InternalKey.version(received.get(i).key()));
      }
      assertEquals(1499, oracle.readTimestamp(), "readers see everything loaded");
      assertEquals(1500, oracle.commit(oracle.begin(true), new long[0], new long[0], ts -> { }),
          "the next commit is newer than everything loaded");
    } finally {
      completer.shutdownNow();
    }
  }

  @Test
  void aFailedBatchStopsTheLoad() throws Exception {
    AtomicInteger batches = new AtomicInteger();
    BackupLoad.Sink sink = new BackupLoad.Sink() {
      @Override
      public <T> T gated(java.util.function.Supplier<T> queue) {
        return queue.get();
      }

      @Override
      public CompletableFuture<Void> submit(List<KeyValue> entries) {
        return batches.incrementAndGet() == 2
            ? CompletableFuture.failedFuture(new IOException("disk full"))
            : CompletableFuture.completedFuture(null);
      }

      @Override
      public void sync() {
      }
    };
    Oracle oracle = new Oracle(0, true);
    IOException e = assertThrows(IOException.class, () ->
        new BackupLoad(sink, oracle, LIMITS, 1 << 20, 1).load(new ByteArrayInputStream(backup(100))));
    assertEquals("disk full", e.getMessage());
    assertEquals(2, batches.get(), "nothing is queued after the failure is seen");
    assertTrue(oracle.readTimestamp() < 1010, "the failed batch is never shown to readers");
  }
}
