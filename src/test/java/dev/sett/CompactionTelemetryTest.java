package dev.sett;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.testing.exporter.InMemoryMetricReader;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Compactions report to the OpenTelemetry instance passed in Options; compactL0OnClose works. */
class CompactionTelemetryTest {
  @TempDir
  Path dir;

  @Test
  void everyCompactionIsASpanWithItsLevelsAndBytes() {
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    InMemoryMetricReader metrics = InMemoryMetricReader.create();
    try (OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
        .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
        .build()) {
      try (DB db = DB.open(Options.builder(dir).memTableSize(256 << 10).openTelemetry(sdk).build())) {
        for (int i = 0; i < 3000; i++) {
          db.put(String.format("k%05d", i).getBytes(StandardCharsets.UTF_8), new byte[200]);
        }
        db.flatten(1);
      }
      List<SpanData> compactions = spans.getFinishedSpanItems().stream()
          .filter(span -> span.getName().equals("sett.compaction")).toList();
      assertFalse(compactions.isEmpty(), "no compaction span");
      SpanData span = compactions.get(0);
      assertEquals(0L, span.getAttributes().get(AttributeKey.longKey("sett.level")));
      assertTrue(span.getAttributes().get(AttributeKey.longKey("sett.bytes_written")) > 0);
      assertTrue(span.getAttributes().get(AttributeKey.longKey("sett.top_tables")) > 0);
      List<String> names = metrics.collectAllMetrics().stream().map(MetricData::getName).toList();
      assertTrue(names.containsAll(List.of("sett.compactions", "sett.compaction.bytes_written",
          "sett.compaction.duration")), names.toString());
    }
  }

  @Test
  void everyValueLogGcRunIsASpanWithItsFileAndBytes() {
    InMemorySpanExporter spans = InMemorySpanExporter.create();
    InMemoryMetricReader metrics = InMemoryMetricReader.create();
    try (OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
        .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
        .setMeterProvider(SdkMeterProvider.builder().registerMetricReader(metrics).build())
        .build()) {
      try (DB db = DB.open(Options.builder(dir).memTableSize(1 << 20).valueLogFileSize(1 << 20)
          .autoValueLogGC(false).openTelemetry(sdk).build())) {
        ValueLogTest.writeAll(db, 300, 0, 4096);
        ValueLogTest.writeAll(db, 300, 1, 4096);
        db.flatten(1);
        assertTrue(db.runValueLogGC(0.4));
      }
      List<SpanData> runs = spans.getFinishedSpanItems().stream()
          .filter(span -> span.getName().equals("sett.vlog.gc")).toList();
      assertFalse(runs.isEmpty(), "no value log GC span");
      SpanData span = runs.get(0);
      assertTrue(span.getAttributes().get(AttributeKey.longKey("sett.vlog.file")) > 0);
      assertTrue(span.getAttributes().get(AttributeKey.longKey("sett.vlog.gc.bytes_read")) > 0);
      assertTrue(span.getAttributes().get(AttributeKey.longKey("sett.vlog.gc.bytes_freed")) > 0);
      assertTrue(span.getAttributes().get(AttributeKey.longKey("sett.vlog.gc.bytes_rewritten"))
          >= 0);
      List<String> names = metrics.collectAllMetrics().stream().map(MetricData::getName).toList();
      assertTrue(names.containsAll(List.of("sett.vlog.gc.files", "sett.vlog.gc.bytes_freed")),
          names.toString());
    }
  }

  @Test
  void compactL0OnCloseEmptiesLevel0() {
    Options options = Options.builder(dir).memTableSize(256 << 10).numLevelZeroTables(50)
        .numLevelZeroTablesStall(60).compactL0OnClose(true).build();
    try (DB db = DB.open(options)) {
      for (int i = 0; i < 3000; i++) {
        db.put(String.format("k%05d", i).getBytes(StandardCharsets.UTF_8), new byte[200]);
      }
    }
    try (DB db = DB.open(options)) {
      assertEquals(0, db.levels().get(0).numTables(), db.levels().toString());
      assertEquals(3000, db.tables().stream().mapToLong(TableInfo::keyCount).sum());
    }
  }
}
