package org.healthgateway.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.healthgateway.keys.envelope.VersionMeta;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAction;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventOutcome;
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
    assertThat(forP.getAction()).isEqualTo(AuditEventAction.R);
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
  void aPractitionersConsentWrite_isLoggedAsTheirs() {
    VersionMeta consent = meta("Consent", "k", "p");
    audit.written(List.of(consent), List.of());
    audit.flush();

    assertThat(written)
        .singleElement()
        .satisfies(e -> assertThat(e.getAgentFirstRep().getWho().getReference()).isEqualTo(B));
  }

  private static VersionMeta meta(String type, String id, String patient) {
    return new VersionMeta(
        type, id, 1, 7, Instant.EPOCH, false, B, patient, Set.of("g1"), Set.of());
  }
}
