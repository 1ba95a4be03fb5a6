package dev.sett;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The child side of {@link ValueLogGcCrashTest}: overwrites {@link #KEYS} keys round after round
 * with values large enough for the value log, with {@code syncWrites}, while value log GC runs both
 * in the background and in a loop of its own. Prints {@code ACK round lastKey} after each commit
 * and {@code GC n} after each file collected. Runs until killed.
 *
 * <p>Arguments: directory, first round.
 */
public final class GcCrashWriter {
  static final int KEYS = 400;
  static final int KEYS_PER_TXN = 20;
  static final int VALUE_LENGTH = 3000;

  private GcCrashWriter() {
  }

  static Options options(Path dir) {
    return Options.builder(dir).syncWrites(true).memTableSize(1 << 20).baseTableSize(256 << 10)
        .baseLevelSize(1 << 20).valueLogFileSize(1 << 20).numLevelZeroTables(2)
        .numLevelZeroTablesStall(4).valueLogGCDiscardRatio(0.2).build();
  }

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    int firstRound = Integer.parseInt(args[1]);
    DB db = DB.open(options(dir));
    System.out.println("OPEN");
    System.out.flush();
    AtomicLong collected = new AtomicLong();
    Thread gc = new Thread(() -> {
      while (true) {
        if (db.runValueLogGC(0.2)) {
          synchronized (System.out) {
            System.out.println("GC " + collected.incrementAndGet());
            System.out.flush();
          }
        }
      }
    }, "gc-loop");
    gc.setDaemon(true);
    gc.start();
    for (int round = firstRound; ; round++) {
      for (int start = 0; start < KEYS; start += KEYS_PER_TXN) {
        int from = start;
        int r = round;
        db.update(txn -> {
          for (int i = from; i < from + KEYS_PER_TXN; i++) {
            txn.set(ValueLogTest.key(i).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                ValueLogTest.value(ValueLogTest.key(i), r, VALUE_LENGTH));
          }
        });
        synchronized (System.out) {
          System.out.println("ACK " + round + " " + (from + KEYS_PER_TXN - 1));
          System.out.flush();
        }
      }
    }
  }
}
