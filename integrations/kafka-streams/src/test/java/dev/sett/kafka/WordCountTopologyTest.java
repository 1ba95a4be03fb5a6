package dev.sett.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KTable;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Word count through TopologyTestDriver, its table in Sett, chosen per store or for the whole DSL. */
class WordCountTopologyTest {

  @TempDir Path stateDir;

  private static final String[] LINES = {
      "the quick brown fox", "jumps over the lazy dog", "The dog barks", "a fox a dog a cat"};

  private static Topology wordCount(boolean materializeInSett) {
    StreamsBuilder builder = new StreamsBuilder();
    KTable<String, Long> counts = builder.<String, String>stream("lines")
        .flatMapValues(line -> Arrays.asList(line.toLowerCase(Locale.ROOT).split(" ")))
        .groupBy((key, word) -> word, Grouped.with(Serdes.String(), Serdes.String()))
        .count(materializeInSett
            ? Materialized.<String, Long>as(SettStores.persistentTimestampedKeyValueStore("counts"))
                .withKeySerde(Serdes.String()).withValueSerde(Serdes.Long())
            : Materialized.<String, Long, KeyValueStore<Bytes, byte[]>>as("counts")
                .withKeySerde(Serdes.String()).withValueSerde(Serdes.Long()));
    counts.toStream().to("counts-out", Produced.with(Serdes.String(), Serdes.Long()));
    return builder.build();
  }

  private Properties properties(boolean dslSuppliers) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, "word-count");
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(StreamsConfig.DEFAULT_KEY_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    props.put(StreamsConfig.DEFAULT_VALUE_SERDE_CLASS_CONFIG, Serdes.StringSerde.class);
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    if (dslSuppliers) {
      props.put(StreamsConfig.DSL_STORE_SUPPLIERS_CLASS_CONFIG, SettDslStoreSuppliers.class);
    }
    return props;
  }

  private static Map<String, Long> expected(int rounds) {
    Map<String, Long> counts = new HashMap<>();
    for (int i = 0; i < rounds; i++) {
      for (String line : LINES) {
        for (String word : line.toLowerCase(Locale.ROOT).split(" ")) {
          counts.merge(word, 1L, Long::sum);
        }
      }
    }
    return counts;
  }

  private static void feed(TopologyTestDriver driver) {
    TestInputTopic<String, String> input =
        driver.createInputTopic("lines", new StringSerializer(), new StringSerializer());
    for (String line : LINES) {
      input.pipeInput(null, line);
    }
  }

  private static Map<String, Long> storeContents(TopologyTestDriver driver) {
    KeyValueStore<String, ValueAndTimestamp<Long>> store = driver.getTimestampedKeyValueStore("counts");
    Map<String, Long> contents = new HashMap<>();
    try (KeyValueIterator<String, ValueAndTimestamp<Long>> it = store.all()) {
      it.forEachRemaining(kv -> contents.put(kv.key, kv.value.value()));
    }
    return contents;
  }

  private static SettKeyValueStore innermost(TopologyTestDriver driver) {
    StateStore store = driver.getAllStateStores().get("counts");
    while (store instanceof org.apache.kafka.streams.state.internals.WrappedStateStore) {
      store = ((org.apache.kafka.streams.state.internals.WrappedStateStore<?, ?, ?>) store).wrapped();
    }
    assertTrue(store instanceof SettTimestampedKeyValueStore, "innermost store is " + store.getClass());
    return (SettKeyValueStore) store;
  }

  private void run(Topology first, boolean dslSuppliers) throws Exception {
    try (TopologyTestDriver driver = new TopologyTestDriver(first, properties(dslSuppliers))) {
      feed(driver);
      TestOutputTopic<String, Long> output =
          driver.createOutputTopic("counts-out", new StringDeserializer(), new LongDeserializer());
      Map<String, Long> latest = new HashMap<>();
      for (KeyValue<String, Long> kv : output.readKeyValuesToList()) {
        latest.put(kv.key, kv.value);
      }
      assertEquals(expected(1), latest);
      assertEquals(expected(1), storeContents(driver));
      SettKeyValueStore sett = innermost(driver);
      assertTrue(sett.directory().startsWith(stateDir), sett.directory().toString());
      assertEquals("counts", sett.directory().getFileName().toString());
      assertEquals(expected(1).size(), driver.getTimestampedKeyValueStore("counts").approximateNumEntries());
      // The driver commits after each record: Kafka's commit reached Sett, nothing is left buffered.
      assertEquals(0, sett.approximateNumUncommittedBytes());
      try (Stream<Path> files = Files.list(sett.directory())) {
        assertTrue(files.anyMatch(p -> p.getFileName().toString().endsWith(".mem")
            || p.getFileName().toString().startsWith("MANIFEST")), "Sett files in " + sett.directory());
      }
    }
  }

  @Test
  void wordCountThroughMaterializedAs() throws Exception {
    run(wordCount(true), false);
  }

  @Test
  void wordCountThroughDslStoreSuppliers() throws Exception {
    run(wordCount(false), true);
  }
}
