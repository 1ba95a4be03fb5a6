package dev.sett.internal.lsm;

import dev.sett.internal.codec.DataKeys;
import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.sstable.BlockCache;
import dev.sett.internal.sstable.IndexCache;
import dev.sett.internal.sstable.Table;
import dev.sett.internal.sstable.TableBuilder;
import dev.sett.internal.sstable.TableOptions;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Where tables are written and how they are opened: the file system, the store's directory, the
 * table options, the block cache and the table ids. Flushes, compactions and bulk loads all write
 * tables through this one collaborator.
 *
 * <p>Thread-safety: safe for concurrent use; ids come from a thread-safe supplier.
 */
public final class TableFiles {
  /** A table file written and synced, not yet opened. */
  public record Written(long id, Path path) {}

  private final FileSystem fileSystem;
  private final Path directory;
  private final TableOptions options;
  private final BlockCache blockCache;
  private final IndexCache indexCache;
  private final LongSupplier newTableId;
  /** Which data key new tables are sealed with, and the keys of existing ones. */
  private final DataKeys keys;

  public TableFiles(FileSystem fileSystem, Path directory, TableOptions options,
      BlockCache blockCache, LongSupplier newTableId) {
    this(fileSystem, directory, options, blockCache, IndexCache.disabled(), newTableId,
        DataKeys.NONE);
  }

  /**
   * As the other constructor; the tables it opens keep their indexes in {@code indexCache}, and
   * are encrypted under {@code keys} (or plain: {@link DataKeys#NONE}).
   */
  public TableFiles(FileSystem fileSystem, Path directory, TableOptions options,
      BlockCache blockCache, IndexCache indexCache, LongSupplier newTableId, DataKeys keys) {
    this.indexCache = Objects.requireNonNull(indexCache, "indexCache");
    this.keys = Objects.requireNonNull(keys, "keys");
    this.fileSystem = Objects.requireNonNull(fileSystem, "fileSystem");
    this.directory = Objects.requireNonNull(directory, "directory");
    this.options = Objects.requireNonNull(options, "options");
    this.blockCache = Objects.requireNonNull(blockCache, "blockCache");
    this.newTableId = Objects.requireNonNull(newTableId, "newTableId");
  }

  public TableOptions options() {
    return options;
  }

  /**
   * A streaming builder for a new table with these options, sealed under the current data key in
   * an encrypted store (which may first rotate to a new key: that writes the key registry). It
   * writes its blocks to a file with a fresh id as it goes; {@link #write} completes it. A builder
   * that is not written must be {@link TableBuilder#abandon abandoned}, which deletes its partial
   * file.
   */
  public TableBuilder newBuilder() throws IOException {
    return new TableBuilder(options, keys.current(), fileSystem, () -> {
      long id = newTableId.getAsLong();
      return new TableBuilder.FileTarget(id, path(id));
    });
  }

  /** The store's data keys. */
  public DataKeys keys() {
    return keys;
  }

  /** The file of table {@code id}. */
  public Path path(long id) {
    return directory.resolve(Table.fileName(id));
  }

  /**
   * Writes {@code builder}'s table to a new file with a fresh id and syncs the file (not yet its
   * directory entry: see {@link #syncDirectory}); a streaming builder ({@link #newBuilder}) is
   * finished in the file it chose. A partial file is deleted on failure, except one that already
   * existed, which is someone else's.
   */
  public Written write(TableBuilder builder) throws IOException {
    if (builder.isStreaming()) {
      try {
        TableBuilder.FileTarget target = builder.finish();
        return new Written(target.id(), target.path());
      } catch (IOException | RuntimeException e) {
        if (builder.target() != null) { // chosen and created by the builder: ours to delete
          deleteAfter(e, builder.target().path());
        }
        throw e;
      }
    }
    long id = newTableId.getAsLong();
    Path path = path(id);
    try {
      builder.writeTo(fileSystem, path);
    } catch (FileAlreadyExistsException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      deleteAfter(e, path);
      throw e;
    }
    return new Written(id, path);
  }

  /** Forces the directory entries of written tables to disk, before the MANIFEST names them. */
  public void syncDirectory() throws IOException {
    fileSystem.syncDirectory(directory);
  }

  /** Opens a table file for reading, with the cache and options of this store. */
  public Table open(long id, Path path) throws IOException {
    return Table.open(fileSystem, path, id, options, blockCache, indexCache, keys);
  }

  /**
   * Writes {@code builder}'s table, makes the file and its directory entry durable and opens it;
   * on failure nothing of it is left.
   */
  public Table writeDurableAndOpen(TableBuilder builder) throws IOException {
    Written written = write(builder);
    try {
      syncDirectory();
      return open(written.id(), written.path());
    } catch (IOException | RuntimeException e) {
      deleteAfter(e, written.path());
      throw e;
    }
  }

  /** Deletes a table file that no MANIFEST names. */
  public void delete(Path path) throws IOException {
    fileSystem.delete(path);
  }

  private void deleteAfter(Throwable failure, Path path) {
    try {
      fileSystem.delete(path);
    } catch (IOException | RuntimeException deleteFailure) {
      failure.addSuppressed(deleteFailure);
    }
  }
}
