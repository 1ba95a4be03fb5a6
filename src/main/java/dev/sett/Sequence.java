package dev.sett;

/** Unique, increasing numbers stored under one key and leased in ranges. Thread-safe. */
public interface Sequence extends AutoCloseable {

  /** The next number. */
  long next();

  /** Returns the unused part of the lease to the store. */
  @Override
  void close();
}
