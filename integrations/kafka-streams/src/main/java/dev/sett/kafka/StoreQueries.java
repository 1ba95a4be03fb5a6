package dev.sett.kafka;

import java.util.function.Function;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.query.FailureReason;
import org.apache.kafka.streams.query.KeyQuery;
import org.apache.kafka.streams.query.Position;
import org.apache.kafka.streams.query.PositionBound;
import org.apache.kafka.streams.query.Query;
import org.apache.kafka.streams.query.QueryConfig;
import org.apache.kafka.streams.query.QueryResult;
import org.apache.kafka.streams.query.RangeQuery;
import org.apache.kafka.streams.query.ResultOrder;
import org.apache.kafka.streams.state.KeyValueIterator;

/** Interactive queries v2 on a byte store: {@link KeyQuery} and {@link RangeQuery}, within a position bound. */
final class StoreQueries {

  /** A range of the store: from and to (null for open), descending or not. */
  interface Ranges {
    KeyValueIterator<Bytes, byte[]> range(Bytes from, Bytes to, boolean descending);
  }

  private StoreQueries() {}

  /**
   * Answers {@code query} from {@code get} and {@code ranges} when the store's {@code position}
   * reaches {@code bound} for {@code partition}; the result carries a copy of the position.
   */
  @SuppressWarnings("unchecked")
  static <R> QueryResult<R> execute(StateStore store, Query<R> query, PositionBound bound, QueryConfig config,
      Position position, int partition, Function<Bytes, byte[]> get, Ranges ranges) {
    long start = System.nanoTime();
    QueryResult<R> result;
    if (!isPermitted(position, bound, partition)) {
      result = QueryResult.notUpToBound(position, bound, partition);
    } else if (query instanceof KeyQuery) {
      result = (QueryResult<R>) QueryResult.forResult(get.apply(((KeyQuery<Bytes, byte[]>) query).getKey()));
    } else if (query instanceof RangeQuery) {
      RangeQuery<Bytes, byte[]> range = (RangeQuery<Bytes, byte[]>) query;
      result = (QueryResult<R>) QueryResult.forResult(ranges.range(range.getLowerBound().orElse(null),
          range.getUpperBound().orElse(null), range.resultOrder() == ResultOrder.DESCENDING));
    } else {
      result = QueryResult.forUnknownQueryType(query, store);
    }
    if (config.isCollectExecutionInfo()) {
      result.addExecutionInfo("Handled in " + store.getClass().getSimpleName() + " " + store.name() + " in "
          + (System.nanoTime() - start) + "ns");
    }
    result.setPosition(position.copy());
    return result;
  }

  /** A failure for a store that is not open. */
  static <R> QueryResult<R> notOpen(StateStore store) {
    return QueryResult.forFailure(FailureReason.STORE_EXCEPTION, "Sett store " + store.name() + " is not open");
  }

  /** True when, for {@code partition}, {@code position} is at or past every offset of the bound. */
  static boolean isPermitted(Position position, PositionBound bound, int partition) {
    if (bound.isUnbounded()) {
      return true;
    }
    Position wanted = bound.position();
    for (String topic : wanted.getTopics()) {
      Long wantedOffset = wanted.getPartitionPositions(topic).get(partition);
      if (wantedOffset == null) {
        continue;
      }
      Long reached = position.getTopics().contains(topic)
          ? position.getPartitionPositions(topic).get(partition) : null;
      if (reached == null || reached < wantedOffset) {
        return false;
      }
    }
    return true;
  }
}
