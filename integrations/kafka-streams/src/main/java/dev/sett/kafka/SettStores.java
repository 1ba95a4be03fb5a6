package dev.sett.kafka;

import dev.sett.Options;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;

/**
 * Sett stores for Kafka Streams, in the manner of {@link org.apache.kafka.streams.state.Stores}:
 *
 * <pre>{@code
 * builder.stream("words").groupBy((k, word) -> word)
 *     .count(Materialized.as(SettStores.persistentTimestampedKeyValueStore("counts")));
 * }</pre>
 *
 * <p>Each store instance (one per task) is a Sett store in {@code stateDir()/<name>}. The defaults
 * are sized for many stores per process, like Kafka's RocksDB defaults (16 MiB write buffers,
 * 3 of them, a small block cache): {@link #DEFAULT_MEMTABLE_SIZE}, {@link #DEFAULT_NUM_MEMTABLES},
 * {@link #DEFAULT_BLOCK_CACHE_SIZE}, {@link #DEFAULT_NUM_COMPACTORS}. The overloads taking a {@code UnaryOperator<Options.Builder>}
 * change any Sett option on top of them (the directory is Kafka's).
 */
public final class SettStores {

  /** Memtable size of a store unless configured: 16 MiB, as Kafka sizes RocksDB's write buffer. */
  public static final long DEFAULT_MEMTABLE_SIZE = 16L << 20;
  /** Memtables per store unless configured (one mutable, the rest being flushed). */
  public static final int DEFAULT_NUM_MEMTABLES = 3;
  /** Block cache per store unless configured. */
  public static final long DEFAULT_BLOCK_CACHE_SIZE = 16L << 20;
  /** Compaction threads per store unless configured (Sett's default is 4; a process holds many stores). */
  public static final int DEFAULT_NUM_COMPACTORS = 2;

  private SettStores() {}

  /** A persistent key-value store in Sett, with Sett's Kafka defaults. */
  public static KeyValueBytesStoreSupplier persistentKeyValueStore(String name) {
    return persistentKeyValueStore(name, UnaryOperator.identity());
  }

  /** A persistent key-value store in Sett; {@code configure} adjusts the Sett options. */
  public static KeyValueBytesStoreSupplier persistentKeyValueStore(String name,
      UnaryOperator<Options.Builder> configure) {
    return new SettKeyValueBytesStoreSupplier(checkName(name), false, options(configure));
  }

  /** A persistent timestamped key-value store (what DSL tables and aggregations use) in Sett. */
  public static KeyValueBytesStoreSupplier persistentTimestampedKeyValueStore(String name) {
    return persistentTimestampedKeyValueStore(name, UnaryOperator.identity());
  }

  /** A persistent timestamped key-value store in Sett; {@code configure} adjusts the Sett options. */
  public static KeyValueBytesStoreSupplier persistentTimestampedKeyValueStore(String name,
      UnaryOperator<Options.Builder> configure) {
    return new SettKeyValueBytesStoreSupplier(checkName(name), true, options(configure));
  }

  private static String checkName(String name) {
    Objects.requireNonNull(name, "name cannot be null");
    if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.equals(".") || name.equals("..")) {
      throw new IllegalArgumentException("store name must be a plain directory name, got '" + name + "'");
    }
    return name;
  }

  private static Function<Path, Options> options(UnaryOperator<Options.Builder> configure) {
    Objects.requireNonNull(configure, "configure cannot be null");
    return directory -> configure.apply(Options.builder(directory)
            .memTableSize(DEFAULT_MEMTABLE_SIZE)
            .numMemtables(DEFAULT_NUM_MEMTABLES)
            .blockCacheSize(DEFAULT_BLOCK_CACHE_SIZE)
            .numCompactors(DEFAULT_NUM_COMPACTORS))
        .build();
  }
}
