package dev.sett;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The child side of {@link CrashLoopTest}: commits transaction after transaction of random sets
 * and deletes over a small key space (so compaction has overwrites and tombstones to drop), each
 * also setting {@link #SEQUENCE_KEY} to its number, and prints {@code ACK n} once commit n has
 * returned. A maintenance thread flattens the tree now and then and calls {@code
 * runValueLogGC(0.5)} every few milliseconds (a no-op until the value log is wired in; then it is
 * exercised under kill -9 with no change here). Runs until killed.
 *
 * <p>Transaction n is a pure function of (seed, n) ({@link #operations}), so the parent rebuilds
 * the expected state from the acknowledged numbers alone: the expected-state log is the ACK lines.
 *
 * <p>Arguments: directory, seed, first transaction number, syncWrites.
 */
public final class CrashLoopWriter {
  static final byte[] SEQUENCE_KEY = "!seq".getBytes(StandardCharsets.UTF_8);
  static final int KEY_SPACE = 3000;

  /** One write of a transaction: a value, or null for a delete. */
  record Operation(byte[] key, byte[] value) {
  }

  private CrashLoopWriter() {
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    long seed = Long.parseLong(args[1]);
    long first = Long.parseLong(args[2]);
    boolean syncWrites = Boolean.parseBoolean(args[3]);
    boolean encrypted = args.length > 4 && Boolean.parseBoolean(args[4]);
    DB db = DB.open(options(dir, syncWrites, encrypted));
    Thread maintenance = new Thread(() -> maintain(db, seed ^ first), "crash-loop-maintenance");
    maintenance.setDaemon(true);
    maintenance.start();
    System.out.println("OPEN");
    System.out.flush();
    for (long txn = first; ; txn++) {
      List<Operation> operations = operations(seed, txn);
      long number = txn;
      db.update(t -> {
        for (Operation operation : operations) {
          if (operation.value() == null) {
            t.delete(operation.key());
          } else {
            t.set(operation.key(), operation.value());
          }
        }
        t.set(SEQUENCE_KEY, Long.toString(number).getBytes(StandardCharsets.UTF_8));
      });
      System.out.println("ACK " + txn);
      System.out.flush();
    }
  }

  /** The master key of the encrypted runs of the crash and reliability tests. */
  public static final byte[] TEST_KEY = "Sett test master key, 32 bytes!!".getBytes(
      StandardCharsets.US_ASCII);

  static Options options(Path dir, boolean syncWrites, boolean encrypted) {
    return Options.builder(dir).syncWrites(syncWrites).memTableSize(128 << 10)
        .baseTableSize(32 << 10).baseLevelSize(128 << 10).numLevelZeroTables(2)
        .numLevelZeroTablesStall(6).numCompactors(2).valueLogFileSize(1 << 20)
        .encryptionKey(encrypted ? TEST_KEY : null).build();
  }

  private static void maintain(DB db, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    try {
      while (true) {
        Thread.sleep(5 + random.nextInt(20));
        db.runValueLogGC(0.5);
        if (random.nextInt(40) == 0) {
          db.flatten(1);
        }
      }
    } catch (InterruptedException | SettException e) {
      // killed, or the store is closing: nothing to do
    }
  }

  /** The writes of transaction {@code txn}: a pure function of the seed and the number. */
  static List<Operation> operations(long seed, long txn) {
    SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + txn);
    int count = 1 + random.nextInt(6);
    List<Operation> operations = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      byte[] key = String.format("key%05d", random.nextInt(KEY_SPACE))
          .getBytes(StandardCharsets.UTF_8);
      if (random.nextInt(5) == 0) {
        operations.add(new Operation(key, null));
      } else {
        byte[] value = new byte[8 + random.nextInt(random.nextInt(8) == 0 ? 4000 : 200)];
        byte[] head = String.format("%07d:", txn % 10_000_000).getBytes(StandardCharsets.UTF_8);
        System.arraycopy(head, 0, value, 0, head.length);
        for (int j = head.length; j < value.length; j++) {
          value[j] = (byte) random.nextInt(256);
        }
        operations.add(new Operation(key, value));
      }
    }
    return operations;
  }
}
