package dev.sett.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test that leaves a file open or mapped under the temporary directory, where every test
 * keeps its stores: a handle that outlives {@code close()} is a leak (STYLE.md: tests fail on a
 * leaked handle). Reads the process's own descriptor table and mappings, so it needs Linux's
 * {@code /proc}; elsewhere it checks nothing. Registered for every test by JUnit's extension
 * auto-detection ({@code junit-platform.properties}).
 *
 * <p>What was open before the test (a store a test class keeps across its tests) is not counted.
 */
public final class NoLeakedFiles implements BeforeEachCallback, AfterEachCallback {
  private static final Path PROC_FD = Path.of("/proc/self/fd");
  private static final Path PROC_MAPS = Path.of("/proc/self/maps");
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(NoLeakedFiles.class);

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    context.getStore(NAMESPACE).put("before", openUnderTemp());
  }

  @Override
  public void afterEach(ExtensionContext context) throws IOException, InterruptedException {
    if (context.getExecutionException().isPresent()) {
      return; // the test failed already; its failure says more than what it left open
    }
    @SuppressWarnings("unchecked")
    TreeSet<String> before = context.getStore(NAMESPACE).get("before", TreeSet.class);
    TreeSet<String> leaked = openUnderTemp();
    // Background threads of a closed store are joined by close(); give the OS a moment to
    // report closed descriptors all the same.
    for (int i = 0; i < 50 && !isSubset(leaked, before); i++) {
      Thread.sleep(20);
      leaked = openUnderTemp();
    }
    leaked.removeAll(before);
    if (!leaked.isEmpty()) {
      throw new AssertionError("the test left " + leaked.size() + " file(s) open or mapped: "
          + leaked);
    }
  }

  private static boolean isSubset(TreeSet<String> set, TreeSet<String> of) {
    return of.containsAll(set);
  }

  /** Files under java.io.tmpdir this process has open or mapped, as "fd path" / "map path". */
  static TreeSet<String> openUnderTemp() throws IOException {
    TreeSet<String> open = new TreeSet<>();
    if (!Files.isDirectory(PROC_FD)) {
      return open;
    }
    String temp = Path.of(System.getProperty("java.io.tmpdir")).toRealPath().toString() + "/";
    List<Path> descriptors = new ArrayList<>();
    try (Stream<Path> list = Files.list(PROC_FD)) {
      list.forEach(descriptors::add);
    }
    for (Path descriptor : descriptors) {
      try {
        String target = Files.readSymbolicLink(descriptor).toString();
        if (target.startsWith(temp) && !ignored(target)) {
          open.add("fd " + target);
        }
      } catch (IOException gone) {
        // closed while listing
      }
    }
    for (String line : Files.readAllLines(PROC_MAPS)) {
      int slash = line.indexOf('/');
      if (slash >= 0) {
        String target = line.substring(slash);
        if (target.startsWith(temp) && !ignored(target)) {
          open.add("map " + target);
        }
      }
    }
    return open;
  }

  private static boolean ignored(String path) {
    // The JVM's own files and native libraries that lz4-java and zstd-jni unpack for themselves.
    return path.contains("/hsperfdata_") || path.contains("/surefire") || path.endsWith(".jar")
        || path.contains(".so")
        || path.contains("/jazzer");
  }
}
