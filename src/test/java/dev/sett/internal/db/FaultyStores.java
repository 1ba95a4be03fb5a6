package dev.sett.internal.db;

import dev.sett.DB;
import dev.sett.Options;
import dev.sett.internal.fs.DirectoryLock;
import dev.sett.internal.fs.FileSystem;
import dev.sett.internal.lsm.LevelsController;
import dev.sett.internal.manifest.Manifest;
import dev.sett.internal.memtable.Memtable;
import dev.sett.internal.sstable.BlockCache;
import dev.sett.internal.txn.Oracle;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Opens a store over a given {@link FileSystem}, for the fault-injection and power-loss tests.
 *
 * <p>Stopgap: {@code Options} has no way to pass a file system and {@link StoreFiles} picks its
 * own, so this class repeats the steps of {@link DbImpl#open} with the file system swapped in (by
 * reflection, since the constructor is private). Once {@code StoreFiles} takes the file system
 * from the options, {@link #open} becomes one call to {@code DB.open} and this mirror goes; until
 * then it must follow {@code DbImpl.open} (a failing reflective call says when it no longer does).
 */
public final class FaultyStores {
  private FaultyStores() {
  }

  /** Opens the store of {@code options} with every file operation going to {@code fileSystem}. */
  public static DB open(Options options, FileSystem fileSystem) {
    StoreFiles files = new StoreFiles(options);
    setField(files, "fileSystem", fileSystem);
    AtomicReference<Oracle> oracleHolder = new AtomicReference<>();
    DirectoryLock lock = null;
    Manifest manifest = null;
    LevelsController levels = null;
    try {
      lock = files.prepareDirectory();
      manifest = Manifest.open(files.fileSystem(), files.dir(), options.externalMagic(),
          options.readOnly());
      BlockCache cache = options.blockCacheSize() > 0
          ? new BlockCache(options.blockCacheSize()) : BlockCache.disabled();
      levels = LevelsController.open(files.fileSystem(), files.dir(), manifest,
          DerivedOptions.tableOptions(options), cache,
          DerivedOptions.levelsOptions(options, oracleHolder), options.readOnly());
      List<Memtable> recovered = files.recoverMemtables();
      Memtables memtables = new Memtables(options.numMemtables());
      Memtable first = options.readOnly() ? null : files.newMemtable();
      memtables.initialize(first, recovered);
      long maxVersion = levels.maxVersion();
      for (Memtable memtable : recovered) {
        maxVersion = Math.max(maxVersion, memtable.maxVersion());
      }
      Oracle oracle = new Oracle(maxVersion, options.detectConflicts(), false);
      oracleHolder.set(oracle);
      Constructor<DbImpl> constructor = DbImpl.class.getDeclaredConstructor(Options.class,
          boolean.class, StoreFiles.class, DirectoryLock.class, Manifest.class,
          LevelsController.class, Memtables.class, Oracle.class);
      constructor.setAccessible(true);
      DbImpl db = constructor.newInstance(options, false, files, lock, manifest, levels,
          memtables, oracle);
      Method start = DbImpl.class.getDeclaredMethod("start");
      start.setAccessible(true);
      start.invoke(db);
      return db;
    } catch (IOException | RuntimeException | ReflectiveOperationException e) {
      closeQuietly(levels, e);
      closeQuietly(manifest, e);
      closeQuietly(lock, e);
      Throwable cause = e instanceof InvocationTargetException target ? target.getCause() : e;
      if (cause instanceof IOException io) {
        throw Errors.convert(io);
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException("FaultyStores no longer matches DbImpl.open", cause);
    }
  }

  private static void setField(Object target, String name, Object value) {
    try {
      Field field = target.getClass().getDeclaredField(name);
      field.setAccessible(true);
      field.set(target, value);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("FaultyStores no longer matches StoreFiles", e);
    }
  }

  private static void closeQuietly(AutoCloseable resource, Throwable primary) {
    if (resource == null) {
      return;
    }
    try {
      resource.close();
    } catch (Exception e) {
      primary.addSuppressed(e);
    }
  }
}
