package dev.sett.ycsb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.Vector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import site.ycsb.ByteIterator;
import site.ycsb.DBException;
import site.ycsb.Status;
import site.ycsb.StringByteIterator;

class SettClientTest {

  @TempDir Path dir;

  private SettClient client(Path where) throws DBException {
    Properties props = new Properties();
    props.setProperty(SettClient.DIR_PROPERTY, where.toString());
    SettClient client = new SettClient();
    client.setProperties(props);
    client.init();
    return client;
  }

  private static Map<String, ByteIterator> fields(String... pairs) {
    Map<String, String> map = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put(pairs[i], pairs[i + 1]);
    }
    return StringByteIterator.getByteIteratorMap(map);
  }

  private static Map<String, String> strings(Map<String, ByteIterator> fields) {
    return new TreeMap<>(StringByteIterator.getStringMap(fields));
  }

  @Test
  void everyOperationAndTheSharedStore() throws Exception {
    SettClient first = client(dir);
    SettClient second = null;
    try {
      second = client(dir);   // a second YCSB thread: the same store
      assertEquals(Status.OK, first.insert("usertable", "user1", fields("f0", "a", "f1", "b")));
      assertEquals(Status.OK, first.insert("usertable", "user2", fields("f0", "c", "f1", "d")));
      assertEquals(Status.OK, first.insert("usertable", "user3", fields("f0", "e", "f1", "f")));
      assertEquals(Status.OK, first.insert("other", "user9", fields("f0", "z")));

      Map<String, ByteIterator> read = new HashMap<>();
      assertEquals(Status.OK, second.read("usertable", "user1", null, read));
      assertEquals(Map.of("f0", "a", "f1", "b"), strings(read));
      read.clear();
      assertEquals(Status.OK, second.read("usertable", "user1", Set.of("f1"), read));
      assertEquals(Map.of("f1", "b"), strings(read));
      assertEquals(Status.NOT_FOUND, second.read("usertable", "nobody", null, new HashMap<>()));

      assertEquals(Status.OK, second.update("usertable", "user1", fields("f1", "B", "f2", "new")));
      read.clear();
      first.read("usertable", "user1", null, read);
      assertEquals(Map.of("f0", "a", "f1", "B", "f2", "new"), strings(read), "update keeps the other fields");
      assertEquals(Status.NOT_FOUND, first.update("usertable", "nobody", fields("f0", "x")));

      Vector<HashMap<String, ByteIterator>> rows = new Vector<>();
      assertEquals(Status.OK, first.scan("usertable", "user2", 10, Set.of("f0"), rows));
      List<String> seen = new ArrayList<>();
      rows.forEach(row -> seen.add(strings(row).get("f0")));
      assertEquals(List.of("c", "e"), seen, "a scan stays inside its table");
      rows.clear();
      first.scan("usertable", "user1", 2, null, rows);
      assertEquals(2, rows.size());

      assertEquals(Status.OK, first.delete("usertable", "user2"));
      assertEquals(Status.NOT_FOUND, second.read("usertable", "user2", null, new HashMap<>()));
    } finally {
      first.cleanup();
      if (second != null) {
        second.cleanup();
      }
    }
    // The last cleanup closed the store: it reopens, with the data.
    SettClient again = client(dir);
    try {
      Map<String, ByteIterator> read = new HashMap<>();
      assertEquals(Status.OK, again.read("usertable", "user3", null, read));
      assertEquals("e", strings(read).get("f0"));
    } finally {
      again.cleanup();
    }
  }

  @Test
  void concurrentUpdatesOfOneRecordLoseNoField() throws Exception {
    // Four threads update their own field of one record: conflicts are retried, and a retry must
    // write the same bytes again (YCSB's value iterators can be read only once).
    SettClient setup = client(dir);
    List<SettClient> clients = new ArrayList<>();
    try {
      setup.insert("t", "k", fields("seed", "0"));
      int threads = 4;
      int perThread = 200;
      for (int t = 0; t < threads; t++) {
        clients.add(client(dir));
      }
      List<Status> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
      List<Thread> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        SettClient c = clients.get(t);
        String field = "thread" + t;
        Thread worker = new Thread(() -> {
          for (int i = 0; i < perThread; i++) {
            Status s = c.update("t", "k", fields(field, Integer.toString(i)));
            if (!s.isOk()) {
              failures.add(s);
            }
          }
        });
        workers.add(worker);
        worker.start();
      }
      for (Thread worker : workers) {
        worker.join();
      }
      Map<String, ByteIterator> read = new HashMap<>();
      setup.read("t", "k", null, read);
      Map<String, String> record = strings(read);
      assertTrue(failures.isEmpty(), "failed updates: " + failures);
      for (int t = 0; t < threads; t++) {
        assertEquals(Integer.toString(perThread - 1), record.get("thread" + t), record.toString());
      }
      assertEquals("0", record.get("seed"));
    } finally {
      for (SettClient c : clients) {
        c.cleanup();
      }
      setup.cleanup();
    }
  }

  @Test
  void aRetriedUpdateWritesTheSameBytes() throws Exception {
    SettClient client = client(dir);
    try {
      client.insert("t", "k", fields("a", "1"));
      Map<String, ByteIterator> update = fields("a", "2");
      Map<String, byte[]> once = RecordCodec.materialize(update);
      assertEquals(0, update.get("a").bytesLeft(), "the iterator is spent");
      byte[] merged = RecordCodec.merge(RecordCodec.encodeBytes(Map.of("a", "1".getBytes())), once);
      assertEquals(java.util.Arrays.toString(RecordCodec.encodeBytes(Map.of("a", "2".getBytes()))),
          java.util.Arrays.toString(merged));
    } finally {
      client.cleanup();
    }
  }

  @Test
  void missingDirectoryOrASecondStoreFailsClearly() throws Exception {
    SettClient noDir = new SettClient();
    noDir.setProperties(new Properties());
    DBException missing = assertThrows(DBException.class, noDir::init);
    assertTrue(missing.getMessage().contains(SettClient.DIR_PROPERTY), missing.getMessage());

    SettClient open = client(dir.resolve("a"));
    try {
      DBException second = assertThrows(DBException.class, () -> client(dir.resolve("b")));
      assertTrue(second.getMessage().contains("one store per process"), second.getMessage());
    } finally {
      open.cleanup();
    }
  }
}
