package dev.sett;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A parallel scan of a snapshot that hands batches of key-values to one consumer (Badger's
 * {@code Stream}). The snapshot is taken when the stream is created ({@link DB#newStream()},
 * {@link DB#newStreamAt(long)}) and held until {@link #orchestrate()} returns. A stream runs once.
 *
 * <p>The key range is split at table boundaries into ranges that {@link #numGo} threads scan in
 * parallel. Every key is sent exactly once; within one batch keys come in ascending order (a
 * batch holds keys of one range), while batches of different ranges interleave unless
 * {@link #inKeyOrder} asks for global key order. Per key, the
 * versions are sent newest first, down to the first deleted or expired one (which is not sent),
 * or only the newest when the store keeps one version or a version discards earlier ones; a key
 * whose newest version is deleted or expired is not sent. Memory stays bounded whatever the
 * store's size: a few batches of about {@link #maxSize} bytes per thread.
 *
 * <p>Until it has run, a stream holds its snapshot like an open read-only transaction (compaction
 * keeps the versions it can see); a stream that is never run holds it until the store closes.
 */
public interface Stream {

  /** Only keys that start with {@code prefix} (default: every key). */
  Stream prefix(byte[] prefix);

  /** Number of scanning threads (default 8). */
  Stream numGo(int threads);

  /**
   * Called once per key with its newest version (from the scanning threads, concurrently); the
   * key is sent only if it returns true. Default: every key.
   */
  Stream chooseKey(Predicate<Item> choose);

  /** Receives the batches, one call at a time, on the thread that called {@link #orchestrate}. */
  Stream send(Consumer<List<KV>> sink);

  /**
   * With {@code true}, batches reach the sink in global key order (keys ascending across batches,
   * as a {@link StreamWriter} takes them), the ranges still scanned in parallel; a thread that gets
   * ahead of the sink waits. Default false: batches of different ranges interleave.
   */
  Stream inKeyOrder(boolean ordered);

  /** The soft upper bound, in bytes of keys and values, of one batch (default 4 MiB). */
  Stream maxSize(long bytes);

  /** The timestamp of the snapshot the stream reads. */
  long readTs();

  /**
   * Runs the scan to the end and returns when every batch was sent. The first exception that
   * {@code send} or {@code chooseKey} threw stops every thread and is rethrown here, itself.
   *
   * @throws IllegalStateException if {@code send} was not set, or the stream already ran
   */
  void orchestrate();
}
