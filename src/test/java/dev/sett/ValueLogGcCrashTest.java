package dev.sett;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 while value log GC runs: a child JVM overwrites keys with value log values while GC
 * collects files; it is killed at a random moment soon after a collection, then the store is
 * reopened and checked. Every acknowledged write must be there (syncWrites), every value must be
 * whole and be a value that was written for its key, and the checksums must pass. Several cycles
 * run on the same store, each killed mid-flight.
 */
class ValueLogGcCrashTest {
  private static final int CYCLES = 3;

  @TempDir
  Path dir;

  @Test
  void acknowledgedWritesSurviveKillsDuringValueLogGc() throws Exception {
    long seed = System.getProperty("sett.seed") != null
        ? Long.parseLong(System.getProperty("sett.seed")) : new Random().nextLong();
    System.out.println("acknowledgedWritesSurviveKillsDuringValueLogGc: seed " + seed
        + " (rerun with -Dsett.seed=" + seed + ")");
    Random random = new Random(seed);
    int[] ackedRound = new int[GcCrashWriter.KEYS];
    java.util.Arrays.fill(ackedRound, -1);
    int nextRound = 0;
    int totalCollected = 0;
    for (int cycle = 0; cycle < CYCLES; cycle++) {
      int maxRound = nextRound;
      int collected = 0;
      try (ChildJvm child = ChildJvm.start(GcCrashWriter.class, dir.toString(),
          String.valueOf(nextRound))) {
        assertEquals("OPEN", child.readLine());
        long deadline = System.nanoTime() + 60_000_000_000L;
        int wantCollections = 1 + random.nextInt(3);
        String line;
        while ((line = child.readLine()) != null) {
          if (line.startsWith("ACK ")) {
            String[] parts = line.split(" ");
            int round = Integer.parseInt(parts[1]);
            int last = Integer.parseInt(parts[2]);
            for (int i = last - GcCrashWriter.KEYS_PER_TXN + 1; i <= last; i++) {
              ackedRound[i] = Math.max(ackedRound[i], round);
            }
            maxRound = Math.max(maxRound, round);
          } else if (line.startsWith("GC ")) {
            collected++;
            if (collected >= wantCollections) {
              Thread.sleep(random.nextInt(40)); // into the next collection, or between two
              break;
            }
          }
          if (System.nanoTime() > deadline) {
            break;
          }
        }
        child.kill();
      }
      totalCollected += collected;
      try (DB db = DB.open(GcCrashWriter.options(dir).toBuilder().autoValueLogGC(false).build())) {
        for (int i = 0; i < GcCrashWriter.KEYS; i++) {
          String key = ValueLogTest.key(i);
          byte[] stored = db.get(key.getBytes(StandardCharsets.UTF_8));
          if (ackedRound[i] < 0 && stored == null) {
            continue;
          }
          assertNotNull(stored, key + " acknowledged in round " + ackedRound[i] + " is missing");
          int round = roundOf(stored, key);
          assertTrue(round >= ackedRound[i], key + " went back from round " + ackedRound[i]
              + " to " + round);
          assertArrayEquals(ValueLogTest.value(key, round, GcCrashWriter.VALUE_LENGTH), stored,
              key + " round " + round + " is damaged");
        }
        db.verifyChecksum();
      }
      nextRound = maxRound + 2;
    }
    System.out.println("value log GC crash test: " + CYCLES + " kills, " + totalCollected
        + " files collected by GC before them");
    assertTrue(totalCollected > 0, "GC never collected a file: the test proved nothing");
  }

  /** The round a value names in its tag ({@code key#round;}). */
  private static int roundOf(byte[] value, String key) {
    String head = new String(value, 0, Math.min(value.length, 40), StandardCharsets.ISO_8859_1);
    String prefix = key + "#";
    assertTrue(head.startsWith(prefix), key + " holds a value of another key: " + head);
    return Integer.parseInt(head.substring(prefix.length(), head.indexOf(';')));
  }
}
