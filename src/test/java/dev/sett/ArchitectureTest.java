package dev.sett;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps the layering of DESIGN.md §3: a package may use only packages of lower layers, never a
 * sibling of its own layer, with one allowed cycle (the API and internal.db).
 */
class ArchitectureTest {
  /** Layer by layer, lowest first. Packages in one row may not use each other. */
  private static final List<List<String>> LAYERS = List.of(
      List.of("dev.sett.internal.fs"),
      List.of("dev.sett.internal.codec"),
      List.of("dev.sett.internal.key"),
      List.of("dev.sett.internal.memtable", "dev.sett.internal.sstable", "dev.sett.internal.vlog",
          "dev.sett.internal.manifest", "dev.sett.internal.iter", "dev.sett.internal.backup"),
      List.of("dev.sett.internal.lsm", "dev.sett.internal.txn"),
      List.of("dev.sett.internal.db"),
      List.of("dev.sett"),
      List.of("dev.sett.tool"));

  private static JavaClasses classes;

  @BeforeAll
  static void importClasses() {
    classes = new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("dev.sett");
  }

  @Test
  void eachPackageUsesOnlyLowerLayers() {
    for (int layer = 0; layer < LAYERS.size(); layer++) {
      for (String pkg : LAYERS.get(layer)) {
        List<String> forbidden = new ArrayList<>();
        for (int other = layer; other < LAYERS.size(); other++) {
          for (String otherPkg : LAYERS.get(other)) {
            if (otherPkg.equals(pkg) || allowedCycle(pkg, otherPkg)) {
              continue;
            }
            // A package's own generated sub-package (manifest.proto) belongs to it.
            forbidden.add(otherPkg.equals("dev.sett") ? "dev.sett" : otherPkg + "..");
          }
        }
        if (forbidden.isEmpty()) {
          continue;
        }
        noClasses().that().resideInAPackage(pkg.equals("dev.sett") ? "dev.sett" : pkg + "..")
            .should().dependOnClassesThat().resideInAnyPackage(forbidden.toArray(String[]::new))
            .because("DESIGN.md §3: " + pkg + " may use only lower layers")
            .check(classes);
      }
    }
  }

  @Test
  void everyPackageHasALayerAndSaysWhatItOwns() {
    // A new package cannot escape the layering by not being listed, and each one documents itself.
    Set<String> listed = new TreeSet<>();
    LAYERS.forEach(listed::addAll);
    Set<String> found = new TreeSet<>();
    for (JavaClass c : classes) {
      String pkg = c.getPackageName();
      if (!pkg.endsWith(".proto")) { // generated code belongs to the package above it
        found.add(pkg);
      }
    }
    assertEquals(listed, found, "packages of DESIGN.md §3 vs packages in src/main/java");
    for (String pkg : found) {
      assertTrue(classes.containPackage(pkg)
              && classes.getPackage(pkg).tryGetPackageInfo().isPresent(),
          pkg + " has no package-info.java saying what it owns");
    }
  }

  @Test
  void onlyTheFileSystemPackageUsesFiles() {
    // The command line is an application on top of the public API, as a user's program would be.
    noClasses().that().resideOutsideOfPackages("dev.sett.internal.fs..", "dev.sett.tool..")
        .should().dependOnClassesThat().haveFullyQualifiedName("java.nio.file.Files")
        .because("DESIGN.md §3: internal.fs is the only code that touches files")
        .check(classes);
  }

  @Test
  void protobufStaysInTheFormatsThatUseIt() {
    noClasses().that().resideOutsideOfPackages("dev.sett.internal.manifest..", "dev.sett.internal.backup..")
        .should().dependOnClassesThat().resideInAPackage("com.google.protobuf..")
        .because("the MANIFEST and the backup stream are the only protobuf formats")
        .check(classes);
  }

  @Test
  void eachFormatKeepsItsGeneratedTypes() {
    noClasses().that().resideOutsideOfPackage("dev.sett.internal.manifest..")
        .should().dependOnClassesThat().resideInAPackage("dev.sett.internal.manifest.proto..")
        .because("the layers above edit the MANIFEST through ManifestEdit, not its protobuf types")
        .check(classes);
    noClasses().that().resideOutsideOfPackage("dev.sett.internal.backup..")
        .should().dependOnClassesThat().resideInAPackage("dev.sett.internal.backup.proto..")
        .because("the backup stream's protobuf types stay inside its codec")
        .check(classes);
  }

  private static boolean allowedCycle(String pkg, String other) {
    return pkg.equals("dev.sett") && other.equals("dev.sett.internal.db")
        || pkg.equals("dev.sett.internal.db") && other.equals("dev.sett");
  }

  @Test
  void internalsDoNotReachTheCommandLine() {
    noClasses().that().resideInAPackage("dev.sett.internal..")
        .should().dependOnClassesThat().resideInAPackage("dev.sett.tool..")
        .check(classes);
  }

  @Test
  void noStaticMutableState() {
    // Two stores in one JVM share nothing: every static field is a constant.
    fields().that().areStatic()
        .and().areDeclaredInClassesThat().resideOutsideOfPackages("dev.sett.internal.manifest.proto..",
            "dev.sett.internal.backup.proto..")
        .should().beFinal()
        .because("DESIGN.md §3: no static mutable state")
        .check(classes);
  }

  @Test
  void onlyTheFileSystemPackageTouchesFiles() {
    noClasses().that().resideOutsideOfPackages("dev.sett.internal.fs..", "dev.sett.tool..")
        .should().dependOnClassesThat().haveFullyQualifiedName("java.nio.channels.FileChannel")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.RandomAccessFile")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.FileOutputStream")
        .orShould().dependOnClassesThat().haveFullyQualifiedName("java.io.FileInputStream")
        .because("DESIGN.md §3: internal.fs is the only code that touches files")
        .check(classes);
  }
}
