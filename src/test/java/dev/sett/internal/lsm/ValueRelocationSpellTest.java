package dev.sett.internal.lsm;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sett.internal.fs.InMemoryFileSystem;
import dev.sett.internal.key.KeyValue;
import dev.sett.internal.key.ValueStruct;
import dev.sett.internal.vlog.ValueLog;
import dev.sett.internal.vlog.ValueLogOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * When a spell of moves holds value log GC back ({@link ValueRelocation#moving()}): from a move
 * until one finds nothing left, through the ordinary compactions the moves cause, but not once
 * writes resume, nor for ever.
 */
class ValueRelocationSpellTest {
  private static final Path DIR = Path.of("/db");

  @Test
  void aSpellLastsThroughOrdinaryCompactionsAndEndsWhenWritesResumeOrTimeRunsOut()
      throws Exception {
    InMemoryFileSystem fileSystem = new InMemoryFileSystem();
    fileSystem.createDirectories(DIR);
    AtomicLong now = new AtomicLong(1_000_000);
    try (ValueLog log = ValueLog.open(fileSystem, DIR,
        new ValueLogOptions(1 << 20, 1000, true, false), Set.of())) {
      ValueRelocation relocation = new ValueRelocation(log, () -> 99, () -> { }, now::get);
      assertFalse(relocation.moving(), "no spell before any move");

      relocation.quiet(0);
      now.addAndGet(ValueRelocation.QUIET_MILLIS);
      assertTrue(relocation.quiet(0));
      relocation.moving(true);
      assertTrue(relocation.moving());
      // The moves filled a level: an ordinary compaction runs, and the spell goes on.
      assertFalse(relocation.quiet(1), "another compaction ran: not quiet");
      assertTrue(relocation.moving(), "an ordinary compaction ended the spell");
      now.addAndGet(ValueRelocation.QUIET_MILLIS);
      assertTrue(relocation.quiet(1));
      relocation.moving(false); // nothing left to move
      assertFalse(relocation.moving());

      relocation.moving(true);
      log.append(List.of(KeyValue.of("k".getBytes(StandardCharsets.UTF_8), 5,
          new ValueStruct((byte) 0, (byte) 0, 0, 0, new byte[100]))));
      assertFalse(relocation.moving(), "writes resumed: GC may collect again");

      relocation.moving(true);
      now.addAndGet(ValueRelocation.SPELL_GAP_MILLIS - 1);
      assertTrue(relocation.moving());
      now.addAndGet(1);
      assertFalse(relocation.moving(), "a spell with no move for so long holds GC back no more");
    }
  }
}
