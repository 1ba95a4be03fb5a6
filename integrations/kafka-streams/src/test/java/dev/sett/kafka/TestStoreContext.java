package dev.sett.kafka;

import java.io.File;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.StreamsMetrics;
import org.apache.kafka.streams.processor.CommitCallback;
import org.apache.kafka.streams.processor.StateRestoreCallback;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/** A StateStoreContext for driving a store directly: captures the restore callback, lets a test set record metadata. */
final class TestStoreContext implements StateStoreContext {

  private final File stateDir;
  private final Map<String, Object> configs = new HashMap<>();
  StateRestoreCallback restoreCallback;
  RecordMetadata recordMetadata;

  TestStoreContext(File stateDir, boolean exactlyOnce) {
    this.stateDir = stateDir;
    configs.put(StreamsConfig.APPLICATION_ID_CONFIG, "test-app");
    configs.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
        exactlyOnce ? StreamsConfig.EXACTLY_ONCE_V2 : StreamsConfig.AT_LEAST_ONCE);
  }

  void at(String topic, int partition, long offset) {
    recordMetadata = new RecordMetadata() {
      @Override
      public String topic() {
        return topic;
      }

      @Override
      public int partition() {
        return partition;
      }

      @Override
      public long offset() {
        return offset;
      }
    };
  }

  @Override
  public String applicationId() {
    return "test-app";
  }

  @Override
  public TaskId taskId() {
    return new TaskId(0, 0);
  }

  @Override
  public Optional<RecordMetadata> recordMetadata() {
    return Optional.ofNullable(recordMetadata);
  }

  @Override
  public Serde<?> keySerde() {
    return Serdes.ByteArray();
  }

  @Override
  public Serde<?> valueSerde() {
    return Serdes.ByteArray();
  }

  @Override
  public File stateDir() {
    return stateDir;
  }

  @Override
  public StreamsMetrics metrics() {
    throw new UnsupportedOperationException("no metrics in TestStoreContext");
  }

  @Override
  public void register(StateStore store, StateRestoreCallback callback) {
    restoreCallback = callback;
  }

  @Override
  public void register(StateStore store, StateRestoreCallback callback, CommitCallback commitCallback) {
    restoreCallback = callback;
  }

  @Override
  public Map<String, Object> appConfigs() {
    return configs;
  }

  @Override
  public Map<String, Object> appConfigsWithPrefix(String prefix) {
    Map<String, Object> out = new HashMap<>();
    configs.forEach((k, v) -> {
      if (k.startsWith(prefix)) {
        out.put(k.substring(prefix.length()), v);
      }
    });
    return out;
  }
}
