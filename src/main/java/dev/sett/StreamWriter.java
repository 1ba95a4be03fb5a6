package dev.sett;

import java.util.List;

/** Loads sorted key-values straight into tables, replacing the store's contents. */
public interface StreamWriter extends AutoCloseable {

  /** Drops all existing data and blocks other writes until {@link #flush()}. */
  void prepare();

  void write(List<KV> kvs);

  void flush();

  @Override
  void close();
}
