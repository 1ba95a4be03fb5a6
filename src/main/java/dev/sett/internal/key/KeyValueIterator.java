package dev.sett.internal.key;

/**
 * A uni-directional cursor over internal keys in order (forward) or in reverse order. Memtables,
 * SSTables, levels and the merging iterator all implement it.
 *
 * <p>Direction is fixed at creation. Forward: {@link #seek} goes to the first key {@code >= target}.
 * Reverse: to the last key {@code <= target}, and {@link #next} moves to smaller keys.
 *
 * <p>Errors: reading may hit a damaged block; methods then throw {@link java.io.UncheckedIOException}
 * wrapping a {@code CorruptFileException} (or another {@code IOException}), which the API layer
 * converts.
 *
 * <p>Thread-safety: not thread-safe. {@link #close()} releases the references the iterator holds
 * (table mappings, memtables); it is idempotent.
 */
public interface KeyValueIterator extends AutoCloseable {

  /** Goes to the first entry (the last one for a reverse iterator). */
  void rewind();

  /** Goes to the first entry at or after {@code internalKey} in this iterator's direction. */
  void seek(byte[] internalKey);

  /** Advances; requires {@link #valid()}. */
  void next();

  boolean valid();

  /**
   * The current internal key. The array stays valid after the iterator moves on; callers must not
   * modify it. Requires {@link #valid()}.
   */
  byte[] key();

  /** The current value, with {@link ValueStruct#version()} filled in. Requires {@link #valid()}. */
  ValueStruct value();

  @Override
  void close();
}
