package org.healthgateway.server.config;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.IValidationContext;
import ca.uhn.fhir.validation.IValidatorModule;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Patient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A validator module built and warmed on a background thread from start-up on, so that loading the
 * R4 structure definitions and the validator's worker context (several seconds) runs beside the
 * rest of start-up instead of before the server answers. A validation that arrives before the
 * module is ready waits for it; if building it failed, every validation fails (and the fail-closed
 * wrapper refuses the resource), never passes unchecked.
 */
final class BackgroundValidatorModule implements IValidatorModule {
  private static final Logger LOG = LoggerFactory.getLogger(BackgroundValidatorModule.class);

  private final CompletableFuture<IValidatorModule> module;

  BackgroundValidatorModule(FhirContext fhir, Supplier<IValidatorModule> build) {
    this.module = new CompletableFuture<>();
    Thread thread =
        new Thread(
            () -> {
              try {
                IValidatorModule built = build.get();
                warm(fhir, built);
                module.complete(built);
              } catch (RuntimeException | Error e) {
                LOG.error("cannot build the validator; every validated write will be refused", e);
                module.completeExceptionally(e);
              }
            },
            "validator-warm-up");
    thread.setDaemon(true);
    thread.start();
  }

  /** Validates one small resource, which loads what every later validation needs. */
  private static void warm(FhirContext fhir, IValidatorModule built) {
    long start = System.nanoTime();
    FhirValidator validator = fhir.newValidator();
    validator.registerValidatorModule(built);
    Patient patient = new Patient();
    patient.addName().setFamily("Warm-up");
    validator.validateWithResult(patient);
    LOG.info("validator ready in {} ms", (System.nanoTime() - start) / 1_000_000);
  }

  @Override
  public void validateResource(IValidationContext<IBaseResource> context) {
    IValidatorModule ready;
    try {
      ready = module.join();
    } catch (CompletionException e) {
      throw new IllegalStateException("the validator could not be built", e.getCause());
    }
    ready.validateResource(context);
  }
}
