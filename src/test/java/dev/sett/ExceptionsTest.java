package dev.sett;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExceptionsTest {

  @Test
  void everyApiExceptionIsAnUncheckedSettException() {
    List<SettException> exceptions = List.of(
        new ConflictException("conflict"),
        new TxnTooBigException("too big"),
        new DbClosedException("closed"),
        new CorruptionException("bad block", Path.of("000001.sst"), 4096),
        new EncryptionKeyMismatchException("wrong key"),
        new ReadOnlyException("read-only"));
    for (SettException exception : exceptions) {
      assertInstanceOf(RuntimeException.class, exception);
    }
  }

  @Test
  void settExceptionKeepsItsCause() {
    IOException cause = new IOException("disk full");
    SettException exception = new SettException("write failed", cause);
    assertEquals("write failed", exception.getMessage());
    assertSame(cause, exception.getCause());
  }

  @Test
  void corruptionNamesFileAndOffset() {
    Path file = Path.of("/data/000042.sst");
    IOException cause = new IOException("checksum mismatch");
    CorruptionException exception = new CorruptionException("block checksum", file, 8192, cause);
    assertEquals(file, exception.file());
    assertEquals(8192, exception.offset());
    assertSame(cause, exception.getCause());
    assertEquals("block checksum (file /data/000042.sst, offset 8192)", exception.getMessage());
    assertNull(new CorruptionException("x", file, 0).getCause());
  }
}
