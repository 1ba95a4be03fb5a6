package dev.sett.internal.db;

import dev.sett.DbIterator;
import dev.sett.IteratorOptions;
import dev.sett.Txn;
import dev.sett.internal.backup.BackupFormat;
import dev.sett.internal.backup.BackupWriter;
import dev.sett.internal.key.Meta;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;

/**
 * Writes a backup of one snapshot in Badger's format (docs/format/backup.md, reference §1.13):
 * every key in order, and of each key its versions above {@code since}, newest first, down to
 * the first that ends its history: a tombstone or an expired version (written without its value),
 * or a version that discards earlier ones (written, then followed by a tombstone one version
 * below it, as Badger writes it, so that a store loading this backup over an older one drops the
 * older versions too). Values are read through the snapshot's all-versions iterator, which reads
 * the value log in file order; memory stays bounded by one frame of the {@link BackupWriter}
 * and the iterator's read-ahead.
 */
final class BackupStream {
  private BackupStream() {
  }

  /** What a backup wrote. */
  record Result(long maxVersion, long records, long bytes) {
  }

  /**
   * Writes the backup of {@code snapshot}'s view. Returns the highest version written, or
   * {@code since} when nothing was above it (so the result is always the next {@code since}).
   */
  static Result write(Txn snapshot, OutputStream out, long since, int frameBytes)
      throws IOException {
    BackupWriter writer = new BackupWriter(out, frameBytes);
    long maxVersion = since;
    IteratorOptions options = IteratorOptions.builder()
        .allVersions(true)
        .sinceTs(since)
        .prefetchValues(true)
        .prefetchSize(100)
        .build();
    try (DbIterator it = snapshot.newIterator(options)) {
      byte[] endedKey = null;
      for (it.rewind(); it.valid(); it.next()) {
        ItemImpl item = (ItemImpl) it.item();
        byte[] key = item.keyRef();
        if (endedKey != null && Arrays.equals(key, endedKey)) {
          continue; // older than a version that ended the key's history
        }
        endedKey = null;
        long version = item.version();
        byte meta = item.meta();
        boolean gone = item.isDeletedOrExpired();
        writer.add(key, gone ? null : item.value(), item.userMeta(), version, item.expiresAt(),
            meta);
        maxVersion = Math.max(maxVersion, version);
        if (gone) {
          endedKey = key;
        } else if ((meta & Meta.DISCARD_EARLIER_VERSIONS) != 0) {
          if (version > 1) {
            writer.add(key, null, (byte) 0, version - 1, 0, BackupFormat.META_DELETE);
          }
          endedKey = key;
        }
      }
    }
    writer.finish();
    return new Result(maxVersion, writer.records(), writer.bytesWritten());
  }
}
