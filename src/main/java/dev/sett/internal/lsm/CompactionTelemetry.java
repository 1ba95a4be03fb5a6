package dev.sett.internal.lsm;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spans and metrics for compactions, flushes and stalls, through the OpenTelemetry API only (the
 * host chooses the SDK; the default is a no-op). One span per compaction with its levels, table
 * counts, bytes in and out and drop prefixes; counters of compactions and bytes per level; a
 * histogram of compaction time; the time flushes stalled on a full L0. Slow compactions are also
 * logged, as Badger does.
 *
 * <p>Thread-safety: safe for concurrent use (the OpenTelemetry instruments are).
 */
final class CompactionTelemetry {
  private static final Logger LOG = LoggerFactory.getLogger(CompactionTelemetry.class);
  private static final long SLOW_NANOS = TimeUnit.SECONDS.toNanos(2);
  private static final AttributeKey<Long> LEVEL = AttributeKey.longKey("sett.level");
  private static final AttributeKey<Long> TARGET_LEVEL = AttributeKey.longKey("sett.target_level");
  private static final AttributeKey<String> KIND = AttributeKey.stringKey("sett.compaction.kind");

  private final Tracer tracer;
  private final LongCounter compactions;
  private final LongCounter bytesRead;
  private final LongCounter bytesWritten;
  private final DoubleHistogram duration;
  private final LongCounter stallNanos;

  CompactionTelemetry(OpenTelemetry openTelemetry) {
    this.tracer = openTelemetry.getTracer("dev.sett");
    Meter meter = openTelemetry.getMeter("dev.sett");
    this.compactions = meter.counterBuilder("sett.compactions").setDescription("compactions run").build();
    this.bytesRead = meter.counterBuilder("sett.compaction.bytes_read").setUnit("By")
        .setDescription("bytes read by compactions, by source level").build();
    this.bytesWritten = meter.counterBuilder("sett.compaction.bytes_written").setUnit("By")
        .setDescription("bytes written by compactions, by target level").build();
    this.duration = meter.histogramBuilder("sett.compaction.duration").setUnit("s")
        .setDescription("time a compaction took").build();
    this.stallNanos = meter.counterBuilder("sett.l0_stall_time").setUnit("ns")
        .setDescription("time flushes waited for L0 to drain").build();
  }

  Span start(CompactionPlan plan) {
    Span span = tracer.spanBuilder("sett.compaction").startSpan();
    span.setAttribute(KIND, plan.kind().name());
    span.setAttribute(LEVEL, (long) plan.level());
    span.setAttribute(TARGET_LEVEL, (long) plan.targetLevel());
    span.setAttribute("sett.top_tables", plan.top().size());
    span.setAttribute("sett.bottom_tables", plan.bottom().size());
    if (!plan.dropPrefixes().isEmpty()) {
      span.setAttribute("sett.drop_prefixes", plan.dropPrefixes().size());
    }
    return span;
  }

  void finished(Span span, CompactionPlan plan, CompactionOutput output, long nanos) {
    span.setAttribute("sett.bytes_read", output.bytesRead());
    span.setAttribute("sett.bytes_written", output.bytesWritten());
    span.setAttribute("sett.output_tables", output.tables().size());
    span.end();
    Attributes attributes = Attributes.of(LEVEL, (long) plan.level(), TARGET_LEVEL, (long) plan.targetLevel(),
        KIND, plan.kind().name());
    compactions.add(1, attributes);
    bytesRead.add(output.bytesRead(), Attributes.of(LEVEL, (long) plan.level()));
    bytesWritten.add(output.bytesWritten(), Attributes.of(LEVEL, (long) plan.targetLevel()));
    duration.record(nanos / 1e9, attributes);
    if (nanos > SLOW_NANOS) {
      LOG.info("slow compaction L{}->L{} ({}): {} + {} tables, {} bytes in, {} bytes out, {} ms",
          plan.level(), plan.targetLevel(), plan.kind(), plan.top().size(), plan.bottom().size(),
          output.bytesRead(), output.bytesWritten(), nanos / 1_000_000);
    }
  }

  void failed(Span span, Throwable error) {
    span.recordException(error);
    span.setStatus(StatusCode.ERROR, String.valueOf(error.getMessage()));
    span.end();
  }

  void stalled(long nanos) {
    stallNanos.add(nanos);
  }
}
