package dev.sett.tool;

import dev.sett.DB;
import dev.sett.DbSize;
import dev.sett.LevelInfo;
import dev.sett.TableInfo;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** The report of {@code sett info}, apart from the command so tests can call it on an open store. */
final class Info {
  private Info() {
  }

  static void print(Path dir, Map<String, Long> files, DB db, boolean showTables, PrintWriter out) {
    out.println("Store " + dir.toAbsolutePath());
    out.println();
    out.println("Files");
    printKind(out, files, ".sst", "tables");
    printKind(out, files, ".mem", "write-ahead logs of memtables not yet flushed");
    printKind(out, files, ".vlog", "value log");
    List<String> others = files.keySet().stream()
        .filter(name -> !name.endsWith(".sst") && !name.endsWith(".mem") && !name.endsWith(".vlog"))
        .toList();
    for (String name : others) {
      out.printf(Locale.ROOT, "  %-24s %12s%n", name, bytes(files.get(name)));
    }
    long total = files.values().stream().mapToLong(Long::longValue).sum();
    out.printf(Locale.ROOT, "  %-24s %12s%n", "total", bytes(total));

    out.println();
    out.println("Value log files");
    List<String> valueLogs = files.keySet().stream().filter(name -> name.endsWith(".vlog")).toList();
    if (valueLogs.isEmpty()) {
      out.println("  none");
    }
    for (String name : valueLogs) {
      out.printf(Locale.ROOT, "  %-24s %12s%n", name, bytes(files.get(name)));
    }

    List<TableInfo> tables = db.tables();
    out.println();
    out.println("Levels");
    out.printf(Locale.ROOT, "  %-5s %7s %12s %12s %12s %7s %9s%n", "level", "tables", "size", "target",
        "file target", "score", "keys");
    for (LevelInfo level : db.levels()) {
      long keys = tables.stream().filter(t -> t.level() == level.level()).mapToLong(TableInfo::keyCount).sum();
      out.printf(Locale.ROOT, "  %-5s %7d %12s %12s %12s %7.2f %,9d%s%n", "L" + level.level(),
          level.numTables(), bytes(level.size()), bytes(level.targetSize()),
          bytes(level.targetFileSize()), level.score(), keys, level.isBaseLevel() ? "  base" : "");
    }
    if (showTables) {
      out.println();
      out.println("Tables");
      out.printf(Locale.ROOT, "  %-8s %-5s %9s %12s %12s  %s%n", "id", "level", "keys", "on disk", "max version",
          "key range");
      for (TableInfo table : tables) {
        out.printf(Locale.ROOT, "  %-8d %-5s %,9d %12s %,12d  %s .. %s%n", table.id(), "L" + table.level(),
            table.keyCount(), bytes(table.onDiskSize()), table.maxVersion(),
            printable(table.smallestKey()), printable(table.biggestKey()));
      }
    }

    out.println();
    out.println("MANIFEST");
    Set<String> listed = tables.stream().map(t -> String.format(Locale.ROOT, "%06d.sst", t.id()))
        .collect(Collectors.toCollection(java.util.TreeSet::new));
    List<String> missing = new ArrayList<>();
    for (String name : listed) {
      if (!files.containsKey(name)) {
        missing.add(name);
      }
    }
    List<String> unlisted = files.keySet().stream()
        .filter(name -> name.endsWith(".sst") && !listed.contains(name)).toList();
    out.printf(Locale.ROOT, "  replayed: %s, %,d tables listed%n",
        files.containsKey("MANIFEST") ? bytes(files.get("MANIFEST")) : "(no file)", listed.size());
    out.println("  tables listed but missing on disk: " + (missing.isEmpty() ? "none" : String.join(" ", missing)));
    out.println("  table files on disk it does not list: " + (unlisted.isEmpty() ? "none"
        : String.join(" ", unlisted) + " (leftovers of an interrupted flush or compaction;"
            + " deleted at the next read-write open)"));
    out.println("  health: " + (missing.isEmpty() ? "ok" : "BROKEN"));

    DbSize size = db.size();
    long keys = tables.stream().mapToLong(TableInfo::keyCount).sum();
    out.println();
    out.printf(Locale.ROOT, "Summary: %,d tables, %,d keys in tables (all versions), LSM %s, value log %s, max version %,d%n",
        tables.size(), keys, bytes(size.lsmBytes()), bytes(size.vlogBytes()), db.maxVersion());
    out.flush();
  }

  private static void printKind(PrintWriter out, Map<String, Long> files, String suffix, String what) {
    long count = files.keySet().stream().filter(name -> name.endsWith(suffix)).count();
    long size = files.entrySet().stream().filter(e -> e.getKey().endsWith(suffix))
        .mapToLong(Map.Entry::getValue).sum();
    out.printf(Locale.ROOT, "  %-24s %12s  %s%n", count + " " + suffix + " files", bytes(size), what);
  }

  /** Printable ASCII as itself, other bytes as {@code \\xNN}, cut after 32 bytes. */
  static String printable(byte[] key) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < Math.min(key.length, 32); i++) {
      int b = key[i] & 0xFF;
      text.append(b >= 0x20 && b < 0x7F && b != '\\' ? String.valueOf((char) b) : String.format(Locale.ROOT, "\\x%02x", b));
    }
    return key.length > 32 ? text + "..." : text.toString();
  }

  /** {@code bytes} in binary units: 1.5 KiB, 64.0 MiB. */
  static String bytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }
}
