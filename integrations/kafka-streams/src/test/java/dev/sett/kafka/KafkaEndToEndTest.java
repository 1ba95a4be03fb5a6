package dev.sett.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.stream.Collectors;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.processor.StateRestoreListener;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ValueAndTimestamp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real in-process KRaft broker, the word count of {@link WordCountApp} in a child JVM under
 * exactly-once, killed hard (SIGKILL) while it processes, then restarted: every count is exact,
 * and the restart restores its Sett store from the offset committed in it, not from the
 * changelog's start. The child runs without rocksdbjni on its class path.
 */
class KafkaEndToEndTest {

  private static final int VOCABULARY = 40;

  @TempDir Path temp;

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void countsStayExactAcrossAHardKillAndTheRestoreStartsFromTheCommittedOffset() throws Exception {
    long seed = Long.getLong("sett.seed", System.nanoTime());
    System.out.println("KafkaEndToEndTest seed " + seed);
    Random random = new Random(seed);
    try (EmbeddedKraftBroker broker = new EmbeddedKraftBroker(temp.resolve("kafka"))) {
      String bootstrap = broker.bootstrapServers();
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
        admin.createTopics(List.of(new NewTopic(WordCountApp.INPUT, 2, (short) 1),
            new NewTopic(WordCountApp.OUTPUT, 1, (short) 1))).all().get();
      }
      Map<String, Long> expected = new HashMap<>();
      Path stateDir = temp.resolve("state");

      try (KafkaProducer<String, String> producer = producer(bootstrap)) {
        produce(producer, random, 3000, expected);
        Process app = startChild(bootstrap, stateDir);
        try {
          // Wait until the first records are committed (so the store committed its offsets), then
          // keep producing and kill the application in the middle of it.
          awaitOutputTotal(bootstrap, 3000, Duration.ofSeconds(120));
          Thread.sleep(1000);
          produce(producer, random, 3000, expected);
          Thread.sleep(300);
        } finally {
          app.destroyForcibly().waitFor();
        }
        String log = Files.readString(childLog(stateDir));
        assertTrue(log.contains("rocksdbjni on the class path: false"), log);
        produce(producer, random, 2000, expected);
      }

      Map<TopicPartition, Long> restoreStart = new ConcurrentHashMap<>();
      Map<TopicPartition, Long> restoreEnd = new ConcurrentHashMap<>();
      try (KafkaStreams streams = new KafkaStreams(WordCountApp.topology(),
          WordCountApp.properties(bootstrap, stateDir))) {
        streams.setGlobalStateRestoreListener(new StateRestoreListener() {
          @Override
          public void onRestoreStart(TopicPartition partition, String store, long start, long end) {
            restoreStart.put(partition, start);
            restoreEnd.put(partition, end);
          }

          @Override
          public void onBatchRestored(TopicPartition partition, String store, long end, long restored) {}

          @Override
          public void onRestoreEnd(TopicPartition partition, String store, long total) {}
        });
        streams.start();
        Map<String, Long> counts = Map.of();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
          if (streams.state() == KafkaStreams.State.RUNNING) {
            counts = storeContents(streams);
            if (counts.equals(expected)) {
              break;
            }
          }
          Thread.sleep(250);
        }
        assertEquals(expected, counts, "seed " + seed);
        System.out.println("restore started at " + restoreStart + ", changelog ends at " + restoreEnd);
        assertTrue(restoreStart.values().stream().anyMatch(offset -> offset > 0),
            "the restart restored from the offsets committed in Sett, not from the start: " + restoreStart);
      }
    }
  }

  private static KafkaProducer<String, String> producer(String bootstrap) {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    return new KafkaProducer<>(props);
  }

  private static void produce(KafkaProducer<String, String> producer, Random random, int records,
      Map<String, Long> expected) {
    for (int i = 0; i < records; i++) {
      String word = "word" + random.nextInt(VOCABULARY);
      producer.send(new ProducerRecord<>(WordCountApp.INPUT, word, word));
      expected.merge(word, 1L, Long::sum);
    }
    producer.flush();
  }

  private static Process startChild(String bootstrap, Path stateDir) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    File log = childLog(stateDir).toFile();
    // Without rocksdbjni: the application's only store is Sett's, so it must run without it.
    String classPath = System.getProperty("java.class.path");
    String withoutRocksDb = Arrays.stream(classPath.split(File.pathSeparator))
        .filter(entry -> !entry.contains("rocksdbjni"))
        .collect(Collectors.joining(File.pathSeparator));
    assertTrue(classPath.contains("rocksdbjni") && !withoutRocksDb.contains("rocksdbjni"), classPath);
    return new ProcessBuilder(java, "-Xmx256m", "-cp", withoutRocksDb,
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
        WordCountApp.class.getName(), bootstrap, stateDir.toString())
        .redirectErrorStream(true).redirectOutput(log).start();
  }

  private static Path childLog(Path stateDir) {
    return stateDir.resolveSibling("child.log");
  }

  /** Waits until the committed output's latest counts add up to {@code total} input records. */
  private static void awaitOutputTotal(String bootstrap, long total, Duration timeout) throws Exception {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "checker-" + System.nanoTime());
    Map<String, Long> latest = new HashMap<>();
    try (KafkaConsumer<String, Long> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new LongDeserializer())) {
      consumer.subscribe(List.of(WordCountApp.OUTPUT));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, Long> record : consumer.poll(Duration.ofMillis(200))) {
          latest.put(record.key(), record.value());
        }
        if (latest.values().stream().mapToLong(Long::longValue).sum() >= total) {
          return;
        }
      }
    }
    throw new AssertionError("the application did not count " + total + " records in " + timeout
        + "; counted " + latest.values().stream().mapToLong(Long::longValue).sum());
  }

  private static Map<String, Long> storeContents(KafkaStreams streams) {
    Map<String, Long> counts = new HashMap<>();
    try {
      ReadOnlyKeyValueStore<String, ValueAndTimestamp<Long>> store = streams.store(
          StoreQueryParameters.fromNameAndType(WordCountApp.STORE, QueryableStoreTypes.timestampedKeyValueStore()));
      try (KeyValueIterator<String, ValueAndTimestamp<Long>> it = store.all()) {
        it.forEachRemaining(kv -> counts.put(kv.key, kv.value.value()));
      }
    } catch (org.apache.kafka.streams.errors.InvalidStateStoreException e) {
      return Map.of();   // rebalancing or restoring: ask again
    }
    return counts;
  }
}
