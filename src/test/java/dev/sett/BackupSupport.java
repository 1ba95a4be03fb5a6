package dev.sett;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Shared by the backup tests: a store's state as text, comparable line by line. */
final class BackupSupport {
  private BackupSupport() {
  }

  /**
   * The live state in the format of Badger's interop tool: one line per live key, in key order,
   * {@code hex(key) TAB version TAB hex(value) TAB userMeta TAB expiresAt}.
   */
  static List<String> liveState(DB db) {
    List<String> lines = new ArrayList<>();
    HexFormat hex = HexFormat.of();
    db.view(txn -> {
      try (DbIterator it = txn.newIterator(IteratorOptions.DEFAULT)) {
        for (it.rewind(); it.valid(); it.next()) {
          Item item = it.item();
          lines.add(hex.formatHex(item.key()) + "\t" + item.version() + "\t"
              + hex.formatHex(item.value()) + "\t" + (item.userMeta() & 0xFF) + "\t"
              + item.expiresAt());
        }
      }
    });
    return lines;
  }

  /** Every version the store holds, tombstones and expired ones included, with their flags. */
  static List<String> allVersions(DB db) {
    List<String> lines = new ArrayList<>();
    HexFormat hex = HexFormat.of();
    db.view(txn -> {
      try (DbIterator it = txn.newIterator(IteratorOptions.builder().allVersions(true).build())) {
        for (it.rewind(); it.valid(); it.next()) {
          Item item = it.item();
          lines.add(hex.formatHex(item.key()) + "@" + item.version()
              + (item.isDeletedOrExpired() ? " gone" : " =" + hex.formatHex(item.value()))
              + " um=" + (item.userMeta() & 0xFF) + " exp=" + item.expiresAt()
              + (item.discardEarlierVersions() ? " discard" : ""));
        }
      }
    });
    return lines;
  }

  static byte[] backup(DB db, long since) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    db.backup(out, since);
    return out.toByteArray();
  }
}
