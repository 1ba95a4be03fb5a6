package dev.sett;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class IteratorOptionsTest {

  @Test
  void defaultsAreBadgers() {
    IteratorOptions options = IteratorOptions.DEFAULT;
    assertTrue(options.prefetchValues());
    assertEquals(100, options.prefetchSize());
    assertFalse(options.reverse());
    assertFalse(options.allVersions());
    assertArrayEquals(new byte[0], options.prefix());
    assertEquals(0, options.sinceTs());
    assertEquals(IteratorOptions.builder().build(), options);
  }

  @Test
  void builderSetsEveryOption() {
    IteratorOptions options = IteratorOptions.builder()
        .prefetchValues(false)
        .prefetchSize(0)
        .reverse(true)
        .allVersions(true)
        .prefix(new byte[] {1, 2})
        .sinceTs(42)
        .build();
    assertFalse(options.prefetchValues());
    assertEquals(0, options.prefetchSize());
    assertTrue(options.reverse());
    assertTrue(options.allVersions());
    assertArrayEquals(new byte[] {1, 2}, options.prefix());
    assertEquals(42, options.sinceTs());
    assertEquals(options, options.toBuilder().build());
    assertEquals(options.hashCode(), options.toBuilder().build().hashCode());
  }

  @Test
  void badValuesAreRejectedNamingTheOption() {
    assertEquals("prefetchSize must be at least 0, was -1",
        assertThrows(IllegalArgumentException.class,
            () -> IteratorOptions.builder().prefetchSize(-1)).getMessage());
    assertEquals("sinceTs must be at least 0, was -5",
        assertThrows(IllegalArgumentException.class,
            () -> IteratorOptions.builder().sinceTs(-5)).getMessage());
  }

  @Test
  void prefixIsCopiedInAndOutAndNullOrEmptyMeansNone() {
    byte[] prefix = {7};
    IteratorOptions options = IteratorOptions.builder().prefix(prefix).build();
    prefix[0] = 8;
    assertArrayEquals(new byte[] {7}, options.prefix());
    options.prefix()[0] = 9;
    assertArrayEquals(new byte[] {7}, options.prefix());

    assertEquals(IteratorOptions.DEFAULT, IteratorOptions.builder().prefix(null).build());
    assertEquals(IteratorOptions.DEFAULT, IteratorOptions.builder().prefix(new byte[0]).build());
    assertEquals(IteratorOptions.DEFAULT, options.toBuilder().prefix(null).build());
  }

  @Test
  void toBuilderLeavesTheOriginal() {
    IteratorOptions reverse = IteratorOptions.DEFAULT.toBuilder().reverse(true).build();
    assertTrue(reverse.reverse());
    assertFalse(IteratorOptions.DEFAULT.reverse());
    assertNotEquals(IteratorOptions.DEFAULT, reverse);
  }

  @Test
  void toStringListsEveryOption() {
    assertEquals("IteratorOptions[prefetchValues=true, prefetchSize=100, reverse=false, "
            + "allVersions=false, prefix=ab\\x01, sinceTs=3]",
        IteratorOptions.builder().prefix(new byte[] {'a', 'b', 1}).sinceTs(3).build().toString());
  }
}
