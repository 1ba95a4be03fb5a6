package dev.sett.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.query.Position;
import org.junit.jupiter.api.Test;

/** Keeps docs/format/kafka-store.md true: its worked examples, byte for byte. */
class StoreMetadataGoldenTest {

  private static final HexFormat HEX = HexFormat.of();

  @Test
  void offsetsRecordOfTheWorkedExample() {
    byte[] bytes = StoreMetadata.encodeOffsets(Map.of(new TopicPartition("app-counts-changelog", 0), 17L));
    assertEquals("01" + "01000000" + "1400" + HEX.formatHex("app-counts-changelog".getBytes())
        + "00000000" + "1100000000000000", HEX.formatHex(bytes));
    assertEquals(Map.of(new TopicPartition("app-counts-changelog", 0), 17L), StoreMetadata.decodeOffsets(bytes));
  }

  @Test
  void positionRecordOfTheWorkedExample() {
    Position position = Position.emptyPosition().withComponent("words", 2, 41);
    byte[] bytes = StoreMetadata.encodePosition(position);
    assertEquals("01" + "01000000" + "0500" + HEX.formatHex("words".getBytes()) + "01000000"
        + "02000000" + "2900000000000000", HEX.formatHex(bytes));
    assertEquals(position, StoreMetadata.decodePosition(bytes));
  }

  @Test
  void countRecordAndKeys() {
    assertEquals("01" + "0300000000000000", HEX.formatHex(StoreMetadata.encodeCount(3)));
    assertEquals("006f", HEX.formatHex(StoreMetadata.OFFSETS_KEY));
    assertEquals("0070", HEX.formatHex(StoreMetadata.POSITION_KEY));
    assertEquals("006e", HEX.formatHex(StoreMetadata.COUNT_KEY));
    assertEquals("016162", HEX.formatHex(StoreMetadata.dataKey("ab".getBytes())));
  }

  @Test
  void newerTruncatedAndInvalidRecordsAreRefusedDistinctly() {
    IllegalStateException newer = assertThrows(IllegalStateException.class,
        () -> StoreMetadata.decodeCount(HEX.parseHex("020300000000000000")));
    assertTrue(newer.getMessage().contains("newer"), newer.getMessage());
    IllegalStateException truncated = assertThrows(IllegalStateException.class,
        () -> StoreMetadata.decodeOffsets(HEX.parseHex("0101000000")));
    assertTrue(truncated.getMessage().contains("truncated"), truncated.getMessage());
    IllegalStateException invalid = assertThrows(IllegalStateException.class,
        () -> StoreMetadata.decodePosition(HEX.parseHex("0000000000")));
    assertTrue(invalid.getMessage().contains("invalid"), invalid.getMessage());
  }
}
