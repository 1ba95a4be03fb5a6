package dev.sett.internal.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The fault-injecting file system of the reliability tests (issue 7), after LevelDB's fault
 * injection env and RocksDB's {@code FaultInjectionTestFS}. On top of any delegate it can
 *
 * <ul>
 *   <li>fail the Nth operation of a {@link Op kind} (or every one from the Nth on) with an {@link
 *       IOException}, optionally only for paths matching a filter;
 *   <li>simulate a full disk: writes beyond a byte budget write what fits and then fail with "No
 *       space left on device";
 *   <li>simulate a power loss ({@link #powerLoss}): every file loses what was written after its
 *       last sync (or, in {@link PowerLoss#KEEP_RANDOM_PREFIX} mode, a random part of it), and
 *       every creation, deletion and rename not yet made durable by a directory sync is undone.
 *       Handles opened before the loss fail from then on, so the "crashed" store cannot write.
 *   <li>tear the next write ({@link #tearNextWrite}): it stores half its bytes, then fails;
 *   <li>run a test's own {@link Hook} before or after each {@link Call} of a kind: to fail one
 *       chosen file's operation, to log the calls in order, to slow a call down or hold it on a
 *       latch, or to note each mapping handed out ({@link #onMapped}).
 * </ul>
 *
 * <p>The durability model: a file's bytes up to its last {@code sync} are durable; the set of
 * names in a directory is durable as of its last {@link #syncDirectory}; a file present before this
 * file system first saw it counts as durable in full. {@link #truncate(Path, long)} forces, as
 * documented on {@link FileSystem}.
 *
 * <p>Thread-safety: safe for concurrent use; the bookkeeping is guarded by {@code this}.
 */
public final class FaultInjectingFileSystem extends ForwardingFileSystem {

  /** The kinds of operation that can be made to fail. */
  public enum Op {
    CREATE, WRITE, SYNC, READ, RENAME, DELETE, MMAP
  }

  /** What a power loss keeps of the bytes written after a file's last sync. */
  public enum PowerLoss {
    /** Nothing (LevelDB's fault injection test). */
    DROP_UNSYNCED,
    /** A random prefix of them, as when the disk wrote some pages before power went. */
    KEEP_RANDOM_PREFIX,
    /**
     * Each {@value #PAGE_SIZE}-byte page of them independently kept or lost, so that a later page
     * can survive an earlier one (a disk or file system that writes back dirty pages out of
     * order): a lost page reads as zeros (the file's old contents: files are only appended to),
     * and the file ends after its last kept page, or, at random, keeps its full length.
     */
    KEEP_RANDOM_PAGES
  }

  /** The page size of {@link PowerLoss#KEEP_RANDOM_PAGES}: pages are aligned to file offsets. */
  public static final int PAGE_SIZE = 4096;

  /**
   * The calls a {@link Hook} can watch, finer than {@link Op}: a truncate counts as a
   * {@link Op#WRITE} and a directory sync as a {@link Op#SYNC}, but each has its own call here.
   * {@code WRITE}, {@code SYNC}, {@code TRUNCATE} and {@code CLOSE} are calls on an open
   * {@link WritableFile}, {@code READ} on an open {@link ReadableFile}; the others are the
   * {@link FileSystem} methods of the same name.
   */
  public enum Call {
    CREATE_FILE, OPEN_FOR_APPEND, WRITE, SYNC, TRUNCATE, CLOSE, OPEN_FOR_READ, READ,
    READ_ALL_BYTES, MAP, DELETE, RENAME, TRUNCATE_PATH, SYNC_DIRECTORY
  }

  /**
   * A test's code run at a call, outside this file system's lock. A hook that throws fails the
   * call: before it, nothing happens; after it, the call's effect stays (as when a write reached
   * the disk but its error report did not).
   */
  @FunctionalInterface
  public interface Hook {
    /**
     * @param path the file (or directory) of the call; the source of a rename
     * @param argument the bytes asked for by a {@link Call#WRITE}, the size of a
     *     {@link Call#TRUNCATE} or {@link Call#TRUNCATE_PATH}, the position of a
     *     {@link Call#READ}; else 0
     */
    void run(Path path, long argument) throws IOException;
  }

  /** One inode: the identity of a file across renames. */
  private static final class Node {
    /** Where the file currently is in the delegate; null once deleted. */
    Path current;
    long syncedLength;
    /** Its durable bytes, captured when the delegate loses the file (deleted or replaced). */
    byte[] capturedContent;
  }

  private final Map<Op, Long> counts = new EnumMap<>(Op.class);
  private final Map<Op, Long> failAt = new EnumMap<>(Op.class);
  private final Map<Op, Boolean> failFromThenOn = new EnumMap<>(Op.class);
  private Predicate<Path> faultFilter = path -> true;
  private long injectedFaults;
  private long diskSpaceLeft = Long.MAX_VALUE;
  private boolean tearNextWrite;
  private final Map<Call, List<Hook>> before = new EnumMap<>(Call.class);
  private final Map<Call, List<Hook>> after = new EnumMap<>(Call.class);
  private final List<Consumer<MappedFile>> mappingListeners = new CopyOnWriteArrayList<>();

  /** The names the delegate holds now, and the names a power loss would leave. */
  private final Map<Path, Node> currentNames = new HashMap<>();
  private final Map<Path, Node> durableNames = new HashMap<>();
  /** Incremented by each power loss; handles of an earlier epoch fail. */
  private long epoch;
  /** Between a power loss and {@link #restart}: every operation fails. */
  private boolean down;
  private Op crashOp;
  private long crashAt;
  private PowerLoss crashMode;
  private SplittableRandom crashRandom;
  private String lastCrash;

  public FaultInjectingFileSystem(FileSystem delegate) {
    super(delegate);
  }

  // ---- fault configuration ----------------------------------------------------------------------

  /** Makes the {@code n}th operation of {@code op} from now on (1 = the next one) fail, once. */
  public synchronized FaultInjectingFileSystem failNth(Op op, long n) {
    return arm(op, n, false);
  }

  /** Makes every operation of {@code op} fail, from the {@code n}th from now on, until cleared. */
  public synchronized FaultInjectingFileSystem failFromNth(Op op, long n) {
    return arm(op, n, true);
  }

  private FaultInjectingFileSystem arm(Op op, long n, boolean persistent) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be at least 1, was " + n);
    }
    failAt.put(op, count(op) + n);
    failFromThenOn.put(op, persistent);
    return this;
  }

  /**
   * Arms a power loss that strikes just before the {@code n}th operation of {@code op} from now
   * on: that operation fails, and so does every other one until {@link #restart}.
   */
  public synchronized FaultInjectingFileSystem powerLossAtNth(Op op, long n, PowerLoss mode,
      SplittableRandom random) {
    if (n < 1) {
      throw new IllegalArgumentException("n must be at least 1, was " + n);
    }
    crashOp = op;
    crashAt = count(op) + n;
    crashMode = mode;
    crashRandom = random;
    return this;
  }

  /** Whether a power loss has struck and {@link #restart} was not called yet. */
  public synchronized boolean isDown() {
    return down;
  }

  /** The summary of the last power loss, or null. */
  public synchronized String lastPowerLoss() {
    return lastCrash;
  }

  /** Powers the machine back on after a power loss: operations work again. */
  public synchronized void restart() {
    down = false;
  }

  /** Only paths accepted by {@code filter} are counted and failed (default: all). */
  public synchronized FaultInjectingFileSystem onlyFor(Predicate<Path> filter) {
    this.faultFilter = filter;
    return this;
  }

  /** Leaves only {@code bytes} of free space: writes beyond it fail as on a full disk. */
  public synchronized FaultInjectingFileSystem diskSpace(long bytes) {
    this.diskSpaceLeft = bytes;
    return this;
  }

  /**
   * Makes the next write to any file store the first half of its bytes and then fail with
   * "injected write failure", as a disk that filled up or erred in the middle of a write.
   */
  public synchronized FaultInjectingFileSystem tearNextWrite() {
    tearNextWrite = true;
    return this;
  }

  /** Runs {@code hook} before each {@code call} (after the armed faults had their say). */
  public synchronized FaultInjectingFileSystem before(Call call, Hook hook) {
    before.computeIfAbsent(call, c -> new CopyOnWriteArrayList<>()).add(hook);
    return this;
  }

  /** Runs {@code hook} after each {@code call} that succeeded. */
  public synchronized FaultInjectingFileSystem after(Call call, Hook hook) {
    after.computeIfAbsent(call, c -> new CopyOnWriteArrayList<>()).add(hook);
    return this;
  }

  /** Hands {@code listener} every mapping this file system returns from {@link #map}. */
  public FaultInjectingFileSystem onMapped(Consumer<MappedFile> listener) {
    mappingListeners.add(listener);
    return this;
  }

  /**
   * Removes every armed fault, torn write and the disk space limit; hooks, counts and durability
   * state stay.
   */
  public synchronized FaultInjectingFileSystem clearFaults() {
    failAt.clear();
    failFromThenOn.clear();
    faultFilter = path -> true;
    diskSpaceLeft = Long.MAX_VALUE;
    tearNextWrite = false;
    return this;
  }

  private void runBefore(Call call, Path path, long argument) throws IOException {
    run(before, call, path, argument);
  }

  private void runAfter(Call call, Path path, long argument) throws IOException {
    run(after, call, path, argument);
  }

  private void run(Map<Call, List<Hook>> hooks, Call call, Path path, long argument)
      throws IOException {
    List<Hook> list;
    synchronized (this) {
      list = hooks.get(call);
    }
    if (list != null) {
      for (Hook hook : list) {
        hook.run(path, argument);
      }
    }
  }

  /** How many operations of {@code op} (on filtered paths) were attempted so far. */
  public synchronized long count(Op op) {
    return counts.getOrDefault(op, 0L);
  }

  /** How many faults (operation failures and full-disk refusals) were injected so far. */
  public synchronized long injectedFaults() {
    return injectedFaults;
  }

  /** Counts an operation and throws if it is armed to fail. */
  private synchronized void check(Op op, Path path) throws IOException {
    if (down) {
      throw new IOException("simulated power loss: the machine is off (" + op + " of " + path + ")");
    }
    if (op == crashOp && count(op) + 1 >= crashAt) {
      crashOp = null;
      counts.put(op, count(op) + 1);
      lastCrash = powerLoss(crashMode, crashRandom);
      down = true;
      throw new IOException("simulated power loss at " + op + " of " + path);
    }
    if (!faultFilter.test(path)) {
      return;
    }
    long n = count(op) + 1;
    counts.put(op, n);
    Long at = failAt.get(op);
    if (at == null || n < at) {
      return;
    }
    if (!failFromThenOn.getOrDefault(op, false)) {
      failAt.remove(op);
    }
    injectedFaults++;
    throw new IOException("injected fault: " + op.name().toLowerCase(java.util.Locale.ROOT)
        + " #" + n + " of " + path);
  }

  // ---- durability bookkeeping -------------------------------------------------------------------

  /** The node at {@code path}, registering a pre-existing file as fully durable. */
  private synchronized Node nodeFor(Path path) throws IOException {
    Path key = normalize(path);
    Node node = currentNames.get(key);
    if (node == null && delegate().exists(key)) {
      node = new Node();
      node.current = key;
      node.syncedLength = delegate().size(key);
      currentNames.put(key, node);
      durableNames.putIfAbsent(key, node);
    }
    return node;
  }

  private static Path normalize(Path path) {
    return path.toAbsolutePath().normalize();
  }

  /** Saves the durable bytes of a node whose file the delegate is about to lose. */
  private void capture(Node node) throws IOException {
    if (node.capturedContent == null && node.current != null && durableNames.containsValue(node)) {
      byte[] bytes = delegate().readAllBytes(node.current);
      node.capturedContent = java.util.Arrays.copyOf(bytes,
          (int) Math.min(bytes.length, node.syncedLength));
    }
  }

  private synchronized void checkEpoch(long handleEpoch, Path path) throws IOException {
    if (handleEpoch != epoch) {
      throw new IOException("simulated power loss: " + path + " was opened before it");
    }
  }

  /**
   * Simulates a power loss: the delegate is rewritten to hold exactly what would have survived,
   * and every handle opened before fails from now on. The store that was running must be closed
   * (its close fails, which is fine) and reopened. Called directly, the machine stays up: only the
   * old handles fail; call it with the store's threads stopped, or use {@link #powerLossAtNth}.
   *
   * @return a summary of what was lost, for test output
   */
  public synchronized String powerLoss(PowerLoss mode, SplittableRandom random) throws IOException {
    epoch++;
    // The survivors' bytes, read before anything in the delegate changes.
    Map<Path, byte[]> survivors = new HashMap<>();
    long droppedBytes = 0;
    for (Map.Entry<Path, Node> entry : durableNames.entrySet()) {
      Node node = entry.getValue();
      byte[] bytes;
      if (node.capturedContent != null) {
        bytes = node.capturedContent;
      } else {
        byte[] all = delegate().readAllBytes(node.current);
        long keep = Math.min(all.length, node.syncedLength);
        if (mode == PowerLoss.KEEP_RANDOM_PAGES && all.length > keep) {
          bytes = keepRandomPages(all, (int) keep, random);
          for (int i = (int) keep; i < all.length; i++) {
            droppedBytes += i >= bytes.length || bytes[i] != all[i] ? 1 : 0;
          }
          survivors.put(entry.getKey(), bytes);
          continue;
        }
        if (mode == PowerLoss.KEEP_RANDOM_PREFIX && all.length > keep) {
          keep += random.nextLong(all.length - keep + 1);
        }
        droppedBytes += all.length - keep;
        bytes = java.util.Arrays.copyOf(all, (int) keep);
      }
      survivors.put(entry.getKey(), bytes);
    }
    List<Path> lostFiles = new ArrayList<>();
    for (Path path : currentNames.keySet()) {
      if (!durableNames.containsKey(path)) {
        lostFiles.add(path);
      }
    }
    for (Path path : new ArrayList<>(currentNames.keySet())) {
      delegate().delete(path);
    }
    currentNames.clear();
    durableNames.clear();
    for (Map.Entry<Path, byte[]> entry : survivors.entrySet()) {
      try (WritableFile file = delegate().createFile(entry.getKey())) {
        file.write(entry.getValue());
        file.sync();
      }
      Node node = new Node();
      node.current = entry.getKey();
      node.syncedLength = entry.getValue().length;
      currentNames.put(entry.getKey(), node);
      durableNames.put(entry.getKey(), node);
    }
    return "power loss (" + mode + "): " + droppedBytes + " unsynced bytes dropped, "
        + lostFiles.size() + " files not durable in their directory lost " + lostFiles;
  }

  /**
   * {@code all} with its bytes from {@code synced} on kept or zeroed page by page (a coin per page,
   * biased at random per file so that both mostly-kept and mostly-lost tails occur); the result
   * ends after the last kept page or, at random, keeps the full length.
   */
  private static byte[] keepRandomPages(byte[] all, int synced, SplittableRandom random) {
    byte[] bytes = all.clone();
    double keepChance = random.nextDouble();
    int end = synced;
    for (int page = synced / PAGE_SIZE * PAGE_SIZE; page < all.length; page += PAGE_SIZE) {
      int from = Math.max(page, synced);
      int to = Math.min(all.length, page + PAGE_SIZE);
      if (random.nextDouble() < keepChance) {
        end = to;
      } else {
        java.util.Arrays.fill(bytes, from, to, (byte) 0);
      }
    }
    return random.nextBoolean() ? bytes : java.util.Arrays.copyOf(bytes, end);
  }

  // ---- FileSystem -------------------------------------------------------------------------------

  @Override
  public WritableFile createFile(Path path) throws IOException {
    check(Op.CREATE, path);
    runBefore(Call.CREATE_FILE, path, 0);
    WritableFile created;
    synchronized (this) {
      WritableFile file = delegate().createFile(path);
      Node node = new Node();
      node.current = normalize(path);
      currentNames.put(node.current, node);
      created = new InjectingWritableFile(path, node, file, epoch);
    }
    runAfter(Call.CREATE_FILE, path, 0);
    return created;
  }

  @Override
  public WritableFile openForAppend(Path path) throws IOException {
    check(Op.WRITE, path);
    runBefore(Call.OPEN_FOR_APPEND, path, 0);
    WritableFile opened;
    synchronized (this) {
      Node node = nodeFor(path);
      WritableFile file = delegate().openForAppend(path);
      opened = new InjectingWritableFile(path, node, file, epoch);
    }
    runAfter(Call.OPEN_FOR_APPEND, path, 0);
    return opened;
  }

  @Override
  public ReadableFile openForRead(Path path) throws IOException {
    check(Op.READ, path);
    runBefore(Call.OPEN_FOR_READ, path, 0);
    ReadableFile file = delegate().openForRead(path);
    runAfter(Call.OPEN_FOR_READ, path, 0);
    return new ReadableFile() {
      @Override
      public int read(ByteBuffer buffer, long position) throws IOException {
        check(Op.READ, path);
        runBefore(Call.READ, path, position);
        int read = file.read(buffer, position);
        runAfter(Call.READ, path, position);
        return read;
      }

      @Override
      public long size() throws IOException {
        return file.size();
      }

      @Override
      public void close() throws IOException {
        file.close();
      }
    };
  }

  @Override
  public MappedFile map(Path path) throws IOException {
    check(Op.MMAP, path);
    runBefore(Call.MAP, path, 0);
    MappedFile mapping = super.map(path);
    for (Consumer<MappedFile> listener : mappingListeners) {
      listener.accept(mapping);
    }
    runAfter(Call.MAP, path, 0);
    return mapping;
  }

  @Override
  public byte[] readAllBytes(Path path) throws IOException {
    check(Op.READ, path);
    runBefore(Call.READ_ALL_BYTES, path, 0);
    byte[] bytes = super.readAllBytes(path);
    runAfter(Call.READ_ALL_BYTES, path, 0);
    return bytes;
  }

  @Override
  public void delete(Path path) throws IOException {
    check(Op.DELETE, path);
    runBefore(Call.DELETE, path, 0);
    synchronized (this) {
      Node node = nodeFor(path);
      if (node != null) {
        capture(node);
        node.current = null;
        currentNames.remove(normalize(path));
      }
      super.delete(path);
    }
    runAfter(Call.DELETE, path, 0);
  }

  @Override
  public void rename(Path source, Path target) throws IOException {
    check(Op.RENAME, source);
    runBefore(Call.RENAME, source, 0);
    synchronized (this) {
      Node node = nodeFor(source);
      Node replaced = nodeFor(target);
      if (replaced != null) {
        capture(replaced);
        replaced.current = null;
      }
      super.rename(source, target);
      if (node != null) {
        currentNames.remove(normalize(source));
        node.current = normalize(target);
        currentNames.put(node.current, node);
      }
    }
    runAfter(Call.RENAME, source, 0);
  }

  @Override
  public void truncate(Path path, long size) throws IOException {
    check(Op.WRITE, path);
    runBefore(Call.TRUNCATE_PATH, path, size);
    synchronized (this) {
      Node node = nodeFor(path);
      super.truncate(path, size);
      if (node != null) {
        node.syncedLength = Math.min(delegate().size(path), size);
      }
    }
    runAfter(Call.TRUNCATE_PATH, path, size);
  }

  @Override
  public void syncDirectory(Path dir) throws IOException {
    check(Op.SYNC, dir);
    runBefore(Call.SYNC_DIRECTORY, dir, 0);
    synchronized (this) {
      super.syncDirectory(dir);
      Path normalized = normalize(dir);
      durableNames.keySet().removeIf(path -> normalized.equals(path.getParent()));
      for (Map.Entry<Path, Node> entry : currentNames.entrySet()) {
        if (normalized.equals(entry.getKey().getParent())) {
          durableNames.put(entry.getKey(), entry.getValue());
        }
      }
    }
    runAfter(Call.SYNC_DIRECTORY, dir, 0);
  }

  @Override
  public List<Path> list(Path dir) throws IOException {
    List<Path> files = super.list(dir);
    for (Path file : files) {
      nodeFor(file);
    }
    return files;
  }

  /** A writable file that counts, fails, respects the disk space and records syncs. */
  private final class InjectingWritableFile extends ForwardingWritableFile {
    private final Path path;
    private final Node node;
    private final long fileEpoch;

    InjectingWritableFile(Path path, Node node, WritableFile delegate, long fileEpoch) {
      super(delegate);
      this.path = path;
      this.node = node;
      this.fileEpoch = fileEpoch;
    }

    @Override
    public void write(ByteBuffer buffer) throws IOException {
      checkEpoch(fileEpoch, path);
      check(Op.WRITE, path);
      int wanted = buffer.remaining();
      runBefore(Call.WRITE, path, wanted);
      int allowed;
      boolean torn;
      synchronized (FaultInjectingFileSystem.this) {
        torn = tearNextWrite;
        tearNextWrite = false;
        allowed = (int) Math.min(torn ? wanted / 2 : wanted, diskSpaceLeft);
        if (diskSpaceLeft != Long.MAX_VALUE) {
          diskSpaceLeft -= allowed;
        }
        if (allowed < wanted) {
          injectedFaults++;
        }
      }
      if (allowed < wanted) {
        ByteBuffer part = buffer.duplicate();
        part.limit(part.position() + allowed);
        super.write(part);
        buffer.position(buffer.position() + allowed);
        if (torn) {
          throw new IOException("injected write failure");
        }
        throw new IOException("No space left on device (injected): " + path + " wanted "
            + wanted + " bytes, " + allowed + " fit");
      }
      super.write(buffer);
      runAfter(Call.WRITE, path, wanted);
    }

    @Override
    public void sync() throws IOException {
      checkEpoch(fileEpoch, path);
      check(Op.SYNC, path);
      runBefore(Call.SYNC, path, 0);
      super.sync();
      long length = position();
      synchronized (FaultInjectingFileSystem.this) {
        if (node != null) {
          node.syncedLength = length;
        }
      }
      runAfter(Call.SYNC, path, 0);
    }

    @Override
    public void truncate(long size) throws IOException {
      checkEpoch(fileEpoch, path);
      check(Op.WRITE, path);
      runBefore(Call.TRUNCATE, path, size);
      super.truncate(size);
      synchronized (FaultInjectingFileSystem.this) {
        if (node != null) {
          node.syncedLength = Math.min(node.syncedLength, size);
        }
      }
      runAfter(Call.TRUNCATE, path, size);
    }

    @Override
    public void close() throws IOException {
      runBefore(Call.CLOSE, path, 0);
      super.close();
      runAfter(Call.CLOSE, path, 0);
    }
  }
}
