package dev.sett.internal.lsm;

import io.opentelemetry.api.OpenTelemetry;

/** Levels options for tests that drive a {@link LevelsController} directly: compaction off. */
public final class TestLevelsOptions {
  private TestLevelsOptions() {
  }

  public static LevelsOptions withoutCompaction() {
    CompactionSettings settings = new CompactionSettings(7, 10 << 20, 10, 2 << 20, 2, 64 << 20, 5, false);
    return new LevelsOptions(settings, 1, 0, 15, false, () -> 0, System::currentTimeMillis,
        OpenTelemetry.noop(), role -> task -> {
          Thread thread = new Thread(task, "test-" + role);
          thread.setDaemon(true);
          return thread;
        }, dev.sett.internal.key.Namespaces.none());
  }
}
