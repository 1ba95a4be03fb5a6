/**
 * Sett, an embeddable transactional key-value store. The module exports only the public API,
 * {@code dev.sett}; everything under {@code dev.sett.internal} and the {@code sett} command line in
 * {@code dev.sett.tool} stay inside it.
 */
module dev.sett {
  exports dev.sett;

  // Options take an OpenTelemetry instance, so its API is part of Sett's own.
  requires transitive io.opentelemetry.api;
  requires io.opentelemetry.context;
  requires org.slf4j;
  requires com.google.protobuf;
  requires com.github.benmanes.caffeine;
  requires org.lz4.java;
  requires com.github.luben.zstd_jni;
  // sun.misc.Unsafe.invokeCleaner unmaps a table or value log file when its last reader is done.
  requires jdk.unsupported;
  // @GuardedBy, read by the Error Prone checker at compile time only.
  requires static com.google.errorprone.annotations;
  // The `sett` command line only; the library runs without picocli.
  requires static info.picocli;
}
