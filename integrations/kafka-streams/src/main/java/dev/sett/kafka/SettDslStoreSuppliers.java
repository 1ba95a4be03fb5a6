package dev.sett.kafka;

import org.apache.kafka.streams.state.BuiltInDslStoreSuppliers;
import org.apache.kafka.streams.state.DslKeyValueParams;
import org.apache.kafka.streams.state.DslSessionParams;
import org.apache.kafka.streams.state.DslStoreSuppliers;
import org.apache.kafka.streams.state.DslWindowParams;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.SessionBytesStoreSupplier;
import org.apache.kafka.streams.state.WindowBytesStoreSupplier;

/**
 * Puts every DSL key-value store in Sett:
 * {@code dsl.store.suppliers.class = dev.sett.kafka.SettDslStoreSuppliers}.
 *
 * <p>Not built in Sett yet, and so delegated to Kafka's built-in RocksDB suppliers: window and
 * session stores, and key-value stores in the {@code HEADERS} format ({@code dsl.store.format}).
 * An application using those still needs {@code rocksdbjni}.
 */
public class SettDslStoreSuppliers implements DslStoreSuppliers {

  private final DslStoreSuppliers builtIn = new BuiltInDslStoreSuppliers.RocksDBDslStoreSuppliers();

  @Override
  public KeyValueBytesStoreSupplier keyValueStore(DslKeyValueParams params) {
    return switch (params.dslStoreFormat()) {
      case PLAIN -> SettStores.persistentKeyValueStore(params.name());
      case TIMESTAMPED -> SettStores.persistentTimestampedKeyValueStore(params.name());
      default -> builtIn.keyValueStore(params);   // HEADERS: not built in Sett yet
    };
  }

  @Override
  public WindowBytesStoreSupplier windowStore(DslWindowParams params) {
    return builtIn.windowStore(params);
  }

  @Override
  public SessionBytesStoreSupplier sessionStore(DslSessionParams params) {
    return builtIn.sessionStore(params);
  }
}
