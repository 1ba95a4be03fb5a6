package dev.sett.tool;

import dev.sett.DB;
import dev.sett.DbIterator;
import dev.sett.Item;
import dev.sett.IteratorOptions;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * The key list of {@code sett info --show-keys [--with-prefix P] [--history]}: one line per key
 * (per version with {@code --history}, deleted and expired ones included and marked), keys in
 * printable form (bytes outside printable ASCII as {@code \xNN}).
 */
final class KeyListing {
  private KeyListing() {
  }

  /** Prints the keys; returns how many lines it printed. */
  static long print(DB db, byte[] prefix, boolean history, PrintWriter out) {
    long[] lines = new long[1];
    IteratorOptions options = IteratorOptions.builder().prefix(prefix).allVersions(history)
        .prefetchValues(false).build();
    out.println();
    out.println(history ? "Keys, every version" : "Keys");
    db.view(txn -> {
      try (DbIterator it = txn.newIterator(options)) {
        for (it.rewind(); it.valid(); it.next()) {
          Item item = it.item();
          StringBuilder line = new StringBuilder("  ").append(printable(item.key()));
          line.append(String.format(Locale.ROOT, "  version=%d  size=%d", item.version(),
              item.valueSize()));
          if (item.userMeta() != 0) {
            line.append("  userMeta=").append(item.userMeta() & 0xFF);
          }
          if (item.expiresAt() != 0) {
            line.append("  expiresAt=").append(item.expiresAt());
          }
          if (item.isDeletedOrExpired()) {
            line.append("  deleted-or-expired");
          }
          if (item.discardEarlierVersions()) {
            line.append("  discard-earlier-versions");
          }
          out.println(line);
          lines[0]++;
        }
      }
    });
    out.printf(Locale.ROOT, "  %,d %s%n", lines[0], history ? "versions" : "keys");
    return lines[0];
  }

  /** {@code bytes} as text: printable ASCII as is (backslash doubled), the rest as {@code \xNN}. */
  static String printable(byte[] bytes) {
    StringBuilder text = new StringBuilder(bytes.length);
    for (byte b : bytes) {
      int c = b & 0xFF;
      if (c == '\\') {
        text.append("\\\\");
      } else if (c >= 0x20 && c < 0x7F) {
        text.append((char) c);
      } else {
        text.append(String.format(Locale.ROOT, "\\x%02x", c));
      }
    }
    return text.toString();
  }
}
