package dev.sett.bench;

import java.io.IOException;
import java.nio.file.Path;

/**
 * One storage engine under the side-by-side benchmark, opened with its default options. Every
 * engine hands values back as {@code byte[]} on the heap, so none is credited for a copy it
 * skips. Reads may be called from several threads at once; writes from one. Each engine runs in a JVM of
 * its own (the driver's child), so none inherits another's heap, JIT profile or threads.
 */
interface Engine extends AutoCloseable {
  /** The engine's name in tables and charts. */
  String name();

  /** Opens (creating) a store in the empty directory {@code dir}. */
  void open(Path dir, long logicalBytes) throws IOException;

  /** Writes {@code count} pairs through the engine's bulk write API (a write batch). */
  void writeBatch(byte[][] keys, byte[][] values, int count) throws IOException;

  /** Writes one pair through the engine's own single-key write, with its default durability. */
  void put(byte[] key, byte[] value) throws IOException;

  /** The value of {@code key}, or null. */
  byte[] get(byte[] key) throws IOException;

  /** Iterates over every pair in key order; returns the bytes of keys and values read. */
  long scan(PairCounter counter) throws IOException;

  /** Seeks to the first key at or after {@code key} and reads up to {@code count} pairs; returns bytes read. */
  long seekAndRead(byte[] key, int count) throws IOException;

  /** True when the engine has no background work (flush, compaction) it knows of. */
  default boolean quiet() {
    return true;
  }

  @Override
  void close() throws IOException;

  /** Counts the pairs a scan visits. */
  final class PairCounter {
    long pairs;
  }
}
