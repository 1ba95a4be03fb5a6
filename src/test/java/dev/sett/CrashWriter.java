package dev.sett;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The child side of {@link CrashTest}: commits transaction after transaction, each writing
 * {@link #KEYS_PER_TXN} keys that name the transaction, and prints {@code ACK n} once commit n has
 * returned. Runs until killed.
 *
 * <p>Arguments: directory, syncWrites (true/false), first transaction number, memTableSize.
 */
public final class CrashWriter {
  static final int KEYS_PER_TXN = 5;

  private CrashWriter() {
  }

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    boolean syncWrites = Boolean.parseBoolean(args[1]);
    long first = Long.parseLong(args[2]);
    long memTableSize = Long.parseLong(args[3]);
    DB db = DB.open(Options.builder(dir).syncWrites(syncWrites).memTableSize(memTableSize).build());
    System.out.println("OPEN");
    System.out.flush();
    for (long txn = first; ; txn++) {
      long number = txn;
      db.update(t -> {
        for (int j = 0; j < KEYS_PER_TXN; j++) {
          t.set(key(number, j), value(number, j));
        }
      });
      System.out.println("ACK " + txn);
      System.out.flush();
    }
  }

  static byte[] key(long txn, int j) {
    return String.format("t%09d-%d", txn, j).getBytes(StandardCharsets.UTF_8);
  }

  static byte[] value(long txn, int j) {
    return ("value of transaction " + txn + " key " + j + " " + "x".repeat((int) (txn % 200)))
        .getBytes(StandardCharsets.UTF_8);
  }
}
