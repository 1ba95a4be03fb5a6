package dev.sett;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The child side of {@link RelocationCrashTest}: writes every one of {@link #KEYS} keys once, in
 * random order, with values for the value log and {@code syncWrites}, printing {@code ACK round
 * i...} after each commit, then {@code FILLED} and stops writing, so that compaction moves the
 * values into key order while the parent kills it. Runs until killed.
 *
 * <p>Arguments: directory, round, seed.
 */
public final class RelocationCrashWriter {
  static final int KEYS = 3000;
  static final int KEYS_PER_TXN = 50;
  static final int VALUE_LENGTH = 1024;

  private RelocationCrashWriter() {
  }

  static Options options(Path dir) {
    return ValueOrderTest.options(dir).syncWrites(true).build();
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int round = Integer.parseInt(args[1]);
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < KEYS; i++) {
      order.add(i);
    }
    Collections.shuffle(order, new Random(Long.parseLong(args[2])));
    DB db = DB.open(options(dir));
    System.out.println("OPEN");
    System.out.flush();
    for (int start = 0; start < KEYS; start += KEYS_PER_TXN) {
      List<Integer> keys = order.subList(start, start + KEYS_PER_TXN);
      db.update(txn -> {
        for (int i : keys) {
          String key = ValueOrderTest.key(i);
          txn.set(key.getBytes(StandardCharsets.UTF_8),
              ValueLogTest.value(key, round, VALUE_LENGTH));
        }
      });
      StringBuilder ack = new StringBuilder("ACK ").append(round);
      for (int i : keys) {
        ack.append(' ').append(i);
      }
      System.out.println(ack);
      System.out.flush();
    }
    System.out.println("FILLED");
    System.out.flush();
    Thread.sleep(Long.MAX_VALUE); // the store works on in the background until the kill
  }
}
