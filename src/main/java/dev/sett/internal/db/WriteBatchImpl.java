package dev.sett.internal.db;

import dev.sett.Entry;
import dev.sett.Txn;
import dev.sett.TxnTooBigException;
import dev.sett.WriteBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A {@link WriteBatch}: writes go into a read-write transaction; when the next write would make it
 * too big, it is committed and a fresh one started (Badger §1.8). Its writes are blind, so its
 * commits never conflict.
 *
 * <p>A full transaction's commit takes the committer-writes path of a synchronous commit
 * ({@link WritePipeline#writeQueued}): when no other thread is writing, the batch's own thread
 * appends it to the value log, WAL and memtable before it goes on filling the next transaction, so
 * a fill costs no hand-off to the writer thread and no wake-up per transaction. When another thread
 * is writing, the commit is queued and written by that leader (or the writer thread it wakes), and
 * up to {@link #MAX_PENDING_COMMITS} such commits stay in flight; {@link #flush} waits for them.
 *
 * <p>Thread-safety: not thread-safe.
 */
final class WriteBatchImpl implements WriteBatch {
  private static final int MAX_PENDING_COMMITS = 16;

  private final Supplier<Txn> newTransaction;
  private final java.util.function.Function<Txn, CompletableFuture<Void>> commit;
  private final List<CompletableFuture<Void>> inFlight = new ArrayList<>();
  private Txn current;
  private boolean finished;

  /** {@code commit} commits one of the batch's transactions asynchronously. */
  WriteBatchImpl(Supplier<Txn> newTransaction,
      java.util.function.Function<Txn, CompletableFuture<Void>> commit) {
    this.newTransaction = newTransaction;
    this.commit = commit;
  }

  @Override
  public void set(byte[] key, byte[] value) {
    write(txn -> txn.set(key, value));
  }

  @Override
  public void setEntry(Entry entry) {
    write(txn -> txn.setEntry(entry));
  }

  @Override
  public void delete(byte[] key) {
    write(txn -> txn.delete(key));
  }

  private void write(Consumer<Txn> operation) {
    if (finished) {
      throw new IllegalStateException("the write batch is already flushed or closed");
    }
    if (current == null) {
      current = newTransaction.get();
    }
    try {
      operation.accept(current);
    } catch (TxnTooBigException full) {
      commitCurrent();
      current = newTransaction.get();
      operation.accept(current); // a single write too big for an empty transaction throws again
    }
  }

  private void commitCurrent() {
    inFlight.add(commit.apply(current));
    current = null;
    if (inFlight.size() >= MAX_PENDING_COMMITS) {
      await(inFlight.remove(0));
    }
  }

  @Override
  public void flush() {
    if (finished) {
      throw new IllegalStateException("the write batch is already flushed or closed");
    }
    finished = true;
    if (current != null) {
      commitCurrent();
    }
    RuntimeException first = null;
    for (CompletableFuture<Void> commit : inFlight) {
      try {
        await(commit);
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    inFlight.clear();
    if (first != null) {
      throw first;
    }
  }

  private static void await(CompletableFuture<Void> commit) {
    Errors.awaitCommit(commit);
  }

  @Override
  public void close() {
    if (current != null) {
      current.discard();
      current = null;
    }
    if (!finished) {
      finished = true;
      for (CompletableFuture<Void> commit : inFlight) {
        commit.exceptionally(error -> null).join();
      }
      inFlight.clear();
    }
  }
}
