package dev.sett.internal.fs;

import static dev.sett.testing.Bytes.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.fs.FaultInjectingFileSystem.Call;
import dev.sett.internal.fs.FaultInjectingFileSystem.Op;
import dev.sett.internal.fs.FaultInjectingFileSystem.PowerLoss;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The fault-injecting file system's own contract, on the real disk and in memory. */
class FaultInjectingFileSystemTest {
  @TempDir
  Path tempDir;

  private FaultInjectingFileSystem fs(boolean onDisk) throws IOException {
    FileSystem delegate = onDisk ? FileSystem.defaultFileSystem() : new InMemoryFileSystem();
    delegate.createDirectories(tempDir);
    return new FaultInjectingFileSystem(delegate);
  }


  @ParameterizedTest(name = "onDisk={0}")
  @ValueSource(booleans = {false, true})
  void createDurableRemovesTheHalfMadeFileEvenWhenClosingItFails(boolean onDisk) throws IOException {
    FaultInjectingFileSystem fs = fs(onDisk);
    Path path = tempDir.resolve("000001.wal");
    fs.failNth(Op.SYNC, 1).after(Call.CLOSE, (file, argument) -> {
      throw new IOException("injected: the close took effect, its report failed");
    });
    IOException e = assertThrows(IOException.class, () -> fs.createDurable(path, bytes("header")));
    assertTrue(e.getMessage().contains("injected"), e.getMessage());
    assertEquals(1, e.getSuppressed().length, "the close failure rides along");
    assertFalse(fs.exists(path), "the file without a durable header is gone");
  }

  @ParameterizedTest(name = "onDisk={0}")
  @ValueSource(booleans = {false, true})
  void powerLossKeepsSyncedBytesAndDurableNamesOnly(boolean onDisk) throws IOException {
    FaultInjectingFileSystem fs = fs(onDisk);
    Path synced = tempDir.resolve("synced");
    Path unsyncedName = tempDir.resolve("not-in-directory");
    try (WritableFile file = fs.createFile(synced)) {
      file.write(bytes("durable"));
      file.sync();
      fs.syncDirectory(tempDir);
      file.write(bytes(" lost"));
    }
    try (WritableFile file = fs.createFile(unsyncedName)) {
      file.write(bytes("synced data, but the name is not"));
      file.sync();
    }
    WritableFile stale = fs.openForAppend(synced);
    fs.powerLoss(PowerLoss.DROP_UNSYNCED, new SplittableRandom(1));
    assertArrayEquals(bytes("durable"), fs.readAllBytes(synced));
    assertFalse(fs.exists(unsyncedName));
    IOException staleWrite = assertThrows(IOException.class, () -> stale.write(bytes("x")));
    assertTrue(staleWrite.getMessage().contains("power loss"), staleWrite.getMessage());
    stale.close();
  }

  @ParameterizedTest(name = "onDisk={0}")
  @ValueSource(booleans = {false, true})
  void deletionsAndRenamesNeedADirectorySync(boolean onDisk) throws IOException {
    FaultInjectingFileSystem fs = fs(onDisk);
    Path a = tempDir.resolve("a");
    Path b = tempDir.resolve("b");
    Path c = tempDir.resolve("c");
    for (Path path : new Path[] {a, b}) {
      try (WritableFile file = fs.createFile(path)) {
        file.write(bytes("content of " + path.getFileName()));
        file.sync();
      }
    }
    fs.syncDirectory(tempDir);
    fs.delete(a);
    fs.rename(b, c);
    assertFalse(fs.exists(a));
    fs.powerLoss(PowerLoss.DROP_UNSYNCED, new SplittableRandom(1));
    assertArrayEquals(bytes("content of a"), fs.readAllBytes(a));
    assertArrayEquals(bytes("content of b"), fs.readAllBytes(b));
    assertFalse(fs.exists(c));

    fs.delete(a);
    fs.rename(b, c);
    fs.syncDirectory(tempDir);
    fs.powerLoss(PowerLoss.DROP_UNSYNCED, new SplittableRandom(1));
    assertFalse(fs.exists(a));
    assertFalse(fs.exists(b));
    assertArrayEquals(bytes("content of b"), fs.readAllBytes(c));
  }

  @Test
  void keepRandomPrefixKeepsBetweenSyncedAndWritten() throws IOException {
    FaultInjectingFileSystem fs = fs(false);
    Path path = tempDir.resolve("f");
    try (WritableFile file = fs.createFile(path)) {
      file.write(new byte[100]);
      file.sync();
      fs.syncDirectory(tempDir);
      file.write(new byte[1000]);
    }
    fs.powerLoss(PowerLoss.KEEP_RANDOM_PREFIX, new SplittableRandom(7));
    long size = fs.size(path);
    assertTrue(size >= 100 && size <= 1100, "size " + size);
  }

  @Test
  void failsTheNthOperationOfAKindOnce() throws IOException {
    FaultInjectingFileSystem fs = fs(false);
    fs.failNth(Op.WRITE, 3);
    try (WritableFile file = fs.createFile(tempDir.resolve("f"))) {
      file.write(bytes("1"));
      file.write(bytes("2"));
      IOException e = assertThrows(IOException.class, () -> file.write(bytes("3")));
      assertTrue(e.getMessage().contains("injected fault: write #3"), e.getMessage());
      file.write(bytes("4"));
    }
    assertArrayEquals(bytes("124"), fs.readAllBytes(tempDir.resolve("f")));
    assertEquals(1, fs.injectedFaults());
  }

  @Test
  void failFromNthKeepsFailingUntilCleared() throws IOException {
    FaultInjectingFileSystem fs = fs(false);
    fs.onlyFor(path -> path.toString().endsWith(".sst")).failFromNth(Op.CREATE, 1);
    fs.createFile(tempDir.resolve("x.mem")).close();
    assertThrows(IOException.class, () -> fs.createFile(tempDir.resolve("1.sst")));
    assertThrows(IOException.class, () -> fs.createFile(tempDir.resolve("2.sst")));
    fs.clearFaults();
    fs.createFile(tempDir.resolve("3.sst")).close();
    assertEquals(2, fs.injectedFaults());
  }

  @Test
  void aFullDiskWritesWhatFitsThenFails() throws IOException {
    FaultInjectingFileSystem fs = fs(false);
    fs.diskSpace(5);
    Path path = tempDir.resolve("f");
    try (WritableFile file = fs.createFile(path)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes("0123456789"));
      IOException e = assertThrows(IOException.class, () -> file.write(buffer));
      assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
    }
    assertArrayEquals(bytes("01234"), fs.readAllBytes(path));
  }

  @Test
  void powerLossAtNthTakesTheMachineDownUntilRestart() throws IOException {
    FaultInjectingFileSystem fs = fs(false);
    Path path = tempDir.resolve("f");
    fs.powerLossAtNth(Op.SYNC, 2, PowerLoss.DROP_UNSYNCED, new SplittableRandom(3));
    try (WritableFile file = fs.createFile(path)) {
      file.write(bytes("a"));
      file.sync();
      fs.syncDirectory(tempDir); // the second sync: the power goes before it
    } catch (IOException e) {
      assertTrue(e.getMessage().contains("simulated power loss"), e.getMessage());
    }
    assertTrue(fs.isDown());
    assertThrows(IOException.class, () -> fs.createFile(tempDir.resolve("g")));
    fs.restart();
    assertFalse(fs.exists(path), "created, but its directory was never synced");
  }
  @Test
  void aTornWriteStoresHalfItsBytesThenFailsOnce() throws IOException {
    FaultInjectingFileSystem fs = fs(false).tearNextWrite();
    Path path = tempDir.resolve("torn");
    try (WritableFile file = fs.createFile(path)) {
      IOException e = assertThrows(IOException.class, () -> file.write(bytes("abcdef")));
      assertEquals("injected write failure", e.getMessage());
      file.write(bytes("-next"));
    }
    assertArrayEquals(bytes("abc-next"), fs.readAllBytes(path));
  }

  @Test
  void hooksSeeEachCallInOrderAndAThrowingHookFailsItsCall() throws IOException {
    FaultInjectingFileSystem fs = fs(false);
    List<String> calls = new ArrayList<>();
    for (Call call : Call.values()) {
      fs.before(call, (path, argument) -> calls.add("before " + call + " " + argument));
      fs.after(call, (path, argument) -> calls.add("after " + call));
    }
    Path path = tempDir.resolve("f");
    try (WritableFile file = fs.createFile(path)) {
      file.write(bytes("abc"));
      file.truncate(2);
      file.sync();
    }
    fs.syncDirectory(tempDir);
    assertEquals(List.of("before CREATE_FILE 0", "after CREATE_FILE", "before WRITE 3",
        "after WRITE", "before TRUNCATE 2", "after TRUNCATE", "before SYNC 0", "after SYNC",
        "before CLOSE 0", "after CLOSE", "before SYNC_DIRECTORY 0", "after SYNC_DIRECTORY"),
        calls);

    fs.before(Call.DELETE, (p, argument) -> {
      throw new IOException("injected delete failure: " + p);
    });
    calls.clear();
    IOException e = assertThrows(IOException.class, () -> fs.delete(path));
    assertEquals("injected delete failure: " + path, e.getMessage());
    assertTrue(fs.exists(path), "a hook that throws before a call stops it");
    assertEquals(List.of("before DELETE 0"), calls);
  }

  @Test
  void aThrowingAfterHookLeavesTheCallsEffect() throws IOException {
    FaultInjectingFileSystem fs = fs(false);
    fs.after(Call.WRITE, (path, argument) -> {
      throw new IOException("injected write failure: " + path);
    });
    Path path = tempDir.resolve("f");
    try (WritableFile file = fs.createFile(path)) {
      assertThrows(IOException.class, () -> file.write(bytes("kept")));
    }
    assertArrayEquals(bytes("kept"), fs.readAllBytes(path));
  }

  @Test
  void mappingListenersSeeEveryMapping() throws IOException {
    FaultInjectingFileSystem fs = fs(false);
    List<MappedFile> mappings = new ArrayList<>();
    fs.onMapped(mappings::add);
    Path path = tempDir.resolve("f");
    try (WritableFile file = fs.createFile(path)) {
      file.write(bytes("mapped"));
    }
    MappedFile mapping = fs.map(path);
    assertEquals(List.of(mapping), mappings);
    mapping.release();
  }
}
