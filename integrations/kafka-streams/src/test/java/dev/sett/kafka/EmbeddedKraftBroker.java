package dev.sett.kafka;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * One in-process KRaft node (broker and controller combined) on free local ports, formatted
 * into a directory of the test's. Built on kafka_2.13 directly: Kafka 4.4's
 * {@code KafkaClusterTestKit} needs the kafka-clients test fixtures, which 4.4.0 does not
 * publish to Maven Central.
 */
final class EmbeddedKraftBroker implements AutoCloseable {

  private final KafkaRaftServer server;
  private final String bootstrapServers;

  EmbeddedKraftBroker(Path directory) throws Exception {
    int brokerPort = freePort();
    int controllerPort = freePort();
    String logDir = directory.resolve("log").toString();
    Map<String, Object> props = new HashMap<>();
    props.put("process.roles", "broker,controller");
    props.put("node.id", "1");
    props.put("controller.quorum.voters", "1@localhost:" + controllerPort);
    props.put("listeners", "PLAINTEXT://localhost:" + brokerPort + ",CONTROLLER://localhost:" + controllerPort);
    props.put("advertised.listeners", "PLAINTEXT://localhost:" + brokerPort);
    props.put("controller.listener.names", "CONTROLLER");
    props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    props.put("inter.broker.listener.name", "PLAINTEXT");
    props.put("log.dirs", logDir);
    props.put("offsets.topic.replication.factor", "1");
    props.put("offsets.topic.num.partitions", "1");
    props.put("transaction.state.log.replication.factor", "1");
    props.put("transaction.state.log.min.isr", "1");
    props.put("transaction.state.log.num.partitions", "1");
    props.put("share.coordinator.state.topic.replication.factor", "1");
    props.put("share.coordinator.state.topic.min.isr", "1");
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("num.partitions", "1");
    props.put("default.replication.factor", "1");
    KafkaConfig config = new KafkaConfig(props, false);

    ByteArrayOutputStream formatOutput = new ByteArrayOutputStream();
    try (PrintStream print = new PrintStream(formatOutput, true, StandardCharsets.UTF_8)) {
      new Formatter()
          .setPrintStream(print)
          .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
          .setNodeId(1)
          .setClusterId(Uuid.randomUuid().toString())
          .addDirectory(logDir)
          .setMetadataLogDirectory(logDir)
          .setReleaseVersion(MetadataVersion.latestProduction())
          .setControllerListenerName("CONTROLLER")
          .run();
    }
    server = new KafkaRaftServer(config, Time.SYSTEM);
    server.startup();
    bootstrapServers = "localhost:" + brokerPort;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }

  String bootstrapServers() {
    return bootstrapServers;
  }

  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
  }
}
