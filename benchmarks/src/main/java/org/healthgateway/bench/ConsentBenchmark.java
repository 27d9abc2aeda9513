package org.healthgateway.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.healthgateway.keys.consent.AccessRequest;
import org.healthgateway.keys.consent.ConsentEngine;
import org.healthgateway.keys.consent.Decision;
import org.healthgateway.mappings.DataCategories;
import org.healthgateway.mappings.DataCategory;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Consent.ConsentProvisionType;
import org.hl7.fhir.r4.model.Consent.ConsentState;
import org.hl7.fhir.r4.model.Consent.ProvisionComponent;
import org.hl7.fhir.r4.model.Period;
import org.hl7.fhir.r4.model.Reference;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * {@link ConsentEngine#decide} for one resource against a patient's 10 active consents: each
 * permits one practitioner a few categories within a period, with a nested deny of restricted data.
 * {@code permitByLast} is granted by the tenth consent; {@code noConsent} is denied after all ten
 * were evaluated (both read every consent, the worst case).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ConsentBenchmark {

  private static final int CONSENTS = 10;
  private static final Instant NOW = Instant.parse("2026-06-15T12:00:00Z");

  private final ConsentEngine engine = new ConsentEngine();
  private List<Consent> consents;
  private AccessRequest permitted;
  private AccessRequest denied;

  @Setup
  public void setUp() {
    DataCategory[] categories = DataCategory.values();
    consents = new ArrayList<>();
    for (int i = 0; i < CONSENTS; i++) {
      ProvisionComponent root = new ProvisionComponent();
      root.setType(ConsentProvisionType.PERMIT);
      root.addActor().setReference(new Reference("Practitioner/p" + i));
      root.setPeriod(new Period().setStartElement(new org.hl7.fhir.r4.model.DateTimeType("2026")));
      for (int c = 0; c < 3; c++) {
        root.addCode(category(categories[(i + c) % categories.length]));
      }
      ProvisionComponent restricted = root.addProvision();
      restricted.setType(ConsentProvisionType.DENY);
      restricted.addSecurityLabel(
          new Coding("http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "V", null));
      Consent consent = new Consent();
      consent.setId("c" + i);
      consent.setStatus(ConsentState.ACTIVE);
      consent.setPatient(new Reference("Patient/p"));
      consent
          .getScope()
          .addCoding()
          .setSystem(ConsentEngine.CONSENT_SCOPE_SYSTEM)
          .setCode("patient-privacy");
      consent.addCategory().addCoding().setSystem("http://loinc.org").setCode("59284-0");
      consent.setProvision(root);
      consents.add(consent);
    }
    DataCategory lastFirst = categories[(CONSENTS - 1) % categories.length];
    permitted = request("Practitioner/p" + (CONSENTS - 1), lastFirst.code());
    denied = request("Practitioner/stranger", lastFirst.code());
    if (!engine.decide(consents, permitted).permitted()
        || engine.decide(consents, denied).permitted()) {
      throw new IllegalStateException("fixture does not decide as intended");
    }
  }

  @Benchmark
  public Decision permitByLast() {
    return engine.decide(consents, permitted);
  }

  @Benchmark
  public Decision noConsent() {
    return engine.decide(consents, denied);
  }

  private static CodeableConcept category(DataCategory category) {
    return new CodeableConcept(new Coding(DataCategories.CODE_SYSTEM_URL, category.code(), null));
  }

  private static AccessRequest request(String actor, String category) {
    return new AccessRequest(
        actor,
        "Observation",
        Set.of(category),
        Instant.parse("2026-03-01T08:00:00Z"),
        Set.of(),
        NOW);
  }
}
