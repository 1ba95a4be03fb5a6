package dev.sett.internal.db;

import dev.sett.ChecksumVerification;
import dev.sett.Options;
import dev.sett.internal.codec.CompressionType;
import dev.sett.internal.key.Namespaces;
import dev.sett.internal.lsm.CompactionSettings;
import dev.sett.internal.lsm.LevelsOptions;
import dev.sett.internal.sstable.TableOptions;
import dev.sett.internal.txn.Oracle;
import java.util.concurrent.atomic.AtomicReference;

/** The small option records that lower layers receive, derived once from {@link Options}. */
final class DerivedOptions {
  private DerivedOptions() {
  }

  static LevelsOptions levelsOptions(Options options,
      AtomicReference<Oracle> oracle, Namespaces namespaces) {
    CompactionSettings settings = new CompactionSettings(options.maxLevels(), options.baseLevelSize(),
        options.levelSizeMultiplier(), options.baseTableSize(), options.tableSizeMultiplier(),
        options.memTableSize(), options.numLevelZeroTables(), options.lmaxCompaction());
    java.time.Clock clock = options.clock();
    return new LevelsOptions(settings, options.numVersionsToKeep(), options.numCompactors(),
        options.numLevelZeroTablesStall(), options.compactL0OnClose() && !options.readOnly(),
        () -> oracle.get() == null ? 0 : oracle.get().discardTimestamp(), clock::millis,
        options.openTelemetry(),
        role -> DaemonThreads.numbered(DaemonThreads.prefix(options.dir()) + "-" + role),
        namespaces);
  }

  static TableOptions tableOptions(Options options) {
    ChecksumVerification mode = options.checksumVerification();
    boolean onOpen = mode == ChecksumVerification.ON_TABLE_READ
        || mode == ChecksumVerification.ON_TABLE_AND_BLOCK_READ;
    boolean onRead = mode == ChecksumVerification.ON_BLOCK_READ
        || mode == ChecksumVerification.ON_TABLE_AND_BLOCK_READ;
    return new TableOptions(options.blockSize(), options.bloomFalsePositive(),
        CompressionType.valueOf(options.compression().name()), options.zstdLevel(), onOpen, onRead);
  }
}
