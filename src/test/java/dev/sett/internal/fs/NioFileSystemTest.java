package dev.sett.internal.fs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real file system's writable files: appends, truncation, and immunity to interrupts. */
class NioFileSystemTest {
  private final FileSystem fs = FileSystem.defaultFileSystem();

  @TempDir
  Path dir;

  @Test
  void anInterruptedThreadWritesAndSyncsAndTheFileStaysOpen() throws IOException {
    Path path = dir.resolve("wal");
    try (WritableFile file = fs.createFile(path)) {
      file.write(bytes("before "));
      Thread.currentThread().interrupt();
      try {
        // A FileChannel would throw ClosedByInterruptException here and close itself.
        file.write(bytes("during "));
        file.sync();
        assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is left alone");
      } finally {
        Thread.interrupted();
      }
      file.write(bytes("after"));
      file.sync();
      assertEquals(19, file.position());
    }
    assertArrayEquals(bytes("before during after"), fs.readAllBytes(path));
  }

  @Test
  void createFailsIfTheFileExistsAndAppendFailsIfItDoesNot() throws IOException {
    Path path = dir.resolve("f");
    fs.createFile(path).close();
    assertThrows(FileAlreadyExistsException.class, () -> fs.createFile(path));
    assertThrows(NoSuchFileException.class, () -> fs.openForAppend(dir.resolve("missing")));
  }

  @Test
  void appendContinuesAtTheEndAndTruncateNeverGrows() throws IOException {
    Path path = dir.resolve("f");
    try (WritableFile file = fs.createFile(path)) {
      file.write(ByteBuffer.wrap(bytes("0123456789")));
      ByteBuffer direct = ByteBuffer.allocateDirect(3);
      direct.put(bytes("abc")).flip();
      file.write(direct);
      assertEquals(0, direct.remaining());
    }
    try (WritableFile file = fs.openForAppend(path)) {
      assertEquals(13, file.position());
      file.truncate(100); // beyond the end: nothing changes, as FileChannel.truncate
      assertEquals(13, fs.size(path));
      file.truncate(4);
      assertEquals(4, file.position());
      file.write(bytes("xy"));
    }
    assertArrayEquals(bytes("0123xy"), fs.readAllBytes(path));
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
