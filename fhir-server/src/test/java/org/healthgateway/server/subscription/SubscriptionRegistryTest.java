package org.healthgateway.server.subscription;

import static org.assertj.core.api.Assertions.assertThat;
import static org.healthgateway.server.subscription.Fixtures.PATIENT_P;
import static org.healthgateway.server.subscription.Fixtures.PATIENT_Q;
import static org.healthgateway.server.subscription.Fixtures.PRACTITIONER_B;
import static org.healthgateway.server.subscription.Fixtures.PROPOSED_FOR_P;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.function.BiPredicate;
import org.healthgateway.keys.envelope.VersionMeta;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Subscription;
import org.hl7.fhir.r4.model.Subscription.SubscriptionStatus;
import org.junit.jupiter.api.Test;

class SubscriptionRegistryTest {
  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

  /** The patient and the author hold keys for a consent; nobody else does. */
  private static final BiPredicate<VersionMeta, String> KEYS =
      (meta, user) ->
          !meta.encrypted()
              || user.equals(meta.author())
              || user.equals("Patient/" + meta.patientId());

  private final SubscriptionRegistry registry =
      new SubscriptionRegistry(
          new SubscriptionValidator(Fixtures.SEARCH), KEYS, Clock.fixed(NOW, ZoneOffset.UTC));

  private void subscribe(String id, String owner, Subscription subscription) {
    registry.apply(Fixtures.meta("Subscription", id, 1, owner, null), subscription);
  }

  private static VersionMeta consentMeta(String id) {
    return Fixtures.meta("Consent", id, 1, PRACTITIONER_B, "demo-patient-p");
  }

  @Test
  void matching_proposedConsentOfPatient_notifiesTheOwner() {
    subscribe("p1", PATIENT_P, Fixtures.websocket("p1", PROPOSED_FOR_P));

    assertThat(registry.matching(consentMeta("c1"), Fixtures.proposedConsent("c1", PATIENT_P)))
        .extracting(SubscriptionSpec::id)
        .containsExactly("p1");
  }

  @Test
  void matching_otherStatusPatientOrType_notifiesNobody() {
    subscribe("p1", PATIENT_P, Fixtures.websocket("p1", PROPOSED_FOR_P));
    Consent active = Fixtures.proposedConsent("c2", PATIENT_P);
    active.setStatus(Consent.ConsentState.ACTIVE);

    assertThat(registry.matching(consentMeta("c2"), active)).isEmpty();
    assertThat(registry.matching(consentMeta("c3"), Fixtures.proposedConsent("c3", PATIENT_Q)))
        .isEmpty();
    assertThat(
            registry.matching(
                Fixtures.meta("Subscription", "x", 1, PATIENT_P, null),
                Fixtures.websocket("x", PROPOSED_FOR_P)))
        .isEmpty();
  }

  @Test
  void matching_ownerWithoutKey_isNotNotified() {
    // Q subscribes to P's consents: the criteria match, but Q holds no key for them.
    subscribe("q1", PATIENT_Q, Fixtures.websocket("q1", PROPOSED_FOR_P));
    subscribe("p1", PATIENT_P, Fixtures.websocket("p1", PROPOSED_FOR_P));

    assertThat(registry.matching(consentMeta("c1"), Fixtures.proposedConsent("c1", PATIENT_P)))
        .extracting(SubscriptionSpec::owner)
        .containsExactly(PATIENT_P);
  }

  @Test
  void apply_offOrEndedOrDeletedOrInvalid_stopsNotifying() {
    Subscription off = Fixtures.websocket("s", PROPOSED_FOR_P).setStatus(SubscriptionStatus.OFF);
    Subscription ended = Fixtures.websocket("e", PROPOSED_FOR_P);
    ended.setEnd(Date.from(NOW.minusSeconds(1)));
    subscribe("s", PATIENT_P, off);
    subscribe("e", PATIENT_P, ended);
    subscribe("d", PATIENT_P, Fixtures.websocket("d", PROPOSED_FOR_P));
    registry.apply(Fixtures.deletion("Subscription", "d", 2, PATIENT_P), null);
    subscribe("i", PATIENT_P, Fixtures.websocket("i", "Consent?colour=red"));

    assertThat(registry.matching(consentMeta("c1"), Fixtures.proposedConsent("c1", PATIENT_P)))
        .isEmpty();
    assertThat(registry.get("d")).isEmpty();
    assertThat(registry.get("i")).isEmpty();
    assertThat(registry.liveCount()).isZero();
  }

  @Test
  void apply_olderVersionAfterNewer_keepsTheNewer() {
    registry.apply(
        Fixtures.meta("Subscription", "s", 2, PATIENT_P, null),
        Fixtures.websocket("s", PROPOSED_FOR_P).setStatus(SubscriptionStatus.OFF));
    registry.apply(
        Fixtures.meta("Subscription", "s", 1, PATIENT_P, null),
        Fixtures.websocket("s", PROPOSED_FOR_P));

    assertThat(registry.get("s")).get().extracting(SubscriptionSpec::active).isEqualTo(false);
    assertThat(registry.countOwnedBy(PATIENT_P)).isZero();
  }

  @Test
  void apply_updateByAnotherAuthor_movesOwnership() {
    subscribe("s", PATIENT_P, Fixtures.websocket("s", PROPOSED_FOR_P));
    registry.apply(
        Fixtures.meta("Subscription", "s", 2, PATIENT_Q, null),
        Fixtures.websocket("s", PROPOSED_FOR_P));

    assertThat(registry.matching(consentMeta("c1"), Fixtures.proposedConsent("c1", PATIENT_P)))
        .isEmpty();
  }
}
