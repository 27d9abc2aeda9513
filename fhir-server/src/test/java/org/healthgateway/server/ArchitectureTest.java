package org.healthgateway.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The module and package boundaries of DESIGN.md ("Modules") and STYLE.md ("One wiring place"),
 * checked on the main classes of every module on this test's classpath: mappings, key-broker,
 * ledger-adapter and fhir-server.
 */
@AnalyzeClasses(
    packages = "org.healthgateway",
    importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  /** HAPI's REST server and clients; {@code ca.uhn.fhir.rest.api} is not among them (see below). */
  private static final String[] HAPI_REST_SERVER_AND_CLIENTS = {
    "ca.uhn.fhir.rest.server..", "ca.uhn.fhir.rest.client..", "ca.uhn.fhir.rest.gclient.."
  };

  /**
   * Every package is a slice of its own (server.fhir, server.consent, keys, keys.internal, ...), so
   * that a cycle between two packages of one module shows up, not only one between modules (which
   * Maven already refuses).
   */
  @ArchTest
  static final ArchRule packages_areFreeOfCycles =
      slices().matching("org.healthgateway.(**)").should().beFreeOfCycles();

  /**
   * The key broker and the mappings are libraries: no Spring, no HAPI REST server or client, no
   * ledger, nothing of the server. {@code ca.uhn.fhir.rest.api} (hapi-fhir-base) stays allowed: it
   * holds the vocabulary of HAPI's model, e.g. {@code RestSearchParameterTypeEnum}, the type of
   * every {@code RuntimeSearchParam}, which the Patient compartment in mappings reads.
   */
  @ArchTest
  static final ArchRule keyBrokerAndMappings_useNoSpringHapiRestLedgerOrServer =
      noClasses()
          .that()
          .resideInAnyPackage("org.healthgateway.keys..", "org.healthgateway.mappings..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.springframework..")
          .orShould()
          .dependOnClassesThat()
          .resideInAnyPackage(HAPI_REST_SERVER_AND_CLIENTS)
          .orShould()
          .dependOnClassesThat()
          .resideInAnyPackage("org.healthgateway.ledger..", "org.healthgateway.server..");

  /** The ledger knows bytes, hashes, signatures and proofs: nothing of FHIR, keys or Spring. */
  @ArchTest
  static final ArchRule ledger_usesNoFhirKeysMappingsServerOrSpring =
      noClasses()
          .that()
          .resideInAPackage("org.healthgateway.ledger..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("ca.uhn.fhir..", "org.hl7.fhir..")
          .orShould()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.healthgateway.keys..",
              "org.healthgateway.mappings..",
              "org.healthgateway.server..")
          .orShould()
          .dependOnClassesThat()
          .resideInAnyPackage("org.springframework..");

  /** The mappings are the bottom of the reactor: pure, knowing no other module. */
  @ArchTest
  static final ArchRule mappings_useNoOtherModule =
      noClasses()
          .that()
          .resideInAPackage("org.healthgateway.mappings..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "org.healthgateway.keys..",
              "org.healthgateway.ledger..",
              "org.healthgateway.server..");
}
