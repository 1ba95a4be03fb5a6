package dev.sett.internal.lsm;

import dev.sett.internal.key.InternalKey;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A text notation for level snapshots, so that a test reads as input → expected plan (in the
 * manner of Pebble's compaction_picker testdata).
 *
 * <pre>
 * with: lmaxCompaction discardTs=100 maxLevels=4 numLevelZeroTables=2
 * L0: 1[a-c] 2[b-d 3M age=5s]
 * L6: 10[a-z 1000M v=7 stale=12M]
 * busy: L0-&gt;L6 1 2
 * </pre>
 *
 * <p>A table is {@code id[smallest-biggest attributes]} (or {@code id[key ...]} for one key):
 * a size ({@code 512K}, {@code 3M}, {@code 1.5G}, default 1M), {@code v=} its max version (default
 * its id), {@code stale=} its stale bytes (default 0), {@code age=} how long before {@link #NOW}
 * it was created ({@code 9.999s}, {@code 30m}, {@code 2h}; default 1 day). Levels ≥ 1 list tables
 * in key order, L0 oldest first; a level may take several lines. The {@code with:} line changes
 * Badger's default settings; each {@code busy:} line registers a compaction in flight before the
 * test starts: {@code Lx->Ly}, the top table ids, and optionally {@code +} explicit bottom ids
 * (else the overlapping tables of {@code Ly}, or none within one level).
 */
final class CompactionFixtures {
  static final long NOW = 1_700_000_000_000L;
  static final long KIB = 1L << 10;
  static final long MIB = 1L << 20;
  static final long GIB = 1L << 30;

  private static final Pattern TABLE = Pattern.compile("(\\d+)\\[([^\\]]*)\\]");
  private static final Pattern BUSY =
      Pattern.compile("L(\\d+)->L(\\d+)((?: \\d+)+)((?: \\+(?: \\d+)+)?)");

  private CompactionFixtures() {
  }

  /** A parsed snapshot, its settings, the discard timestamp and a status holding the busy lines. */
  record Snapshot(List<List<TableSummary>> levels, CompactionSettings settings, long discardTs,
      CompactionStatus status) {
  }

  /** Badger's defaults (reference §1.2.1). */
  static CompactionSettings badgerDefaults() {
    return new CompactionSettings(7, 10 * MIB, 10, 2 * MIB, 2, 64 * MIB, 5, false);
  }

  static Snapshot parse(String text) {
    String[] lines = text.strip().split("\n");
    CompactionSettings settings = badgerDefaults();
    long discardTs = Long.MAX_VALUE;
    int next = 0;
    if (lines.length > 0 && lines[0].strip().startsWith("with:")) {
      String[] words = lines[0].strip().substring("with:".length()).trim().split("\\s+");
      for (String word : words) {
        if (word.startsWith("discardTs=")) {
          discardTs = Long.parseLong(word.substring("discardTs=".length()));
        } else {
          settings = withSetting(settings, word);
        }
      }
      next = 1;
    }
    List<List<TableSummary>> levels = new ArrayList<>();
    for (int i = 0; i < settings.maxLevels(); i++) {
      levels.add(new ArrayList<>());
    }
    List<String> busy = new ArrayList<>();
    for (int i = next; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("busy:")) {
        busy.add(line.substring("busy:".length()).trim());
        continue;
      }
      if (!line.matches("L\\d+:.*")) {
        throw new IllegalArgumentException("cannot read line: " + line);
      }
      int level = Integer.parseInt(line.substring(1, line.indexOf(':')));
      Matcher table = TABLE.matcher(line);
      while (table.find()) {
        levels.get(level).add(table(Long.parseLong(table.group(1)), table.group(2)));
      }
    }
    CompactionStatus status = new CompactionStatus(settings.maxLevels());
    Snapshot snapshot = new Snapshot(levels, settings, discardTs, status);
    for (String plan : busy) {
      CompactionPlan inFlight = plan(snapshot, plan);
      if (!status.tryRegister(inFlight)) {
        throw new IllegalArgumentException("busy plan collides: " + plan);
      }
    }
    return snapshot;
  }

  /**
   * A plan from {@code Lx->Ly top-ids [+ bottom-ids]}: L0->L0 is an L0→L0 plan, Lmax->Lmax a
   * stale-data rewrite, Lx->Lx otherwise a drop-prefix rewrite, L0->Ly an L0→Lbase plan, else
   * Li→Li+1. Bottom defaults to the tables of Ly overlapping the top (none within one level).
   */
  static CompactionPlan plan(Snapshot snapshot, String text) {
    Matcher matcher = BUSY.matcher(text.trim());
    if (!matcher.matches()) {
      throw new IllegalArgumentException("cannot read plan: " + text);
    }
    int level = Integer.parseInt(matcher.group(1));
    int target = Integer.parseInt(matcher.group(2));
    List<TableSummary> top = tables(snapshot, level, matcher.group(3));
    int maxLevel = snapshot.settings().maxLevel();
    if (level == 0 && target == 0) {
      return new CompactionPlan(CompactionKind.LEVEL0_TO_LEVEL0, 0, 0, top, List.of(),
          KeyRange.infinite(), KeyRange.empty(), Long.MAX_VALUE, 1, 1, List.of());
    }
    KeyRange topRange = KeyRange.covering(top);
    List<TableSummary> bottom;
    if (!matcher.group(4).isEmpty()) {
      bottom = tables(snapshot, target, matcher.group(4).replace("+", ""));
    } else if (level == target) {
      bottom = List.of();
    } else {
      bottom = TableChooser.overlapping(snapshot.levels().get(target), topRange);
    }
    KeyRange bottomRange;
    CompactionKind kind;
    if (level == target) {
      kind = level == maxLevel ? CompactionKind.MAX_LEVEL_STALE : CompactionKind.DROP_PREFIX;
      bottomRange = topRange.extend(KeyRange.covering(bottom));
    } else {
      kind = level == 0 ? CompactionKind.LEVEL0_TO_BASE : CompactionKind.LEVEL_TO_NEXT;
      bottomRange = bottom.isEmpty() ? topRange : KeyRange.covering(bottom);
    }
    return new CompactionPlan(kind, level, target, top, bottom, topRange, bottomRange, 2 * MIB,
        1, 1, List.of());
  }

  private static List<TableSummary> tables(Snapshot snapshot, int level, String ids) {
    List<TableSummary> tables = new ArrayList<>();
    for (String id : ids.trim().split("\\s+")) {
      tables.add(snapshot.levels().get(level).stream()
          .filter(table -> table.id() == Long.parseLong(id)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no table " + id + " in L" + level)));
    }
    return tables;
  }

  private static CompactionSettings withSetting(CompactionSettings settings, String word) {
    int maxLevels = settings.maxLevels();
    int numLevelZeroTables = settings.numLevelZeroTables();
    boolean lmaxCompaction = settings.lmaxCompaction();
    if (word.equals("lmaxCompaction")) {
      lmaxCompaction = true;
    } else if (word.startsWith("maxLevels=")) {
      maxLevels = Integer.parseInt(word.substring("maxLevels=".length()));
    } else if (word.startsWith("numLevelZeroTables=")) {
      numLevelZeroTables = Integer.parseInt(word.substring("numLevelZeroTables=".length()));
    } else {
      throw new IllegalArgumentException("unknown setting " + word);
    }
    return new CompactionSettings(maxLevels, settings.baseLevelSize(),
        settings.levelSizeMultiplier(), settings.baseTableSize(), settings.tableSizeMultiplier(),
        settings.memTableSize(), numLevelZeroTables, lmaxCompaction);
  }

  private static TableSummary table(long id, String spec) {
    String[] words = spec.trim().split("\\s+");
    String[] keys = words[0].split("-", 2);
    String smallest = keys[0];
    String biggest = keys.length > 1 ? keys[1] : keys[0];
    long size = MIB;
    long version = id;
    long stale = 0;
    long ageMillis = 24 * 3_600_000L;
    for (int i = 1; i < words.length; i++) {
      String word = words[i];
      if (word.startsWith("v=")) {
        version = Long.parseLong(word.substring(2));
      } else if (word.startsWith("stale=")) {
        stale = bytes(word.substring("stale=".length()));
      } else if (word.startsWith("age=")) {
        ageMillis = millis(word.substring("age=".length()));
      } else {
        size = bytes(word);
      }
    }
    return new TableSummary(id, key(smallest, version), key(biggest, 0), size, stale, version,
        NOW - ageMillis);
  }

  /** An internal key for a text user key. */
  static byte[] key(String userKey, long version) {
    return InternalKey.of(userKey.getBytes(StandardCharsets.UTF_8), version);
  }

  /** {@code 512K}, {@code 3M}, {@code 1.5G} or plain bytes. */
  static long bytes(String text) {
    char unit = text.charAt(text.length() - 1);
    long multiplier = switch (unit) {
      case 'K' -> KIB;
      case 'M' -> MIB;
      case 'G' -> GIB;
      default -> 1;
    };
    String number = multiplier == 1 ? text : text.substring(0, text.length() - 1);
    return new BigDecimal(number).multiply(BigDecimal.valueOf(multiplier)).longValue();
  }

  private static long millis(String text) {
    char unit = text.charAt(text.length() - 1);
    long multiplier = switch (unit) {
      case 's' -> 1_000L;
      case 'm' -> 60_000L;
      case 'h' -> 3_600_000L;
      case 'd' -> 24 * 3_600_000L;
      default -> throw new IllegalArgumentException("age needs a unit: " + text);
    };
    return new BigDecimal(text.substring(0, text.length() - 1))
        .multiply(BigDecimal.valueOf(multiplier)).longValue();
  }

  /** Whole MiB as {@code 10M}, anything else in bytes. */
  static String size(long bytes) {
    return bytes % MIB == 0 ? bytes / MIB + "M" : Long.toString(bytes);
  }

  /** A score rounded to three decimals without trailing zeros: {@code 1.2}, {@code 0.467}. */
  static String number(double value) {
    return new BigDecimal(value).setScale(3, RoundingMode.HALF_EVEN)
        .stripTrailingZeros().toPlainString();
  }

  /** Every level's score as {@code L0 1.2/0.4 L1 0/0 ...}. */
  static String describeScores(List<LevelScore> scores) {
    StringBuilder out = new StringBuilder();
    for (LevelScore score : scores) {
      if (out.length() > 0) {
        out.append(' ');
      }
      out.append(String.format(Locale.ROOT, "L%d %s/%s", score.level(), number(score.score()),
          number(score.adjustedScore())));
    }
    return out.toString();
  }
}
