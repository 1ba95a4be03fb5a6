package dev.sett.kafka;

import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The application of {@link KafkaEndToEndTest}: counts words (the record key) into a Sett store
 * under exactly-once. Run as a child JVM so the test can kill it hard:
 * {@code WordCountApp <bootstrap servers> <state dir>}; it runs until killed. The test starts it
 * without rocksdbjni on its class path: an application whose stores are all Sett's needs none.
 */
public final class WordCountApp {

  static final String INPUT = "words";
  static final String OUTPUT = "word-counts";
  static final String STORE = "counts";

  private WordCountApp() {}

  static Topology topology() {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(INPUT, Consumed.with(Serdes.String(), Serdes.String()))
        .groupByKey()
        .count(Materialized.as(SettStores.persistentTimestampedKeyValueStore(STORE)))
        .toStream()
        .to(OUTPUT, Produced.with(Serdes.String(), Serdes.Long()));
    return builder.build();
  }

  static Properties properties(String bootstrapServers, Path stateDir) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "sett-word-count");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG, true);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 200);
    props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    props.put(StreamsConfig.consumerPrefix("session.timeout.ms"), 10_000);
    return props;
  }

  public static void main(String[] args) throws InterruptedException {
    boolean rocksDb;
    try {
      Class.forName("org.rocksdb.RocksDB", false, WordCountApp.class.getClassLoader());
      rocksDb = true;
    } catch (ClassNotFoundException e) {
      rocksDb = false;
    }
    System.out.println("rocksdbjni on the class path: " + rocksDb);
    KafkaStreams streams = new KafkaStreams(topology(), properties(args[0], Path.of(args[1])));
    streams.setStateListener((now, before) -> System.out.println("state " + before + " -> " + now));
    streams.start();
    new CountDownLatch(1).await();   // until killed
  }
}
