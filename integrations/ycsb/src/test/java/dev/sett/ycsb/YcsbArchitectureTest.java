package dev.sett.ycsb;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The binding sits on Sett's public API only (DESIGN.md §3), and RocksDB stays in test scope. */
class YcsbArchitectureTest {

  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.sett.ycsb");

  @Test
  void usesOnlySettsPublicApiAndNoRocksDb() {
    noClasses().that().resideInAPackage("dev.sett.ycsb..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.sett.internal..", "org.rocksdb..")
        .check(MAIN);
  }
}
