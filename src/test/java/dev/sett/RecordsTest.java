package dev.sett;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RecordsTest {

  @Test
  void dbSizeAddsUpAndRejectsNegativeSizes() {
    DbSize size = new DbSize(100, 23);
    assertEquals(123, size.totalBytes());
    assertEquals(new DbSize(100, 23), size);
    assertThrows(IllegalArgumentException.class, () -> new DbSize(-1, 0));
    assertThrows(IllegalArgumentException.class, () -> new DbSize(0, -1));
  }

  @Test
  void levelInfoIsAPlainValue() {
    LevelInfo level = new LevelInfo(1, 3, 300, 1000, 64, true, 0.3, 0.3, 10);
    assertEquals(new LevelInfo(1, 3, 300, 1000, 64, true, 0.3, 0.3, 10), level);
    assertNotEquals(new LevelInfo(1, 3, 300, 1000, 64, false, 0.3, 0.3, 10), level);
  }

  private static TableInfo table(byte[] smallest, byte[] biggest) {
    return new TableInfo(7, 2, smallest, biggest, 10, 4096, 0, 99, 8192, 100, 50);
  }

  @Test
  void tableInfoComparesKeysByContentAndCopiesThem() {
    byte[] smallest = {'a'};
    TableInfo info = table(smallest, new byte[] {'z'});
    assertEquals(table(new byte[] {'a'}, new byte[] {'z'}), info);
    assertEquals(table(new byte[] {'a'}, new byte[] {'z'}).hashCode(), info.hashCode());
    assertNotEquals(table(new byte[] {'b'}, new byte[] {'z'}), info);

    smallest[0] = 'x';
    info.biggestKey()[0] = 'x';
    assertArrayEquals(new byte[] {'a'}, info.smallestKey());
    assertArrayEquals(new byte[] {'z'}, info.biggestKey());
    assertEquals("TableInfo[id=7, level=2, smallestKey=a, biggestKey=z, keyCount=10, "
        + "onDiskSize=4096, staleDataSize=0, maxVersion=99, uncompressedSize=8192, indexSize=100, "
        + "bloomFilterSize=50]", info.toString());
  }

  @Test
  void kvComparesByContentAndTakesNullValueAsEmpty() {
    KV kv = new KV(new byte[] {'k'}, new byte[] {'v'}, (byte) 1, 5, 0, false);
    assertEquals(new KV(new byte[] {'k'}, new byte[] {'v'}, (byte) 1, 5, 0, false), kv);
    assertEquals(
        new KV(new byte[] {'k'}, new byte[] {'v'}, (byte) 1, 5, 0, false).hashCode(),
        kv.hashCode());
    assertNotEquals(new KV(new byte[] {'k'}, new byte[] {'w'}, (byte) 1, 5, 0, false), kv);
    assertNotEquals(new KV(new byte[] {'k'}, new byte[] {'v'}, (byte) 1, 6, 0, false), kv);

    KV tombstone = new KV(new byte[] {'k'}, null, (byte) 0, 6, 0, true);
    assertEquals(0, tombstone.value().length);
    assertEquals(new KV(new byte[] {'k'}, new byte[0], (byte) 0, 6, 0, true), tombstone);
    assertThrows(NullPointerException.class,
        () -> new KV(null, new byte[0], (byte) 0, 1, 0, false));
    assertEquals("KV[key=k, value=1 bytes, userMeta=1, version=5, expiresAt=0, deleted=false]",
        kv.toString());
  }

  @Test
  void longKeysArePrintedShortened() {
    byte[] key = new byte[100];
    java.util.Arrays.fill(key, (byte) 'x');
    String text = new KV(key, null, (byte) 0, 1, 0, false).toString();
    assertTrue(text.startsWith("KV[key=" + "x".repeat(64) + "...(100 bytes), "), text);
  }
}
