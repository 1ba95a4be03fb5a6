package dev.sett.kafka;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;

/**
 * The same aggregation topology (sum of value sizes per key, {@code groupByKey().aggregate}) on
 * Sett's store and on Kafka's default RocksDB store, each in a JVM of its own with its own
 * in-process broker. Not a test:
 *
 * <pre>
 * mvn -q -B -ntp -f integrations/pom.xml -pl kafka-streams test-compile exec:exec@bench \
 *     -Dbench.args="--records 1000000 --keys 100000 --value-size 100"
 * </pre>
 *
 * <p>The input is produced before the application starts; the clock runs from the first record
 * processed to the last. The record cache is off ({@code statestore.cache.max.bytes=0}), so
 * every record is a read and a write of the store.
 */
public final class StreamsAggregationBenchmark {

  private StreamsAggregationBenchmark() {}

  public static void main(String[] args) throws Exception {
    long records = 1_000_000;
    int keys = 100_000;
    int valueSize = 100;
    String store = null;
    String guarantee = StreamsConfig.AT_LEAST_ONCE;
    int compactors = SettStores.DEFAULT_NUM_COMPACTORS;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--records" -> records = Long.parseLong(args[++i]);
        case "--keys" -> keys = Integer.parseInt(args[++i]);
        case "--value-size" -> valueSize = Integer.parseInt(args[++i]);
        case "--store" -> store = args[++i];
        case "--eos" -> guarantee = StreamsConfig.EXACTLY_ONCE_V2;
        case "--compactors" -> compactors = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]
            + "; use --records N --keys N --value-size N [--eos] [--compactors N] [--store sett|rocksdb]");
      }
    }
    if (store == null) {
      // The driver: each store in a child JVM, side by side.
      List<String> rows = new ArrayList<>();
      for (String engine : List.of("sett", "rocksdb")) {
        List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
            "-cp", System.getProperty("java.class.path"), StreamsAggregationBenchmark.class.getName(),
            "--store", engine, "--records", Long.toString(records), "--keys", Integer.toString(keys),
            "--value-size", Integer.toString(valueSize), "--compactors", Integer.toString(compactors)));
        if (guarantee.equals(StreamsConfig.EXACTLY_ONCE_V2)) {
          command.add("--eos");
        }
        Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
        String last = null;
        for (String line : new String(child.getInputStream().readAllBytes()).split("\n")) {
          if (line.startsWith("RESULT ")) {
            last = line.substring(7);
          } else if (!line.isBlank() && !line.contains(" WARN ")) {
            System.out.println(engine + ": " + line);
          }
        }
        if (child.waitFor() != 0 || last == null) {
          throw new IllegalStateException(engine + " run failed (exit " + child.exitValue() + ")");
        }
        rows.add(last);
      }
      System.out.printf("records %,d, keys %,d, value %d B, %s, cache off%n", records, keys, valueSize, guarantee);
      System.out.println("| store | records/s | seconds |");
      System.out.println("|---|---:|---:|");
      rows.forEach(System.out::println);
      return;
    }
    System.out.println("RESULT " + run(store, records, keys, valueSize, guarantee, compactors));
  }

  private static String run(String engine, long records, int keys, int valueSize, String guarantee,
      int compactors) throws Exception {
    Path temp = Files.createTempDirectory("sett-streams-bench-");
    try (EmbeddedKraftBroker broker = new EmbeddedKraftBroker(temp.resolve("kafka"))) {
      String bootstrap = broker.bootstrapServers();
      try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
        admin.createTopics(List.of(new NewTopic("input", 1, (short) 1))).all().get();
      }
      Properties producerProps = new Properties();
      producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      producerProps.put(ProducerConfig.LINGER_MS_CONFIG, 20);
      producerProps.put(ProducerConfig.BATCH_SIZE_CONFIG, 1 << 18);
      Random random = new Random(42);
      try (KafkaProducer<byte[], byte[]> producer =
          new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer())) {
        byte[] value = new byte[valueSize];
        for (long i = 0; i < records; i++) {
          byte[] key = String.format("key%09d", random.nextInt(keys)).getBytes();
          producer.send(new ProducerRecord<>("input", key, value));
        }
        producer.flush();
      }

      KeyValueBytesStoreSupplier supplier = engine.equals("sett")
          ? SettStores.persistentTimestampedKeyValueStore("sums", b -> b.numCompactors(compactors))
          : Stores.persistentTimestampedKeyValueStore("sums");
      AtomicLong processed = new AtomicLong();
      AtomicLong firstAt = new AtomicLong();
      StreamsBuilder builder = new StreamsBuilder();
      builder.stream("input", Consumed.with(Serdes.Bytes(), Serdes.ByteArray()))
          .peek((k, v) -> {
            if (processed.getAndIncrement() == 0) {
              firstAt.set(System.nanoTime());
            }
          })
          .groupByKey()
          .aggregate(() -> 0L, (key, value, sum) -> sum + value.length,
              Materialized.<Bytes, Long>as(supplier).withKeySerde(Serdes.Bytes()).withValueSerde(Serdes.Long()));
      Properties props = new Properties();
      props.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-" + engine);
      props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      props.put(StreamsConfig.STATE_DIR_CONFIG, temp.resolve("state").toString());
      props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
      props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
      props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
      if (guarantee.equals(StreamsConfig.EXACTLY_ONCE_V2)) {
        props.put(StreamsConfig.TRANSACTIONAL_STATE_STORES_CONFIG, true);
      }
      props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
      long elapsed;
      try (KafkaStreams streams = new KafkaStreams(builder.build(), props)) {
        streams.start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
        while (processed.get() < records) {
          if (System.nanoTime() > deadline || streams.state() == KafkaStreams.State.ERROR) {
            throw new IllegalStateException(engine + ": processed " + processed.get() + " of " + records);
          }
          Thread.sleep(5);
        }
        elapsed = System.nanoTime() - firstAt.get();
      }
      double seconds = elapsed / 1e9;
      return String.format("| %s | %,.0f | %.1f |", engine, records / seconds, seconds);
    } finally {
      deleteRecursively(temp);
    }
  }

  private static void deleteRecursively(Path root) throws java.io.IOException {
    try (var paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
