package dev.sett.kafka;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The integration sits on Sett's public API (DESIGN.md §3: `dev.sett` only, never
 * `dev.sett.internal`), and its main code never touches RocksDB, so an application using only
 * Sett stores can leave rocksdbjni out.
 */
class KafkaArchitectureTest {

  private static final JavaClasses MAIN = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.sett.kafka");

  @Test
  void usesOnlySettsPublicApi() {
    noClasses().that().resideInAPackage("dev.sett.kafka..")
        .should().dependOnClassesThat().resideInAPackage("dev.sett.internal..")
        .check(MAIN);
  }

  @Test
  void neverTouchesRocksDb() {
    noClasses().that().resideInAPackage("dev.sett.kafka..")
        .should().dependOnClassesThat().resideInAPackage("org.rocksdb..")
        .check(MAIN);
  }
}
