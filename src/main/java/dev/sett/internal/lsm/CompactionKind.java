package dev.sett.internal.lsm;

/** What a {@link CompactionPlan} does; reference §7.4–7.5 and §1.15. */
public enum CompactionKind {
  /** A contiguous run of L0, oldest first, merged into the base level. */
  LEVEL0_TO_BASE,
  /** A contiguous run of small, settled L0 tables merged into one L0 table in their place. */
  LEVEL0_TO_LEVEL0,
  /** One table of Li (1 ≤ i < Lmax) merged with the tables of Li+1 it overlaps. */
  LEVEL_TO_NEXT,
  /** One stale-heavy table of Lmax (and its small neighbours) rewritten in place. */
  MAX_LEVEL_STALE,
  /**
   * One Lmax table whose values lie scattered in the value log, rewritten in place once writes
   * have cooled, its scattered values moved into key order ({@link ValueRelocation}).
   */
  RELOCATE_VALUES,
  /** Tables that may hold a dropped prefix rewritten without it (Li→Li, then L0→Lbase). */
  DROP_PREFIX,
  /** A compaction forced by Flatten regardless of scores (L0→Lbase or Li→Li+1). */
  FLATTEN
}
