package dev.sett.internal.vlog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sett.internal.vlog.GcCandidates.Choice;
import dev.sett.internal.vlog.GcCandidates.FileGarbage;
import dev.sett.internal.vlog.GcCandidates.PassedOver;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class GcCandidatesTest {
  private static final long PAYLOAD = 1000;

  /** A file whose payload of 1,000 bytes holds {@code garbage} bytes of garbage. */
  private static FileGarbage file(long id, long garbage, boolean active) {
    return new FileGarbage(id, ValueLogFormat.HEADER_LENGTH + PAYLOAD, garbage, active);
  }

  @Test
  void sealedFilesAtOrAboveTheRatioMostGarbageFirstTiesById() {
    List<FileGarbage> files = List.of(file(1, 500, false), file(2, 900, false),
        file(3, 499, false), file(4, 500, false), file(5, 1000, true));
    assertEquals(new Choice(List.of(2L, 1L, 4L), OptionalLong.empty()),
        GcCandidates.choose(files, 0.5, 10, Map.of()));
  }

  @Test
  void theActiveFileIsChosenOnlyWhenNoSealedFileQualifies() {
    List<FileGarbage> files = List.of(file(1, 100, false), file(2, 800, true));
    assertEquals(new Choice(List.of(), OptionalLong.of(2)),
        GcCandidates.choose(files, 0.5, 10, Map.of()));
  }

  @Test
  void aFileWithoutGarbageIsNeverACandidateEvenAtRatioZero() {
    assertEquals(new Choice(List.of(1L), OptionalLong.empty()),
        GcCandidates.choose(List.of(file(1, 1, false), file(2, 0, false)), 0, 10, Map.of()));
  }

  @Test
  void aPinnedFileWaitsUntilTheDiscardTimestampOrItsGarbageChanges() {
    List<FileGarbage> files = List.of(file(1, 600, false), file(2, 700, false));
    Map<Long, PassedOver> pinned = Map.of(2L, new PassedOver(10, 700));
    assertEquals(List.of(1L), GcCandidates.choose(files, 0.5, 10, pinned).sealed());
    assertEquals(List.of(2L, 1L), GcCandidates.choose(files, 0.5, 11, pinned).sealed());
    List<FileGarbage> moreGarbage = List.of(file(1, 600, false), file(2, 750, false));
    assertEquals(List.of(2L, 1L), GcCandidates.choose(moreGarbage, 0.5, 10, pinned).sealed());
  }

  @Test
  void theShareIsOfThePayloadAndAtMostOne() {
    assertEquals(0.25, file(1, 250, false).share());
    assertEquals(1.0, file(1, 5000, false).share());
    assertEquals(0.0, new FileGarbage(1, ValueLogFormat.HEADER_LENGTH, 10, false).share());
  }
}
