package dev.sett.kafka;

import dev.sett.Options;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Function;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;

/** Supplies {@link SettKeyValueStore}s (or their timestamped variant) to Kafka Streams. */
final class SettKeyValueBytesStoreSupplier implements KeyValueBytesStoreSupplier {

  private final String name;
  private final boolean timestamped;
  private final Function<Path, Options> options;

  SettKeyValueBytesStoreSupplier(String name, boolean timestamped, Function<Path, Options> options) {
    this.name = Objects.requireNonNull(name, "name");
    this.timestamped = timestamped;
    this.options = options;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public KeyValueStore<Bytes, byte[]> get() {
    return timestamped ? new SettTimestampedKeyValueStore(name, options) : new SettKeyValueStore(name, options);
  }

  @Override
  public String metricsScope() {
    return "sett";
  }

  @Override
  public String toString() {
    return "SettKeyValueBytesStoreSupplier[" + name + (timestamped ? ", timestamped" : "") + "]";
  }
}
