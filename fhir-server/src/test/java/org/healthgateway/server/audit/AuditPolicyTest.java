package org.healthgateway.server.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.healthgateway.keys.envelope.VersionMeta;
import org.junit.jupiter.api.Test;

class AuditPolicyTest {
  private static final Instant NOW = Instant.parse("2030-06-01T00:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  @Test
  void retentionInYears_cutsOffAtTheSameDateYearsBefore() {
    AuditPolicy policy = new AuditPolicy(List.of(), "P6Y", CLOCK);

    assertThat(policy.cutoff()).contains(Instant.parse("2024-06-01T00:00:00Z"));
    assertThat(policy.retention()).contains("P6Y");
  }

  @Test
  void aDurationRetention_isAccepted() {
    assertThat(new AuditPolicy(List.of(), "PT2S", CLOCK).cutoff()).contains(NOW.minusSeconds(2));
  }

  @Test
  void noRetention_keepsForever() {
    AuditPolicy policy = new AuditPolicy(List.of(), "", CLOCK);

    assertThat(policy.cutoff()).isEmpty();
    assertThat(policy.isExpired(event("p", Instant.EPOCH))).isFalse();
  }

  @Test
  void aRetentionThatDoesNotParse_orIsNotPositive_isRefused() {
    assertThatThrownBy(() -> new AuditPolicy(List.of(), "six years", CLOCK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gateway.audit.retention");
    assertThatThrownBy(() -> new AuditPolicy(List.of(), "P0D", CLOCK))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new AuditPolicy(List.of(), "-PT1S", CLOCK))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aPatientsEventBeforeTheCutoff_hasExpired_theNodesOwnRecordsNever() {
    AuditPolicy policy = new AuditPolicy(List.of(), "PT1H", CLOCK);

    assertThat(policy.isExpired(event("p", NOW.minusSeconds(3601)))).isTrue();
    assertThat(policy.isExpired(event("p", NOW.minusSeconds(3599)))).isFalse();
    assertThat(policy.isExpired(event(null, Instant.EPOCH))).isFalse();
  }

  @Test
  void onlyListedUsers_areAuditors() {
    AuditPolicy policy = new AuditPolicy(List.of("Practitioner/auditor"), null, CLOCK);

    assertThat(policy.isAuditor("Practitioner/auditor")).isTrue();
    assertThat(policy.isAuditor("Practitioner/other")).isFalse();
    assertThat(policy.isAuditor("Patient/auditor")).isFalse();
  }

  static VersionMeta event(String patient, Instant at) {
    return new VersionMeta(
        "AuditEvent",
        "e-" + at.toEpochMilli() + "-" + patient,
        1,
        1,
        at,
        false,
        AuditService.AUDITOR,
        patient,
        Set.of(),
        Set.of());
  }
}
