package org.healthgateway.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.server.store.ResourceIndex;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAction;
import org.junit.jupiter.api.Test;

class AuditExpiryTest {
  private static final Instant NOW = Instant.parse("2030-06-01T00:00:00Z");

  private final ResourceIndex index = new ResourceIndex();
  private final List<AuditEvent> written = new ArrayList<>();
  private final List<List<String>> patients = new ArrayList<>();

  @Test
  void aRun_countsTheExpiredEvents_andRecordsItsCutoff() throws Exception {
    index.add(AuditPolicyTest.event("p", NOW.minusSeconds(7200)));
    index.add(AuditPolicyTest.event("q", NOW.minusSeconds(3700)));
    index.add(AuditPolicyTest.event("p", NOW.minusSeconds(60)));

    Optional<AuditEvent> event = expiry(NOW).run();

    assertThat(event).isPresent();
    AuditEvent expiry = event.get();
    assertThat(AuditExpiry.isExpiry(expiry)).isTrue();
    assertThat(expiry.getAction()).isEqualTo(AuditEventAction.D);
    assertThat(expiry.getPeriod().getEnd().toInstant()).isEqualTo(NOW.minusSeconds(3600));
    assertThat(detail(expiry, "expired")).isEqualTo("2");
    assertThat(detail(expiry, "retention")).isEqualTo("PT1H");
    assertThat(expiry.getAgentFirstRep().getWho().getReference()).isEqualTo(AuditService.AUDITOR);
    // Written for no patient: sealed for the audit identity alone.
    assertThat(patients).containsExactly(Collections.singletonList(null));
  }

  @Test
  void theNextRun_countsOnlyWhatExpiredSinceTheLastOne() throws Exception {
    index.add(AuditPolicyTest.event("p", NOW.minusSeconds(7200)));
    index.add(AuditPolicyTest.event("p", NOW.minusSeconds(60)));
    expiry(NOW).run();
    index.add(meta(written.get(0)));

    assertThat(expiry(NOW.plusSeconds(10)).run()).isEmpty();
    Optional<AuditEvent> later = expiry(NOW.plusSeconds(3600)).run();

    assertThat(later).isPresent();
    assertThat(detail(later.get(), "expired")).isEqualTo("1");
    assertThat(later.get().getPeriod().getStart().toInstant()).isEqualTo(NOW.minusSeconds(3600));
  }

  @Test
  void withoutRetention_nothingExpires_andNothingIsWritten() throws Exception {
    index.add(AuditPolicyTest.event("p", Instant.EPOCH));
    AuditPolicy forever = new AuditPolicy(List.of(), null, Clock.fixed(NOW, ZoneOffset.UTC));

    assertThat(new AuditExpiry(forever, index, m -> Optional.empty(), this::write).run()).isEmpty();
    assertThat(written).isEmpty();
  }

  private AuditExpiry expiry(Instant now) {
    AuditPolicy policy = new AuditPolicy(List.of(), "PT1H", Clock.fixed(now, ZoneOffset.UTC));
    return new AuditExpiry(policy, index, this::open, this::write);
  }

  private void write(
      List<org.healthgateway.server.store.Write> events, List<String> forPatients, String author) {
    assertThat(author).isEqualTo(AuditService.AUDITOR);
    events.forEach(w -> written.add((AuditEvent) w.resource()));
    patients.add(forPatients);
  }

  private Optional<AuditEvent> open(VersionMeta meta) {
    return written.stream().filter(e -> e.getIdElement().getIdPart().equals(meta.id())).findFirst();
  }

  private static VersionMeta meta(AuditEvent event) {
    return new VersionMeta(
        "AuditEvent",
        event.getIdElement().getIdPart(),
        1,
        2,
        NOW,
        false,
        AuditService.AUDITOR,
        null,
        Set.of(),
        Set.of());
  }

  private static String detail(AuditEvent event, String type) {
    return event.getEntityFirstRep().getDetail().stream()
        .filter(d -> d.getType().equals(type))
        .map(d -> d.getValue().primitiveValue())
        .findFirst()
        .orElseThrow();
  }
}
