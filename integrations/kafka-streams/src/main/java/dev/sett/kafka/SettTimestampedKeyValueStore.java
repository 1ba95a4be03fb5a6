package dev.sett.kafka;

import dev.sett.Options;
import java.nio.file.Path;
import java.util.function.Function;
import org.apache.kafka.streams.state.TimestampedBytesStore;

/**
 * The timestamped variant: values arrive already in Kafka's timestamped format (8-byte timestamp,
 * then the value), so implementing {@link TimestampedBytesStore} tells the DSL to store them as
 * they are instead of wrapping the store in a converting adapter.
 */
final class SettTimestampedKeyValueStore extends SettKeyValueStore implements TimestampedBytesStore {

  SettTimestampedKeyValueStore(String name, Function<Path, Options> options) {
    super(name, options);
  }
}
