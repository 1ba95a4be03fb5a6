package dev.sett;

/** Accumulates values of one key and folds them with a function, in the background. Thread-safe. */
public interface MergeOperator extends AutoCloseable {

  /** Adds an operand. */
  void add(byte[] value);

  /** The fold of every operand so far; null when there is none. */
  byte[] get();

  /** Stops the background folding after one last fold. */
  @Override
  void close();
}
