/**
 * Layer 4: the tree of levels: the levels controller and its snapshots, point lookups and iteration
 * across levels, and leveled compaction (Badger's dynamic targets, scoring, picking, sub-compactions,
 * drops and flatten, the version retention rules and value log discard statistics).
 */
package dev.sett.internal.lsm;
