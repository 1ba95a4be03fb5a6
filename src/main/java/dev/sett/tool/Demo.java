package dev.sett.tool;

import dev.sett.DB;
import dev.sett.DbIterator;
import dev.sett.Item;
import dev.sett.IteratorOptions;
import dev.sett.LevelInfo;
import dev.sett.Options;
import dev.sett.Txn;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * An end-to-end tour of Sett on a temporary directory: writes enough to flush several memtables
 * into SSTables, reads, iterates with a prefix and in reverse, deletes, closes and reopens, and
 * prints what it did. Run it with {@code mvn -q compile exec:java}.
 */
public final class Demo {
  private static final int KEYS = 50_000;

  private Demo() {
  }

  public static void main(String[] args) throws IOException {
    Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("sett-demo");
    try {
      run(dir, System.out);
    } finally {
      if (args.length == 0) {
        deleteRecursively(dir);
      }
    }
  }

  static void run(Path dir, PrintStream out) {
    Options options = Options.builder(dir).memTableSize(1 << 20).build();
    out.println("Sett demo in " + dir);

    long start = System.nanoTime();
    try (DB db = DB.open(options)) {
      for (int batch = 0; batch < KEYS; batch += 1000) {
        int first = batch;
        db.update(txn -> {
          for (int i = first; i < first + 1000; i++) {
            txn.set(key(i), ("value-" + i).getBytes(StandardCharsets.UTF_8));
          }
        });
      }
      out.printf("wrote %,d keys in %,d transactions (%.0f ms)%n", KEYS, KEYS / 1000,
          (System.nanoTime() - start) / 1e6);
      out.println("get user:00042 -> " + text(db.get(key(42))));

      db.update(txn -> txn.delete(key(7)));
      out.println("deleted user:00007; get -> " + text(db.get(key(7))));

      try (Txn txn = db.newTransaction(false);
          DbIterator it = txn.newIterator(IteratorOptions.builder().prefix(bytes("user:001")).build())) {
        int count = 0;
        StringBuilder firstKeys = new StringBuilder();
        for (it.rewind(); it.valid(); it.next()) {
          Item item = it.item();
          if (count++ < 3) {
            firstKeys.append(text(item.key())).append(' ');
          }
        }
        out.println("prefix user:001 -> " + count + " keys, first: " + firstKeys.toString().trim());
      }
      try (Txn txn = db.newTransaction(false);
          DbIterator it = txn.newIterator(IteratorOptions.builder().reverse(true).build())) {
        it.rewind();
        out.println("reverse scan starts at " + text(it.item().key()));
      }
    }
    out.println("closed (memtables flushed to L0 tables)");

    try (DB db = DB.open(options)) {
      long count = 0;
      try (Txn txn = db.newTransaction(false);
          DbIterator it = txn.newIterator(IteratorOptions.DEFAULT)) {
        for (it.rewind(); it.valid(); it.next()) {
          count++;
        }
      }
      out.printf("reopened: %,d keys present (expected %,d), max version %d%n", count, KEYS - 1,
          db.maxVersion());
      out.println("get user:00042 -> " + text(db.get(key(42))) + ", user:00007 -> "
          + text(db.get(key(7))));
      for (LevelInfo level : db.levels()) {
        if (level.numTables() > 0) {
          out.printf("L%d: %d tables, %,d bytes%n", level.level(), level.numTables(), level.size());
        }
      }
      out.println("size: " + db.size());
      db.verifyChecksum();
      out.println("verifyChecksum: every block checks out");
    }
  }

  private static byte[] key(int i) {
    return bytes(String.format("user:%05d", i));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] bytes) {
    return bytes == null ? "(absent)" : new String(bytes, StandardCharsets.UTF_8);
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(path);
      }
    }
  }
}
