package dev.sett.internal.vlog;

import static dev.sett.internal.vlog.ValueLogGoldenTest.GOLDEN_FILE_ID;
import static dev.sett.internal.vlog.ValueLogGoldenTest.GOLDEN_POINTERS;
import static dev.sett.internal.vlog.ValueLogGoldenTest.GOLDEN_TRANSACTION;
import static dev.sett.internal.vlog.ValueLogGoldenTest.GOLDEN_VLOG;
import static dev.sett.internal.vlog.ValueLogTestSupport.assertRecord;
import static dev.sett.internal.vlog.ValueLogTestSupport.replace;
import static dev.sett.testing.Bytes.unhex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.fs.FaultInjectingFileSystem;
import dev.sett.internal.fs.FaultInjectingFileSystem.Call;
import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.fs.InMemoryFileSystem;
import dev.sett.internal.fs.MappedFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Reference counting: a file marked for deletion goes only when its last reader is done. */
class ValueLogLifecycleTest {
  private static final Path DIRECTORY = Path.of("/db");

  private static Path writeGolden(FileSystem fileSystem) throws IOException {
    fileSystem.createDirectories(DIRECTORY);
    try (ValueLogWriter writer = ValueLogWriter.create(fileSystem, DIRECTORY, GOLDEN_FILE_ID)) {
      writer.append(GOLDEN_TRANSACTION);
      writer.seal();
      return writer.path();
    }
  }

  @Test
  void aFileMarkedDuringAReadIsDeletedWhenTheReadEnds() throws Exception {
    // Record reads (past the header) wait in the middle until resume opens.
    CountDownLatch readStarted = new CountDownLatch(1);
    CountDownLatch resume = new CountDownLatch(1);
    FaultInjectingFileSystem fileSystem = new FaultInjectingFileSystem(new InMemoryFileSystem())
        .before(Call.READ, (path, position) -> {
          if (position >= ValueLogFormat.HEADER_LENGTH) {
            readStarted.countDown();
            try {
              if (!resume.await(10, TimeUnit.SECONDS)) {
                throw new IOException("the test never resumed the read");
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IOException("interrupted", e);
            }
          }
        });
    fileSystem.createDirectories(DIRECTORY);
    ValueLogWriter writer = ValueLogWriter.create(fileSystem, DIRECTORY, GOLDEN_FILE_ID);
    writer.append(GOLDEN_TRANSACTION);
    writer.seal();
    ValueLogFile file = ValueLogFile.openActive(fileSystem, writer);
    CompletableFuture<ValueLogRecord> read = CompletableFuture.supplyAsync(() -> {
      try {
        return file.read(GOLDEN_POINTERS.get(1));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    assertTrue(readStarted.await(10, TimeUnit.SECONDS));
    assertEquals(2, file.referenceCount(), "the read holds a reference");
    file.markForDeletion();
    file.release();
    assertTrue(file.isMarkedForDeletion());
    assertTrue(fileSystem.exists(writer.path()), "the read in progress keeps the file");
    resume.countDown();
    assertRecord(GOLDEN_TRANSACTION.get(1), GOLDEN_POINTERS.get(1), read.get(10, TimeUnit.SECONDS));
    assertEquals(0, file.referenceCount());
    assertFalse(fileSystem.exists(writer.path()), "the last reader deleted the file");
    writer.close();
  }

  @Test
  void aScanKeepsAMarkedFileMappedUntilItCloses() throws IOException {
    List<MappedFile> mappings = new CopyOnWriteArrayList<>();
    FaultInjectingFileSystem fileSystem =
        new FaultInjectingFileSystem(new InMemoryFileSystem()).onMapped(mappings::add);
    Path path = writeGolden(fileSystem);
    ValueLogFile file = ValueLogFile.open(fileSystem, path, GOLDEN_FILE_ID);
    MappedFile mapping = mappings.get(0);
    ValueLogScanner scanner = file.scan(ValueLogScanner.Mode.SEALED);
    file.markForDeletion();
    file.release();
    assertEquals(1, mapping.referenceCount(), "still mapped");
    assertTrue(fileSystem.exists(path), "still on disk");
    assertRecord(GOLDEN_TRANSACTION.get(0), GOLDEN_POINTERS.get(0), scanner.next());
    assertRecord(GOLDEN_TRANSACTION.get(1), GOLDEN_POINTERS.get(1), scanner.next());
    assertNull(scanner.next());
    scanner.close();
    assertEquals(0, mapping.referenceCount(), "unmapped");
    assertFalse(fileSystem.exists(path), "deleted");
  }

  @Test
  void releasingAnUnmarkedFileUnmapsItAndKeepsIt() throws IOException {
    List<MappedFile> mappings = new CopyOnWriteArrayList<>();
    FaultInjectingFileSystem fileSystem =
        new FaultInjectingFileSystem(new InMemoryFileSystem()).onMapped(mappings::add);
    Path path = writeGolden(fileSystem);
    ValueLogFile file = ValueLogFile.open(fileSystem, path, GOLDEN_FILE_ID);
    file.retain(); // a second reader
    file.read(GOLDEN_POINTERS.get(0));
    file.release();
    assertEquals(1, mappings.get(0).referenceCount());
    file.release();
    assertEquals(0, mappings.get(0).referenceCount());
    assertTrue(fileSystem.exists(path));
    assertThrows(IllegalStateException.class, file::release, "released more than retained");
  }

  @Test
  void aFailedOpenReleasesTheMapping() throws IOException {
    List<MappedFile> mappings = new CopyOnWriteArrayList<>();
    FaultInjectingFileSystem fileSystem =
        new FaultInjectingFileSystem(new InMemoryFileSystem()).onMapped(mappings::add);
    Path path = DIRECTORY.resolve(ValueLogFile.fileName(GOLDEN_FILE_ID));
    byte[] damaged = unhex(GOLDEN_VLOG);
    damaged[2] ^= 0x10;
    replace(fileSystem, path, damaged);
    assertThrows(IOException.class, () -> ValueLogFile.open(fileSystem, path, GOLDEN_FILE_ID));
    assertEquals(0, mappings.get(0).referenceCount());
    assertTrue(fileSystem.exists(path), "a file that fails to open is never deleted");
  }
}
