package dev.sett.internal.memtable;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The memtables a test opened, whose WALs are closed after it so that no file stays open
 * ({@code NoLeakedFiles}). Register with {@code @RegisterExtension} and wrap each memtable in
 * {@link #track}.
 */
public final class OpenedMemtables implements AfterEachCallback {
  private final List<Memtable> opened = new ArrayList<>();

  /** Returns {@code memtable}, to be closed after the test. */
  public Memtable track(Memtable memtable) {
    opened.add(memtable);
    return memtable;
  }

  @Override
  public void afterEach(ExtensionContext context) throws IOException {
    for (Memtable memtable : opened) {
      memtable.closeWal();
    }
    opened.clear();
  }
}
