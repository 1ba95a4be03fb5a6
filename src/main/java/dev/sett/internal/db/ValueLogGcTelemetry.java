package dev.sett.internal.db;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spans and metrics for value log GC, through the OpenTelemetry API only: one span per file GC
 * looked at (file, bytes read, rewritten and freed, and why it was passed over if it was), and
 * counters of files collected and bytes rewritten and freed. A collected file is also logged.
 *
 * <p>Thread-safety: safe for concurrent use (the OpenTelemetry instruments are).
 */
final class ValueLogGcTelemetry {
  private static final Logger LOG = LoggerFactory.getLogger(ValueLogGc.class);
  private static final AttributeKey<Long> FILE = AttributeKey.longKey("sett.vlog.file");

  private final Tracer tracer;
  private final LongCounter files;
  private final LongCounter bytesRewritten;
  private final LongCounter bytesFreed;

  ValueLogGcTelemetry(OpenTelemetry openTelemetry) {
    this.tracer = openTelemetry.getTracer("dev.sett");
    Meter meter = openTelemetry.getMeter("dev.sett");
    this.files = meter.counterBuilder("sett.vlog.gc.files").setDescription(
        "value log files collected by GC").build();
    this.bytesRewritten = meter.counterBuilder("sett.vlog.gc.bytes_rewritten").setUnit("By")
        .setDescription("bytes of live records value log GC wrote again").build();
    this.bytesFreed = meter.counterBuilder("sett.vlog.gc.bytes_freed").setUnit("By")
        .setDescription("bytes of value log files GC deleted").build();
  }

  Span start(long fileId) {
    Span span = tracer.spanBuilder("sett.vlog.gc").startSpan();
    span.setAttribute(FILE, fileId);
    return span;
  }

  /** Ends the span of a file GC collected or, with a {@code pinnedReason}, passed over. */
  void finished(Span span, ValueLogGc.FileResult result, String pinnedReason, long startNanos) {
    if (pinnedReason != null) {
      span.setAttribute("sett.vlog.gc.pinned", pinnedReason);
    }
    span.setAttribute("sett.vlog.gc.collected", result.collected());
    span.setAttribute("sett.vlog.gc.bytes_read", result.bytesRead());
    span.setAttribute("sett.vlog.gc.bytes_rewritten", result.bytesRewritten());
    span.setAttribute("sett.vlog.gc.bytes_freed", result.bytesFreed());
    span.end();
    bytesRewritten.add(result.bytesRewritten());
    if (result.collected()) {
      files.add(1);
      bytesFreed.add(result.bytesFreed());
      LOG.info("value log GC collected file {}: {} records read, {} rewritten ({} bytes), {}"
          + " bytes freed in {} ms", result.fileId(), result.recordsRead(),
          result.recordsRewritten(), result.bytesRewritten(), result.bytesFreed(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
    } else {
      LOG.debug("value log GC passes over file {}: {}", result.fileId(), pinnedReason);
    }
  }

  void failed(Span span, Throwable failure) {
    span.recordException(failure);
    span.setStatus(StatusCode.ERROR);
    span.end();
  }
}
