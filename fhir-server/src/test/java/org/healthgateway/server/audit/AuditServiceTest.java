package org.healthgateway.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.healthgateway.keys.consent.ConsentEngine;
import org.healthgateway.keys.envelope.VersionMeta;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAction;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventOutcome;
import org.hl7.fhir.r4.model.Consent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AuditServiceTest {
  private static final String B = "Practitioner/b";

  private final List<AuditEvent> written = new ArrayList<>();
  private final List<String> patients = new ArrayList<>();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final AtomicInteger failuresLeft = new AtomicInteger();
  private final AuditService audit =
      new AuditService(
          (events, forPatients, author) -> {
            assertThat(author).isEqualTo(AuditService.AUDITOR);
            if (failuresLeft.getAndDecrement() > 0) {
              throw new IllegalStateException("ledger unavailable");
            }
            events.forEach(w -> written.add((AuditEvent) w.resource()));
            patients.addAll(forPatients);
          },
          meters,
          ConsentLookup.NONE,
          Duration.ofHours(1));

  @AfterEach
  void close() {
    audit.close();
  }

  @Test
  void aSearchOfManyVersions_isOneEventPerPatient_withAnEntityPerVersionThenThePatient() {
    audit.accessed(
        B, List.of(meta("Observation", "o1", "p"), meta("Observation", "o2", "p")), "search");
    audit.accessed(B, List.of(meta("Observation", "o3", "q")), "search");
    audit.flush();

    assertThat(patients).containsExactly("p", "q");
    AuditEvent forP = written.get(0);
    assertThat(forP.getEntity())
        .extracting(e -> e.getWhat().getReference())
        .containsExactly("Observation/o1", "Observation/o2", "Patient/p");
    assertThat(forP.getAgentFirstRep().getWho().getReference()).isEqualTo(B);
    // FHIR R4: a search is an Execute; BALP's Query profiles fix it.
    assertThat(forP.getAction()).isEqualTo(AuditEventAction.E);
    assertThat(forP.getOutcome()).isEqualTo(AuditEventOutcome._0);
    assertThat(forP.getSubtypeFirstRep().getCode()).isEqualTo("search-type");
  }

  @Test
  void readsInOneWindow_byOneAgentOfOnePatient_becomeOneEvent() {
    audit.accessed(B, meta("Condition", "c1", "p"), "read", null);
    audit.accessed(B, meta("Condition", "c2", "p"), "read", null);
    audit.accessed(B, meta("Condition", "c3", "p"), "vread", null);
    audit.flush();

    assertThat(written).hasSize(2);
    assertThat(written.get(0).getEntity()).hasSize(3);
  }

  @Test
  void theOwnersAccess_andReadsOfTheLogItself_andDirectoryResources_areNotLogged() {
    audit.accessed("Patient/p", meta("Condition", "c1", "p"), "read", null);
    audit.accessed(B, meta("AuditEvent", "a1", "p"), "read", null);
    audit.accessed(B, meta("Practitioner", "x", null), "read", null);
    audit.flush();

    assertThat(written).isEmpty();
  }

  @Test
  void aRefusal_isLoggedWithItsReason() {
    audit.accessed(B, meta("Condition", "c1", "p"), "read", "no consent covers it");
    audit.flush();

    assertThat(written)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getOutcome()).isEqualTo(AuditEventOutcome._4);
              assertThat(e.getOutcomeDesc()).isEqualTo("no consent covers it");
            });
  }

  @Test
  void eventsTheStoreRefused_areWrittenOnceItAcceptsAgain() {
    failuresLeft.set(2);
    audit.accessed(B, meta("Condition", "c1", "p"), "read", null);
    audit.flush();
    audit.flush();
    assertThat(written).isEmpty();

    audit.flush();

    assertThat(written).hasSize(1);
    assertThat(meters.counter("gateway.audit.failures").count()).isEqualTo(2);
  }

  @Test
  void anEventRefusedFiveTimes_isDroppedAndCounted_andTheNextOnesGoThrough() {
    failuresLeft.set(6);
    audit.accessed(B, meta("Condition", "c1", "p"), "read", null);
    for (int i = 0; i < 6; i++) {
      audit.flush();
    }
    audit.accessed(B, meta("Condition", "c2", "q"), "read", null);
    audit.flush();

    assertThat(meters.counter("gateway.audit.dropped").count()).isEqualTo(1);
    assertThat(written)
        .singleElement()
        .satisfies(
            e ->
                assertThat(e.getEntityFirstRep().getWhat().getReference())
                    .isEqualTo("Condition/c2"));
  }

  @Test
  void aPractitionersRequest_isACreateByTheProposer() {
    audit.written(List.of(consentVersion(1, B)), List.of(accessConsent()));
    audit.flush();

    assertThat(written)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getAction()).isEqualTo(AuditEventAction.C);
              assertThat(e.getSubtypeFirstRep().getCode()).isEqualTo("create");
              assertThat(e.getAgent())
                  .extracting(a -> a.getWho().getReference())
                  .containsExactly(B);
            });
  }

  @Test
  void thePatientsApproval_isAnUpdateByThePatient_aRegistrarsNamesThePatientToo() {
    audit.written(List.of(consentVersion(2, "Patient/p")), List.of(accessConsent()));
    audit.written(List.of(consentVersion(3, "Practitioner/registrar")), List.of(accessConsent()));
    audit.flush();

    assertThat(written).hasSize(2);
    assertThat(written.get(0).getAction()).isEqualTo(AuditEventAction.U);
    assertThat(written.get(0).getAgent())
        .extracting(a -> a.getWho().getReference())
        .containsExactly("Patient/p");
    assertThat(written.get(1).getAgent())
        .extracting(a -> a.getWho().getReference(), a -> a.getRequestor())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("Practitioner/registrar", true),
            org.assertj.core.groups.Tuple.tuple("Patient/p", false));
  }

  @Test
  void aConsentOfAnotherScope_isNotAConsentEvent() {
    Consent treatment = accessConsent();
    treatment.getScope().getCodingFirstRep().setCode("treatment");

    audit.written(List.of(consentVersion(1, B)), List.of(treatment));
    audit.flush();

    assertThat(written).isEmpty();
  }

  @Test
  void aRelease_namesTheReleasingPatient_theRecipient_andTheConsent() {
    audit.released("Patient/p", null, B, "Consent/k", List.of(meta("Condition", "c1", "p")));
    audit.released(
        "Device/node", "Patient/p", B, "Consent/k", List.of(meta("Condition", "c2", "p")));
    audit.flush();

    assertThat(written).hasSize(2);
    AuditEvent byPatient = written.get(0);
    assertThat(byPatient.getAction()).isEqualTo(AuditEventAction.E);
    assertThat(byPatient.getAgent())
        .extracting(
            a -> a.getWho().getReference(),
            a -> a.getRequestor(),
            a -> a.getType().getCodingFirstRep().getCode())
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("Patient/p", true, null),
            org.assertj.core.groups.Tuple.tuple(B, false, "IRCP"));
    assertThat(byPatient.getEntity())
        .extracting(e -> e.getWhat().getReference())
        .containsExactly("Condition/c1", "Consent/k", "Patient/p");
    assertThat(written.get(1).getAgent())
        .extracting(a -> a.getWho().getReference())
        .containsExactly("Device/node", "Patient/p", B);
  }

  private static VersionMeta consentVersion(long version, String author) {
    return new VersionMeta(
        "Consent", "k", version, 7, Instant.EPOCH, false, author, "p", Set.of("g1"), Set.of());
  }

  private static Consent accessConsent() {
    Consent consent = new Consent();
    consent
        .getScope()
        .addCoding()
        .setSystem(ConsentEngine.CONSENT_SCOPE_SYSTEM)
        .setCode(ConsentEngine.PRIVACY_SCOPE);
    return consent;
  }

  private static VersionMeta meta(String type, String id, String patient) {
    return new VersionMeta(
        type, id, 1, 7, Instant.EPOCH, false, B, patient, Set.of("g1"), Set.of());
  }
}
