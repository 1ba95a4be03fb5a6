package dev.sett.internal.lsm;

import dev.sett.internal.sstable.Table;
import io.opentelemetry.api.trace.Span;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs compactions: the {@code numCompactors} worker threads of Badger §7.4, and the forced
 * compactions of flatten, drop-prefix and compact-L0-on-close.
 *
 * <p>Each worker ticks every {@value #TICK_MILLIS} ms (or sooner when a flush wakes it), asks
 * {@link CompactionPolicy} for a plan (which registers it in {@link CompactionStatus}, so two
 * compactions never touch overlapping ranges or the same table), runs it with the
 * {@link CompactionExecutor} and hands the result to {@link LevelsController#applyCompaction}. A
 * failed compaction is logged and leaves the levels as they were (the executor deletes its partial
 * outputs; the MANIFEST is written only for a finished one).
 *
 * <p>Exclusivity: background compactions hold the read side of {@link #maintenance} from choosing a
 * plan to applying it; {@link #pause()} (drops, flatten) and {@link #stop()} take the write side, so
 * they wait for running compactions and no new one can start until they are done. The lock is fair,
 * so a waiting pause is not starved by a stream of compactions.
 *
 * <p>Thread-safety: safe for concurrent use.
 */
final class Compactions {
  private static final Logger LOG = LoggerFactory.getLogger(Compactions.class);
  static final long TICK_MILLIS = 50;
  /** Ticks between two attempts at an Lmax→Lmax stale-data compaction (Badger: ~10 s). */
  private static final long MAX_LEVEL_TICKS = 200;
  private static final long MAX_TABLE_SIZE = 1L << 30;

  private final ThreadFactory compactorThreads;
  private final CompactionTarget levels;
  private final LevelsOptions options;
  private final int workers;
  private final CompactionStatus status;
  private final CompactionExecutor executor;
  private final ExecutorService subcompactionPool;
  private final CompactionTelemetry telemetry;
  private final List<Thread> threads = new ArrayList<>();
  /** Wakes idle workers (after a flush, or to stop). */
  private final Object pauseLock = new Object();
  private final java.util.concurrent.locks.ReentrantReadWriteLock maintenance =
      new java.util.concurrent.locks.ReentrantReadWriteLock(true);
  private volatile boolean stopping;
  private final java.util.concurrent.atomic.AtomicBoolean stopped =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final AtomicLong compactionsRun = new AtomicLong();
  private final AtomicLong compactionsFailed = new AtomicLong();
  /** Failures since the last compaction that succeeded, and the latest of them. */
  private final AtomicLong failuresInARow = new AtomicLong();
  private volatile IOException lastFailure;
  /** Moves cooled values into key order; null when the store does not ({@code valueLogKeyOrder}). */
  private volatile ValueRelocation relocation;
  /** Relocating compactions finished; they do not count as activity that keeps values hot. */
  private final AtomicLong relocationsRun = new AtomicLong();

  Compactions(CompactionTarget levels, TableFiles tables, LevelsOptions options, int workers,
      CompactionTelemetry telemetry) {
    this.levels = levels;
    this.options = options;
    this.workers = workers;
    this.status = new CompactionStatus(options.maxLevels());
    this.telemetry = telemetry;
    int splits = Math.max(2, Math.min(5, Runtime.getRuntime().availableProcessors()));
    this.subcompactionPool = Executors.newFixedThreadPool(splits,
        options.threads().apply("subcompaction"));
    this.compactorThreads = options.threads().apply("compactor");
    this.executor = new CompactionExecutor(tables, subcompactionPool, options.namespaces());
  }

  CompactionStatus status() {
    return status;
  }

  /**
   * The latest compaction failure if at least {@code threshold} compactions failed in a row
   * (none succeeded since), else null: compaction is then not expected to drain L0 by itself.
   */
  IOException persistentFailure(int threshold) {
    return failuresInARow.get() >= threshold ? lastFailure : null;
  }

  boolean enabled() {
    return workers > 0 && !stopping;
  }

  long compactionsRun() {
    return compactionsRun.get();
  }

  long compactionsFailed() {
    return compactionsFailed.get();
  }

  /** Lets the last compactor move cooled values into key order (before {@link #start}). */
  void relocateValues(ValueRelocation relocation) {
    this.relocation = relocation;
  }

  /** What moves cooled values into key order, or null. */
  ValueRelocation relocation() {
    return relocation;
  }

  /** Relocating compactions that finished. */
  long relocationsRun() {
    return relocationsRun.get();
  }

  void start() {
    SplittableRandom random = new SplittableRandom();
    for (int worker = 0; worker < workers; worker++) {
      int id = worker;
      long initialDelay = random.nextLong(1000);
      Thread thread = compactorThreads.newThread(() -> work(id, initialDelay));
      threads.add(thread);
      thread.start();
    }
  }

  /** Lets waiting workers look for work now (after a flush). */
  void wakeUp() {
    synchronized (pauseLock) {
      pauseLock.notifyAll();
    }
  }

  private void work(int worker, long initialDelayMillis) {
    long ticks = 0;
    // Workers start spread over a second (as Badger's do), but stop() must not wait for that.
    synchronized (pauseLock) {
      if (!stopping) {
        try {
          pauseLock.wait(initialDelayMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
    while (!stopping) {
      ticks++;
      boolean maxLevelTick = options.compaction().lmaxCompaction() && worker == workers - 1
          && ticks % MAX_LEVEL_TICKS == 0;
      boolean ran = false;
      if (maintenance.readLock().tryLock()) { // fair: not while a pause waits or holds
        try {
          if (!stopping) {
            ran = runOnce(worker, maxLevelTick);
          }
        } catch (RuntimeException | Error e) {
          compactionsFailed.incrementAndGet();
          LOG.error("compactor {} failed unexpectedly; it keeps running", worker, e);
        } finally {
          maintenance.readLock().unlock();
        }
      }
      if (!ran && worker == workers - 1 && !stopping) {
        try {
          ran = relocateOnce(); // takes the maintenance lock itself, after the flush
        } catch (RuntimeException | Error e) {
          compactionsFailed.incrementAndGet();
          LOG.error("compactor {} failed unexpectedly; it keeps running", worker, e);
        }
      }
      if (!ran) {
        synchronized (pauseLock) {
          if (!stopping) {
            try {
              pauseLock.wait(TICK_MILLIS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              return;
            }
          }
        }
      }
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Picks, registers and runs one compaction for {@code worker}. Returns whether one ran well (the
   * worker then looks for more at once); after none, or a failure, the worker waits a tick.
   */
  private boolean runOnce(int worker, boolean maxLevelTick) {
    Optional<CompactionPlan> plan;
    LevelsView view;
    // The snapshot is taken under the status lock: a compaction applies its edit before it
    // releases its plan, so either its edit is in this snapshot or its tables are still marked
    // busy. Taken outside, the snapshot could list tables a compaction just replaced.
    synchronized (status) {
      try {
        view = levels.acquire();
      } catch (IllegalStateException closed) {
        return false;
      }
      try {
        plan = CompactionPolicy.pickAndRegister(worker, levels.summaries(view), status,
            options.compaction(), options.discardTs().getAsLong(), options.nowMillis().getAsLong(),
            maxLevelTick);
      } catch (RuntimeException | Error e) {
        view.close();
        throw e;
      }
    }
    try (view) {
      if (plan.isEmpty()) {
        return false;
      }
      try {
        run(plan.get(), view);
        failuresInARow.set(0);
        return true;
      } catch (IOException e) {
        lastFailure = e;
        failuresInARow.incrementAndGet();
        LOG.warn("compaction L{}->L{} failed; the levels are unchanged", plan.get().level(),
            plan.get().targetLevel(), e);
        return false; // back off for a tick rather than retry a failing plan in a tight loop
      } finally {
        status.release(plan.get());
      }
    }
  }

  /**
   * Once writes have cooled ({@link ValueRelocation#quiet}: no value log append, no other
   * compaction), rewrites one Lmax table whose values are scattered, moving them into key order.
   * Returns whether one ran well.
   */
  private boolean relocateOnce() {
    ValueRelocation relocating = relocation;
    if (relocating == null || !relocating.quiet(compactionsRun.get() - relocationsRun.get())) {
      return false;
    }
    // Values whose pointers still sit in memtables are scattered too: flushed (once per quiet
    // spell), outside the maintenance lock, as a drop holds writes while it waits for that lock.
    try {
      relocating.surfaceOnce();
    } catch (IOException | RuntimeException e) {
      if (!stopping) {
        LOG.warn("cannot flush the memtables to move their values into key order", e);
      }
      return false;
    }
    if (!maintenance.readLock().tryLock()) {
      return false;
    }
    try {
      boolean ran = !stopping && (pushDown(relocating) || relocateLastLevel(relocating));
      relocating.moving(ran);
      return ran;
    } finally {
      maintenance.readLock().unlock();
    }
  }

  /**
   * Compacts one table (or L0) of the highest level above Lmax that points into the value log
   * into the level below, moving its scattered values into key order: cooled data goes to Lmax,
   * as a flatten would take it (a small tree of keys and pointers: one level to read). A level
   * whose values are all inline stays where it is: there is nothing to move, and pushing it down
   * would only rewrite the tree. Returns whether one ran well.
   */
  private boolean pushDown(ValueRelocation relocating) {
    Set<Integer> pointingLevels = new HashSet<>();
    try (LevelsView view = levels.acquire()) {
      List<List<Table>> tables = view.levels();
      for (int level = 0; level < tables.size() - 1; level++) {
        for (Table table : tables.get(level)) {
          if (relocating.pointsIntoValueLog(table)) {
            pointingLevels.add(level);
            break;
          }
        }
      }
    } catch (IllegalStateException closed) {
      return false;
    } catch (RuntimeException e) {
      LOG.warn("cannot tell whether the upper levels point into the value log; not pushing them"
          + " down", e);
      return false;
    }
    if (pointingLevels.isEmpty()) {
      return false;
    }
    Optional<CompactionPlan> plan = Optional.empty();
    LevelsView view;
    synchronized (status) {
      try {
        view = levels.acquire();
      } catch (IllegalStateException closed) {
        return false;
      }
      try {
        List<List<TableSummary>> summaries = levels.summaries(view);
        for (int level = 0; level < summaries.size() - 1 && plan.isEmpty(); level++) {
          if (!summaries.get(level).isEmpty() && pointingLevels.contains(level)) {
            plan = CompactionPolicy.forcedPlanAndRegister(
                level == 0 ? CompactionKind.LEVEL0_TO_BASE : CompactionKind.FLATTEN, level,
                summaries, status, options.compaction());
          }
        }
      } catch (RuntimeException | Error e) {
        view.close();
        throw e;
      }
    }
    return runRelocating(plan, view, relocating);
  }

  /** Runs {@code plan} (if any) with {@code relocating}, then releases it and {@code view}. */
  private boolean runRelocating(Optional<CompactionPlan> plan, LevelsView view,
      ValueRelocation relocating) {
    try (view) {
      if (plan.isEmpty()) {
        return false;
      }
      try {
        run(plan.get(), view, relocating.newRun());
        relocationsRun.incrementAndGet();
        return true;
      } catch (IOException | RuntimeException e) {
        if (stopping) {
          return false;
        }
        LOG.warn("compaction L{}->L{} moving values into key order failed; the levels are"
            + " unchanged", plan.get().level(), plan.get().targetLevel(), e);
        return false;
      } finally {
        status.release(plan.get());
      }
    }
  }

  /** Rewrites one Lmax table whose values are scattered; whether one ran well. */
  private boolean relocateLastLevel(ValueRelocation relocating) {
    Set<Long> scattered = new HashSet<>();
    try (LevelsView view = levels.acquire()) {
      List<Table> last = view.levels().get(view.levels().size() - 1);
      Set<Long> live = new HashSet<>();
      for (List<Table> level : view.levels()) {
        for (Table table : level) {
          live.add(table.id()); // the push-downs' verdicts on upper levels stay too
        }
      }
      for (Table table : last) {
        if (!status.isCompacting(table.id()) && relocating.scattered(table)) {
          scattered.add(table.id());
        }
      }
      relocating.retainVerdicts(live);
    } catch (IllegalStateException closed) {
      return false;
    } catch (RuntimeException e) {
      LOG.warn("cannot judge the order of the last level's values; not moving any", e);
      return false;
    }
    if (scattered.isEmpty()) {
      return false;
    }
    Optional<CompactionPlan> plan;
    LevelsView view;
    synchronized (status) { // as in runOnce: the snapshot and the registration together
      try {
        view = levels.acquire();
      } catch (IllegalStateException closed) {
        return false;
      }
      try {
        plan = CompactionPolicy.relocationPlanAndRegister(levels.summaries(view), status,
            options.compaction(), scattered);
      } catch (RuntimeException | Error e) {
        view.close();
        throw e;
      }
    }
    return runRelocating(plan, view, relocating);
  }

  /** Runs one registered (or, for drops, exclusive) plan against the tables of {@code view}. */
  private void run(CompactionPlan plan, LevelsView view) throws IOException {
    run(plan, view, null);
  }

  /**
   * As {@link #run(CompactionPlan, LevelsView)}; with {@code relocation}, scattered values move
   * into key order, their files named in the same MANIFEST change as the tables.
   */
  private void run(CompactionPlan plan, LevelsView view, ValueRelocation.Run relocation)
      throws IOException {
    Map<Long, Table> byId = new HashMap<>();
    for (List<Table> level : view.levels()) {
      for (Table table : level) {
        byId.put(table.id(), table);
      }
    }
    List<Table> top = tables(plan.top(), byId);
    List<Table> bottom = tables(plan.bottom(), byId);
    if (plan.level() == 0) {
      java.util.Collections.reverse(top); // the merge wants the newest source first
    }
    if (plan.kind() == CompactionKind.DROP_PREFIX && plan.level() == plan.targetLevel()) {
      // A same-level drop reads its tables as one sorted run, which lets the executor skip the
      // tables every key of which is dropped without opening them.
      List<Table> all = new ArrayList<>(top);
      all.addAll(bottom);
      all.sort((a, b) -> dev.sett.internal.key.InternalKey.compare(a.smallestKey(), b.smallestKey()));
      top = List.of();
      bottom = all;
    }
    List<Table> belowTarget = plan.targetLevel() + 1 < view.levels().size()
        ? view.levels().get(plan.targetLevel() + 1) : List.of();
    List<TableSummary> involved = new ArrayList<>(plan.top());
    involved.addAll(plan.bottom());
    boolean dataMayExistBelow = dataMayExistBelow(view, plan.targetLevel(), KeyRange.covering(involved));
    List<Table> inputs = new ArrayList<>(top);
    inputs.addAll(bottom);

    // An L0→L0 plan asks for one output; a table must stay below 2 GiB (one mapping), so the
    // output is cut at 1 GiB instead. Several key-disjoint outputs in the run's place keep L0 in
    // age order all the same.
    long targetFileSize = Math.min(plan.targetFileSize(), MAX_TABLE_SIZE);
    CompactionInput input = new CompactionInput(plan.level(), plan.targetLevel(), top, bottom,
        belowTarget, dataMayExistBelow, options.discardTs().getAsLong(), options.numVersionsToKeep(),
        targetFileSize, plan.dropPrefixes(), options.nowMillis().getAsLong() / 1000);
    Span span = telemetry.start(plan);
    long start = System.nanoTime();
    try {
      CompactionOutput output;
      Map<Long, Long> discards;
      try {
        output = executor.run(input, relocation);
        discards = output.valueLogDiscards();
        if (relocation != null && !relocation.isEmpty()) {
          discards = new java.util.TreeMap<>(discards);
          discards.putAll(relocation.install()); // fresh ids: no count of theirs to add to
        }
      } catch (IOException | RuntimeException e) {
        if (relocation != null) {
          relocation.abandon(e); // no table points into them
        }
        throw e;
      }
      // A failure from here on may come after the MANIFEST change: the relocated files stay
      // (open deletes them if the MANIFEST does not know them).
      levels.applyCompaction(plan, inputs, output.tables(), discards);
      if (relocation != null) {
        relocation.committed();
      }
      telemetry.finished(span, plan, output, System.nanoTime() - start);
      compactionsRun.incrementAndGet();
    } catch (IOException | RuntimeException e) {
      compactionsFailed.incrementAndGet();
      telemetry.failed(span, e);
      throw e;
    }
  }

  private static List<Table> tables(List<TableSummary> summaries, Map<Long, Table> byId) {
    List<Table> tables = new ArrayList<>(summaries.size());
    for (TableSummary summary : summaries) {
      Table table = byId.get(summary.id());
      if (table == null) {
        throw new IllegalStateException("planned table " + summary.id() + " is not in the snapshot");
      }
      tables.add(table);
    }
    return tables;
  }

  /** Whether a level below {@code targetLevel} holds a table overlapping {@code range}. */
  private static boolean dataMayExistBelow(LevelsView view, int targetLevel, KeyRange range) {
    for (int level = targetLevel + 1; level < view.levels().size(); level++) {
      for (Table table : view.levels().get(level)) {
        KeyRange tableRange = KeyRange.of(
            dev.sett.internal.key.InternalKey.userKey(table.smallestKey()),
            dev.sett.internal.key.InternalKey.userKey(table.biggestKey()));
        if (tableRange.overlaps(range)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Waits for running compactions to finish and keeps new ones (and other maintenance) out until
   * {@link #resume()}, which the same thread must call.
   */
  void pause() {
    maintenance.writeLock().lock();
  }

  void resume() {
    maintenance.writeLock().unlock();
    wakeUp();
  }

  /**
   * Compacts until the data sits on one sorted level (Badger's Flatten): while more than one level
   * holds data, or L0 does, up to {@code parallelism} forced compactions of the top-most non-empty
   * level run at once; then ordinary priorities run until no level needs compaction.
   */
  void flatten(int parallelism) throws IOException {
    if (parallelism < 1) {
      throw new IllegalArgumentException("workers must be at least 1, was " + parallelism);
    }
    pause();
    ExecutorService pool = Executors.newFixedThreadPool(parallelism, options.threads().apply("flatten"));
    try {
      // Flatten what is there now: L0 tables flushed while it runs are left to the workers, so
      // flatten ends under a steady stream of writes.
      long newestAtStart = levels.lastTableId();
      while (!stopping) {
        List<CompactionPlan> plans = new ArrayList<>();
        try (LevelsView view = levels.acquire()) {
          List<List<TableSummary>> summaries = levels.summaries(view);
          int top = -1;
          int nonEmpty = 0;
          for (int level = 0; level < summaries.size(); level++) {
            boolean hasData = level == 0
                ? summaries.get(0).stream().anyMatch(table -> table.id() <= newestAtStart)
                : !summaries.get(level).isEmpty();
            if (hasData) {
              nonEmpty++;
              top = top < 0 ? level : top;
            }
          }
          // L0 is never a resting place: its tables overlap and hold tombstones that only a
          // compaction into the sorted levels can drop (Badger leaves a lone L0 alone).
          if (nonEmpty > 1 || (nonEmpty == 1 && top == 0)) {
            for (int i = 0; i < parallelism; i++) {
              Optional<CompactionPlan> plan = CompactionPolicy.forcedPlanAndRegister(
                  CompactionKind.FLATTEN, top, summaries, status, options.compaction());
              if (plan.isEmpty()) {
                break;
              }
              plans.add(plan.get());
            }
          } else {
            CompactionPolicy.pickAndRegister(0, summaries, status, options.compaction(),
                options.discardTs().getAsLong(), options.nowMillis().getAsLong(), false)
                .ifPresent(plans::add);
          }
          if (plans.isEmpty()) {
            return;
          }
          runAll(plans, view, pool);
        }
      }
    } finally {
      pool.shutdownNow();
      resume();
    }
  }

  private void runAll(List<CompactionPlan> plans, LevelsView view, ExecutorService pool) throws IOException {
    List<Future<?>> running = new ArrayList<>();
    for (CompactionPlan plan : plans) {
      running.add(pool.submit(() -> {
        try {
          run(plan, view);
        } finally {
          status.release(plan);
        }
        return null;
      }));
    }
    IOException failure = null;
    for (Future<?> future : running) {
      try {
        future.get();
      } catch (java.util.concurrent.ExecutionException e) {
        Throwable cause = e.getCause();
        IOException io = cause instanceof IOException ioe ? ioe : new IOException(cause.toString(), cause);
        if (failure == null) {
          failure = io;
        } else {
          failure.addSuppressed(io);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted while flattening");
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /**
   * Removes every key with one of {@code prefixes} from the tables (§1.15): with compactions
   * paused, rewrites each group of tables that may hold such keys within its level (dropping
   * wholly covered tables without reading them), then compacts all of L0 into the base level.
   */
  void dropPrefixes(List<byte[]> prefixes) throws IOException {
    pause();
    try {
      List<CompactionPlan> plans;
      try (LevelsView view = levels.acquire()) {
        plans = CompactionPolicy.dropPrefixPlans(levels.summaries(view), prefixes, options.compaction());
      }
      // Same-level drops first: their groups are distinct, so each plan's tables are still current
      // when it runs.
      for (CompactionPlan plan : plans) {
        if (plan.level() != 0) {
          try (LevelsView view = levels.acquire()) {
            run(plan, view);
          }
        }
      }
      // Then L0 into the base level, planned afresh: the drops above may have rewritten its tables.
      try (LevelsView view = levels.acquire()) {
        Optional<CompactionPlan> level0 = CompactionPolicy.levelZeroDropPrefixPlan(
            levels.summaries(view), prefixes, options.compaction());
        if (level0.isPresent()) {
          run(level0.get(), view);
        }
      }
    } finally {
      resume();
    }
  }

  /** Stops the workers, runs the compact-L0-on-close compaction if asked, shuts the pool down. */
  void stop() {
    if (!stopped.compareAndSet(false, true)) {
      return;
    }
    stopping = true;
    wakeUp();
    maintenance.writeLock().lock(); // a running flatten or drop finishes (flatten stops early) first
    boolean interrupted = false;
    for (Thread thread : threads) {
      while (thread.isAlive()) {
        try {
          thread.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    try {
      if (options.compactL0OnClose() && workers > 0) {
        compactLevel0OnClose();
      }
    } finally {
      maintenance.writeLock().unlock();
      subcompactionPool.shutdownNow();
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Compacts L0 into the base level until L0 is empty. Each forced plan takes a contiguous run of
   * overlapping tables from the oldest (so age order holds), which is why it may take several.
   */
  private void compactLevel0OnClose() {
    try {
      while (true) {
        try (LevelsView view = levels.acquire()) {
          Optional<CompactionPlan> plan = CompactionPolicy.forcedPlanAndRegister(
              CompactionKind.LEVEL0_TO_BASE, 0, levels.summaries(view), status, options.compaction());
          if (plan.isEmpty()) {
            return;
          }
          try {
            run(plan.get(), view);
          } finally {
            status.release(plan.get());
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn("compacting L0 at close failed; the store is unchanged", e);
    }
  }
}
