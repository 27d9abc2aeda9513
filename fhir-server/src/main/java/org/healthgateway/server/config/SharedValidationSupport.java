package org.healthgateway.server.config;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import java.util.concurrent.CompletableFuture;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;

/**
 * The node's one validation support, shared by the validator and every FHIRPath engine (the
 * context's own): the R4 StructureDefinitions are parsed once, on one background thread started
 * with the context, instead of once per user and at the same time (four times at start-up, on two
 * cores). {@link #loaded()} completes when they are in memory.
 */
public final class SharedValidationSupport {
  private final ValidationSupportChain chain;
  private final CompletableFuture<Void> loaded;

  private SharedValidationSupport(ValidationSupportChain chain, CompletableFuture<Void> loaded) {
    this.chain = chain;
    this.loaded = loaded;
  }

  /** Makes the chain the context's validation support and starts loading its definitions. */
  public static SharedValidationSupport start(FhirContext fhir) {
    ValidationSupportChain chain =
        new ValidationSupportChain(
            // Base R4 structure, cardinality, invariants and the value sets the core spec defines,
            // with the small code systems HAPI ships (currencies, mime types, languages); codes of
            // LOINC, SNOMED CT, UCUM and the like are accepted unchecked (no terminology server).
            new DefaultProfileValidationSupport(fhir),
            new UncheckedExternalTerminology(fhir),
            new CommonCodeSystemsTerminologyService(fhir),
            new InMemoryTerminologyServerValidationSupport(fhir),
            new SnapshotGeneratingValidationSupport(fhir));
    fhir.setValidationSupport(chain);
    CompletableFuture<Void> loaded = new CompletableFuture<>();
    Thread thread =
        new Thread(
            () -> {
              try {
                chain.fetchAllStructureDefinitions();
                loaded.complete(null);
              } catch (RuntimeException | Error e) {
                loaded.completeExceptionally(e);
              }
            },
            "structure-definitions");
    thread.setDaemon(true);
    thread.start();
    return new SharedValidationSupport(chain, loaded);
  }

  public ValidationSupportChain chain() {
    return chain;
  }

  /** Completes when the StructureDefinitions are loaded (exceptionally if they could not be). */
  public CompletableFuture<Void> loaded() {
    return loaded;
  }
}
