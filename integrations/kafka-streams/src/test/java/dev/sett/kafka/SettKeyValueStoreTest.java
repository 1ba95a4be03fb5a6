package dev.sett.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.processor.BatchingStateRestoreCallback;
import org.apache.kafka.streams.processor.internals.RecordBatchingStateRestoreCallback;
import org.apache.kafka.streams.query.FailureReason;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.query.WindowKeyQuery;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.TimestampedBytesStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettKeyValueStoreTest {

  private static final TopicPartition CHANGELOG = new TopicPartition("app-counts-changelog", 0);

  @TempDir Path stateDir;

  private SettKeyValueStore open(TestStoreContext context) {
    return open(context, UnaryOperator.identity());
  }

  private SettKeyValueStore open(TestStoreContext context, UnaryOperator<dev.sett.Options.Builder> configure) {
    SettKeyValueStore store = (SettKeyValueStore) SettStores.persistentKeyValueStore("counts", configure).get();
    store.init(context, store);
    return store;
  }

  private static Bytes key(String key) {
    return Bytes.wrap(key.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] value(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> keys(KeyValueIterator<Bytes, byte[]> iterator) {
    List<String> out = new ArrayList<>();
    try (iterator) {
      iterator.forEachRemaining(kv -> out.add(new String(kv.key.get(), StandardCharsets.UTF_8)));
    }
    return out;
  }

  private static ConsumerRecord<byte[], byte[]> changelog(long offset, String key, String value) {
    return new ConsumerRecord<>(CHANGELOG.topic(), CHANGELOG.partition(), offset, value(key),
        value == null ? null : value(value));
  }

  @Test
  void restoreThroughTheCapturedCallbackCarriesTheOffsetOfEachBatch() {
    TestStoreContext context = new TestStoreContext(stateDir.toFile(), false);
    SettKeyValueStore store = open(context);
    assertNull(store.committedOffset(CHANGELOG));
    RecordBatchingStateRestoreCallback callback =
        assertInstanceOf(RecordBatchingStateRestoreCallback.class, context.restoreCallback);
    callback.restoreBatch(List.of(changelog(0, "a", "1"), changelog(1, "b", "1"), changelog(2, "a", "2")));
    assertEquals(2L, store.committedOffset(CHANGELOG));
    callback.restoreBatch(List.of(changelog(3, "b", null), changelog(7, "c", "9")));
    assertEquals(7L, store.committedOffset(CHANGELOG));
    assertEquals(0, store.approximateNumUncommittedBytes(), "each batch is written at once");
    // The public batching interface (no offsets) too.
    ((BatchingStateRestoreCallback) callback).restoreAll(List.of(KeyValue.pair(value("d"), value("4"))));
    store.close();

    store = open(context);
    try {
      assertEquals(7L, store.committedOffset(CHANGELOG));
      assertArrayEquals(value("2"), store.get(key("a")));
      assertNull(store.get(key("b")));
      assertArrayEquals(value("9"), store.get(key("c")));
      assertArrayEquals(value("4"), store.get(key("d")));
      assertEquals(3, store.approximateNumEntries());
    } finally {
      store.close();
    }
  }

  @Test
  void offsetsAndPositionAreCommittedWithTheDataAndUncommittedWritesAreDropped() {
    TestStoreContext context = new TestStoreContext(stateDir.toFile(), false);
    SettKeyValueStore store = open(context);
    context.at("words", 0, 40);
    store.put(key("x"), value("1"));
    context.at("words", 0, 41);
    store.put(key("y"), value("1"));
    store.commit(Map.of(CHANGELOG, 17L));
    Position committed = store.getPosition().copy();
    assertEquals(Map.of(0, 41L), committed.getPartitionPositions("words"));
    context.at("words", 0, 42);
    store.put(key("z"), value("lost"));   // never committed: the changelog has it, the store drops it
    store.close();

    store = open(context);
    try {
      assertEquals(17L, store.committedOffset(CHANGELOG));
      assertEquals(committed, store.getPosition());
      assertArrayEquals(value("1"), store.get(key("x")));
      assertNull(store.get(key("z")));
    } finally {
      store.close();
    }
  }

  @Test
  void underExactlyOnceAWriteWithoutOffsetsInvalidatesTheStoredOnes() {
    TestStoreContext eos = new TestStoreContext(stateDir.toFile(), true);
    SettKeyValueStore store = open(eos);
    store.put(key("a"), value("1"));
    store.commit(Map.of(CHANGELOG, 5L));
    store.put(key("b"), value("1"));
    store.flush();   // data of an uncommitted Kafka transaction reaches disk
    assertNull(store.committedOffset(CHANGELOG));
    store.close();
    store = open(eos);
    assertNull(store.committedOffset(CHANGELOG), "a crash now makes Kafka rebuild the task");
    store.commit(Map.of(CHANGELOG, 9L));
    assertEquals(9L, store.committedOffset(CHANGELOG));
    store.close();

    TestStoreContext alos = new TestStoreContext(stateDir.toFile(), false);
    store = open(alos);
    try {
      store.put(key("c"), value("1"));
      store.flush();
      assertEquals(9L, store.committedOffset(CHANGELOG), "at-least-once keeps them: replay is harmless");
    } finally {
      store.close();
    }
  }

  @Test
  void aCommitLargerThanOneSettTransactionIsSplitAndComplete() {
    TestStoreContext eos = new TestStoreContext(stateDir.toFile(), true);
    UnaryOperator<dev.sett.Options.Builder> small = b -> b.memTableSize(1 << 20).numMemtables(2);
    SettKeyValueStore store = open(eos, small);
    byte[] big = new byte[1024];
    for (int i = 0; i < 3000; i++) {   // ~3 MiB: several times the batch limit of a 1 MiB memtable
      store.put(key(String.format("k%05d", i)), big);
    }
    store.commit(Map.of(CHANGELOG, 3000L));
    assertEquals(3000L, store.committedOffset(CHANGELOG));
    store.close();
    store = open(eos, small);
    try {
      assertEquals(3000L, store.committedOffset(CHANGELOG));
      assertEquals(3000, store.approximateNumEntries());
      assertEquals(3000, keys(store.all()).size());
    } finally {
      store.close();
    }
  }

  @Test
  void iteratorsStillOpenAreClosedWithTheStore() {
    SettKeyValueStore store = open(new TestStoreContext(stateDir.toFile(), false));
    store.put(key("a"), value("1"));
    store.put(key("b"), value("1"));
    KeyValueIterator<Bytes, byte[]> first = store.all();
    KeyValueIterator<Bytes, byte[]> second = store.reverseRange(key("a"), key("b"));
    first.next();
    assertEquals(2, store.openIteratorCount());
    store.close();
    assertEquals(0, store.openIteratorCount());
    assertThrows(InvalidStateStoreException.class, first::hasNext);
    assertThrows(InvalidStateStoreException.class, second::hasNext);
    assertThrows(InvalidStateStoreException.class, () -> store.get(key("a")));
  }

  @Test
  void filesLiveOnlyUnderStateDirSlashName() throws Exception {
    SettKeyValueStore store = open(new TestStoreContext(stateDir.toFile(), false));
    store.put(key("a"), value("1"));
    store.commit(Map.of());
    store.close();
    try (Stream<Path> top = Files.list(stateDir)) {
      assertEquals(List.of("counts"), top.map(p -> p.getFileName().toString()).collect(Collectors.toList()));
    }
  }

  @Test
  void interactiveQueriesV2AnswerKeyAndRangeQueriesWithinThePositionBound() {
    TestStoreContext context = new TestStoreContext(stateDir.toFile(), false);
    SettKeyValueStore store = open(context);
    try {
      for (String k : List.of("a", "b", "c", "d")) {
        context.at("input", 0, k.charAt(0));
        store.put(key(k), value(k.toUpperCase()));
      }
      QueryResult<byte[]> hit = store.query(KeyQuery.withKey(key("b")), PositionBound.unbounded(),
          new QueryConfig(true));
      assertTrue(hit.isSuccess());
      assertArrayEquals(value("B"), hit.getResult());
      assertFalse(hit.getExecutionInfo().isEmpty());
      assertEquals(Map.of(0, (long) 'd'), hit.getPosition().getPartitionPositions("input"));

      QueryResult<KeyValueIterator<Bytes, byte[]>> range = store.query(
          RangeQuery.<Bytes, byte[]>withRange(key("b"), key("c")), PositionBound.unbounded(), new QueryConfig(false));
      assertEquals(List.of("b", "c"), keys(range.getResult()));
      QueryResult<KeyValueIterator<Bytes, byte[]>> descending = store.query(
          RangeQuery.<Bytes, byte[]>withNoBounds().withDescendingKeys(), PositionBound.unbounded(),
          new QueryConfig(false));
      assertEquals(List.of("d", "c", "b", "a"), keys(descending.getResult()));

      PositionBound reached = PositionBound.at(Position.emptyPosition().withComponent("input", 0, 'd'));
      assertTrue(store.query(KeyQuery.withKey(key("a")), reached, new QueryConfig(false)).isSuccess());
      PositionBound ahead = PositionBound.at(Position.emptyPosition().withComponent("input", 0, 1000));
      QueryResult<byte[]> behind = store.query(KeyQuery.withKey(key("a")), ahead, new QueryConfig(false));
      assertEquals(FailureReason.NOT_UP_TO_BOUND, behind.getFailureReason());

      QueryResult<?> unknown = store.query(WindowKeyQuery.withKeyAndWindowStartRange(key("a"),
          java.time.Instant.EPOCH, java.time.Instant.EPOCH), PositionBound.unbounded(), new QueryConfig(false));
      assertEquals(FailureReason.UNKNOWN_QUERY_TYPE, unknown.getFailureReason());
    } finally {
      store.close();
    }
  }

  @Test
  void readCommittedSeesOnlyWhatTheLastCommitWrote() {
    TestStoreContext context = new TestStoreContext(stateDir.toFile(), true);
    SettKeyValueStore store = open(context);
    try {
      store.put(key("a"), value("1"));
      store.commit(Map.of(CHANGELOG, 1L));
      store.put(key("a"), value("2"));   // buffered, not committed
      store.put(key("b"), value("1"));
      ReadOnlyKeyValueStore<Bytes, byte[]> committed = store.readOnly(IsolationLevel.READ_COMMITTED);
      assertArrayEquals(value("1"), committed.get(key("a")));
      assertNull(committed.get(key("b")));
      assertEquals(List.of("a"), keys(committed.all()));
      assertEquals(List.of("a"), keys(committed.prefixScan("", new org.apache.kafka.common.serialization.StringSerializer())));
      assertEquals(1, committed.approximateNumEntries());
      assertSame(store, store.readOnly(IsolationLevel.READ_UNCOMMITTED));
      assertArrayEquals(value("2"), store.readOnly(IsolationLevel.READ_UNCOMMITTED).get(key("a")));

      QueryResult<byte[]> readCommitted = store.query(KeyQuery.withKey(key("a")), PositionBound.unbounded(),
          new QueryConfig(false, IsolationLevel.READ_COMMITTED));
      assertArrayEquals(value("1"), readCommitted.getResult());
      QueryResult<KeyValueIterator<Bytes, byte[]>> committedRange = store.query(RangeQuery.withNoBounds(),
          PositionBound.unbounded(), new QueryConfig(false, IsolationLevel.READ_COMMITTED));
      assertEquals(List.of("a"), keys(committedRange.getResult()));
      QueryResult<byte[]> readUncommitted = store.query(KeyQuery.withKey(key("a")), PositionBound.unbounded(),
          new QueryConfig(false, IsolationLevel.READ_UNCOMMITTED));
      assertArrayEquals(value("2"), readUncommitted.getResult());

      store.commit(Map.of(CHANGELOG, 2L));
      assertArrayEquals(value("2"), committed.get(key("a")));
      assertEquals(List.of("a", "b"), keys(committed.all()));
    } finally {
      store.close();
    }
  }

  @Test
  void theTimestampedVariantIsATimestampedBytesStore() {
    assertInstanceOf(TimestampedBytesStore.class, SettStores.persistentTimestampedKeyValueStore("t").get());
    assertFalse(SettStores.persistentKeyValueStore("p").get() instanceof TimestampedBytesStore);
    assertEquals("sett", SettStores.persistentKeyValueStore("p").metricsScope());
    assertThrows(IllegalArgumentException.class, () -> SettStores.persistentKeyValueStore("../escape"));
    assertThrows(NullPointerException.class, () -> SettStores.persistentKeyValueStore(null));
  }

  @Test
  void kafkaDefaultsApplyAndTheConfigureFunctionGoesOnTop() {
    SettKeyValueStore store = open(new TestStoreContext(stateDir.toFile(), false), b -> b.memTableSize(8 << 20));
    try {
      dev.sett.Options options = store.settOptions();
      assertEquals(8 << 20, options.memTableSize());
      assertEquals(SettStores.DEFAULT_NUM_MEMTABLES, options.numMemtables());
      assertEquals(SettStores.DEFAULT_BLOCK_CACHE_SIZE, options.blockCacheSize());
      assertEquals(SettStores.DEFAULT_NUM_COMPACTORS, options.numCompactors());
      assertEquals(stateDir.resolve("counts"), options.dir());
    } finally {
      store.close();
    }
  }

  @Test
  void aBadSettOptionFailsAtOpenNamingIt() {
    SettKeyValueStore store = (SettKeyValueStore) SettStores.persistentKeyValueStore("bad",
        b -> b.memTableSize(-1)).get();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> store.init(new TestStoreContext(stateDir.toFile(), false), store));
    assertTrue(e.getMessage().contains("memTableSize"), e.getMessage());
    assertFalse(store.isOpen());
  }
}
