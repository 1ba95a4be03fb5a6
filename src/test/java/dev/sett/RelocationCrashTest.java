package dev.sett;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill -9 while compaction moves values into key order: a child JVM fills the store in random key
 * order and stops writing, the values start moving (files appear in {@code relocated/}), and the
 * child is killed at a random moment of that; the store is reopened and every acknowledged value
 * must be there, whole, of the newest acknowledged round, with the checksums passing. Several
 * cycles on one store, each overwriting every key, so kills land before, inside and after the
 * MANIFEST change of a relocating compaction, and stores reopened after a kill are relocated
 * again.
 */
class RelocationCrashTest {
  private static final int CYCLES = 4;

  @TempDir
  Path dir;

  @Test
  void everyValueStaysReadableWhenKilledWhileValuesMove() throws Exception {
    long seed = System.getProperty("sett.seed") != null
        ? Long.parseLong(System.getProperty("sett.seed")) : new Random().nextLong();
    System.out.println("everyValueStaysReadableWhenKilledWhileValuesMove: seed " + seed
        + " (rerun with -Dsett.seed=" + seed + ")");
    Random random = new Random(seed);
    int[] acked = new int[RelocationCrashWriter.KEYS];
    Arrays.fill(acked, -1);
    int killsWhileMoving = 0;
    for (int round = 0; round < CYCLES; round++) {
      try (ChildJvm child = ChildJvm.start(RelocationCrashWriter.class, dir.toString(),
          String.valueOf(round), String.valueOf(random.nextLong()))) {
        assertEquals("OPEN", child.readLine());
        String line;
        while ((line = child.readLine()) != null && !line.equals("FILLED")) {
          if (line.startsWith("ACK ")) {
            String[] parts = line.split(" ");
            for (int i = 2; i < parts.length; i++) {
              acked[Integer.parseInt(parts[i])] = Integer.parseInt(parts[1]);
            }
          }
        }
        assertEquals("FILLED", line, "the child died before it filled the store");
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (relocatedFiles() == 0 && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
        // Into the moving: the first file has just been created; the rest take longer.
        Thread.sleep(random.nextInt(1500));
        if (relocatedFiles() > 0) {
          killsWhileMoving++;
        }
        child.kill();
      }
      try (DB db = DB.open(RelocationCrashWriter.options(dir).toBuilder()
          .numCompactors(0).build())) {
        for (int i = 0; i < RelocationCrashWriter.KEYS; i++) {
          String key = ValueOrderTest.key(i);
          byte[] value = db.get(key.getBytes(StandardCharsets.UTF_8));
          if (acked[i] < 0 && value == null) {
            continue;
          }
          assertNotNull(value, key + " acknowledged in round " + acked[i] + " is missing");
          int want = acked[i];
          byte[] expected = ValueLogTest.value(key, want, RelocationCrashWriter.VALUE_LENGTH);
          if (!Arrays.equals(expected, value)) {
            // A commit after the last acknowledged one may have reached the disk before the kill.
            expected = ValueLogTest.value(key, want + 1, RelocationCrashWriter.VALUE_LENGTH);
          }
          assertArrayEquals(expected, value, key + " of round " + want + " is wrong");
        }
        db.verifyChecksum();
      }
    }
    System.out.println("relocation crash test: " + CYCLES + " kills, " + killsWhileMoving
        + " of them with files in relocated/");
    assertTrue(killsWhileMoving > 0, "no kill came while values moved: the test proved nothing");
  }

  private long relocatedFiles() {
    Path relocated = dir.resolve("relocated");
    if (!Files.exists(relocated)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(relocated)) {
      return files.count();
    } catch (java.io.IOException e) {
      return 0;
    }
  }
}
