package dev.sett;

import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The child side of {@link NamespaceTest#aBanSurvivesAKill}: round after round, writes
 * {@link #KEYS} keys into namespace {@code round}, bans it, and appends {@code round} to the
 * acknowledgement file (synced) once {@code banNamespace} has returned. Runs until killed.
 *
 * <p>Arguments: store directory, acknowledgement file.
 */
public final class NamespaceCrashWriter {
  static final int KEYS = 20;

  private NamespaceCrashWriter() {
  }

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    try (DB db = DB.open(Options.builder(dir).namespaceOffset(2).memTableSize(64 << 10).build());
        FileOutputStream acks = new FileOutputStream(args[1], true)) {
      for (long round = 1; ; round++) {
        for (int i = 0; i < KEYS; i++) {
          db.put(NamespaceTest.key(round, "key" + i), ("value " + i).getBytes(StandardCharsets.UTF_8));
        }
        db.banNamespace(round);
        acks.write((round + "\n").getBytes(StandardCharsets.US_ASCII));
        acks.getFD().sync();
      }
    }
  }
}
