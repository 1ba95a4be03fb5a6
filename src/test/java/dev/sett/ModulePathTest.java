package dev.sett;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.StringWriter;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sett as a user of the module system sees it: the module {@code dev.sett} exports only the API,
 * and the README's example, compiled as a named module of its own, runs on the module path.
 */
class ModulePathTest {
  /** The library's runtime dependencies, by the start of their jar names. */
  private static final List<String> RUNTIME_JARS = List.of("protobuf-java-", "caffeine-",
      "lz4-java-", "zstd-jni-", "slf4j-api-", "opentelemetry-api-", "opentelemetry-context-");

  private static String modulePath;

  @BeforeAll
  static void findTheModule() throws URISyntaxException {
    Path classes = Path.of(DB.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    assertTrue(Files.exists(classes.resolve("module-info.class")), classes + " holds no module");
    List<String> path = new ArrayList<>();
    path.add(classes.toString());
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      String name = Path.of(entry).getFileName().toString();
      if (RUNTIME_JARS.stream().anyMatch(name::startsWith)) {
        path.add(entry);
      }
    }
    modulePath = String.join(File.pathSeparator, path);
  }

  @Test
  void theModuleExportsOnlyTheApi() {
    ModuleReference sett = ModuleFinder.of(Path.of(modulePath.split(File.pathSeparator)[0]))
        .find("dev.sett").orElseThrow();
    ModuleDescriptor descriptor = sett.descriptor();
    assertEquals(Set.of("dev.sett"), descriptor.exports().stream()
        .map(ModuleDescriptor.Exports::source).collect(Collectors.toSet()));
    assertTrue(descriptor.opens().isEmpty(), "opens " + descriptor.opens());
    assertFalse(descriptor.isOpen());
  }

  @Test
  void theReadmeExampleRunsOnTheModulePath(@TempDir Path work) throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    Matcher block = Pattern.compile("## Example\\s+```java\\n(.*?)```", Pattern.DOTALL)
        .matcher(readme);
    assertTrue(block.find(), "README.md has no ## Example java block");
    StringBuilder imports = new StringBuilder();
    StringBuilder body = new StringBuilder();
    for (String line : block.group(1).split("\n")) {
      (line.startsWith("import ") ? imports : body).append(line).append('\n');
    }
    Path store = work.resolve("store");
    String program = "package example;\n" + imports
        + "public final class Main {\n  public static void main(String[] args) throws Exception {\n"
        + body.toString().replace("Path.of(\"/tmp/sett-example\")", "Path.of(args[0])")
        + "  }\n}\n";
    Path sources = work.resolve("src");
    write(sources.resolve("module-info.java"), "module example { requires dev.sett; }\n");
    write(sources.resolve("example/Main.java"), program);

    Path out = work.resolve("out");
    compile(sources, out, sources.resolve("module-info.java"), sources.resolve("example/Main.java"));

    Path output = work.resolve("stdout.txt");
    Process child = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "--module-path", out + File.pathSeparator + modulePath,
        "-m", "example/example.Main", store.toString())
        .redirectErrorStream(true).redirectOutput(output.toFile()).start();
    assertTrue(child.waitFor(120, TimeUnit.SECONDS), "the example did not finish");
    String printed = Files.readString(output);
    assertEquals(0, child.exitValue(), printed);
    assertTrue(printed.contains("user:1 = Ada"), printed);
  }

  @Test
  void theInternalsAreNotVisibleToOtherModules(@TempDir Path work) throws IOException {
    Path sources = work.resolve("src");
    write(sources.resolve("module-info.java"), "module peek { requires dev.sett; }\n");
    write(sources.resolve("peek/Peek.java"),
        "package peek;\npublic final class Peek { Object o = dev.sett.internal.db.DbImpl.class; }\n");
    StringWriter diagnostics = new StringWriter();
    int status = javac(diagnostics, "--class-path", work.toString(), "--module-path", modulePath, "-d", work.resolve("out").toString(),
        sources.resolve("module-info.java").toString(), sources.resolve("peek/Peek.java").toString());
    assertTrue(status != 0, "a module could use dev.sett.internal.db");
    assertTrue(diagnostics.toString().contains("declared in module dev.sett, which does not export it"), diagnostics.toString());
  }

  private static void compile(Path sources, Path out, Path... files) {
    List<String> args = new ArrayList<>(List.of("--class-path", out.toString(),
        "--module-path", modulePath, "-d", out.toString()));
    for (Path file : files) {
      args.add(file.toString());
    }
    StringWriter diagnostics = new StringWriter();
    assertEquals(0, javac(diagnostics, args.toArray(String[]::new)), diagnostics.toString());
  }

  private static int javac(StringWriter diagnostics, String... args) {
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    int status = javac.run(null, printed, printed, args);
    diagnostics.write(printed.toString(StandardCharsets.UTF_8));
    return status;
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }
}
