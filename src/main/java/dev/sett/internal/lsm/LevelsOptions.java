package dev.sett.internal.lsm;

import dev.sett.internal.key.Namespaces;
import io.opentelemetry.api.OpenTelemetry;
import java.util.concurrent.ThreadFactory;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * What the levels need from the store's options, derived once at open.
 *
 * @param compaction the policy's settings
 * @param numVersionsToKeep versions kept per key at or below the discard timestamp
 * @param numCompactors compactor threads; 0 turns compaction off (L0 then grows without a stall)
 * @param numLevelZeroTablesStall flushes wait while L0 holds this many tables (with compactors)
 * @param compactL0OnClose compact L0 once more when the store closes
 * @param discardTs the highest version at or below which old versions may be dropped
 * @param nowMillis the clock, in milliseconds since the epoch (TTL expiry, table ages)
 * @param openTelemetry where spans and metrics go
 * @param threads the thread factory for each role of background thread ("compactor", "flatten",
 *     "subcompaction"), which names its threads
 * @param namespaces the store's namespaces: compactions leave the keys of banned ones out
 */
public record LevelsOptions(CompactionSettings compaction, int numVersionsToKeep, int numCompactors,
    int numLevelZeroTablesStall, boolean compactL0OnClose, LongSupplier discardTs,
    LongSupplier nowMillis, OpenTelemetry openTelemetry, Function<String, ThreadFactory> threads,
    Namespaces namespaces) {

  public int maxLevels() {
    return compaction.maxLevels();
  }
}
