package dev.sett;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/** A parallel scan of a snapshot that hands batches of key-values to one consumer. */
public interface Stream {

  Stream prefix(byte[] prefix);

  Stream numGo(int threads);

  Stream chooseKey(Predicate<Item> choose);

  Stream send(Consumer<List<KV>> sink);

  /** Runs the scan to the end. */
  void orchestrate();
}
