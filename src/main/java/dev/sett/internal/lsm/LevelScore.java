package dev.sett.internal.lsm;

/**
 * How urgently one level needs compaction (reference §7.3). {@code score} ≥ 1 makes the level a
 * candidate; candidates run in order of {@code adjustedScore}, which an over-full level below
 * lowers and an under-full one raises.
 */
public record LevelScore(int level, double score, double adjustedScore) {
  @Override
  public String toString() {
    return "L" + level + " " + score + "/" + adjustedScore;
  }
}
