package org.healthgateway.keys.consent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.healthgateway.keys.consent.Consents.A;
import static org.healthgateway.keys.consent.Consents.B;
import static org.healthgateway.keys.consent.Consents.active;
import static org.healthgateway.keys.consent.Consents.categories;
import static org.healthgateway.keys.consent.Consents.consent;
import static org.healthgateway.keys.consent.Consents.deny;
import static org.healthgateway.keys.consent.Consents.permit;
import static org.healthgateway.keys.consent.Consents.read;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.healthgateway.keys.envelope.VersionMeta;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Consent.ConsentState;
import org.junit.jupiter.api.Test;

class ReadRuleDecisionsTest {

  private static final String PATIENT = "Patient/p";
  private static final String C = "Practitioner/c";
  private static final Set<String> SEALED = Set.of("g-AAAAAAAAAAAAAAAAAAAAAA");

  private final ReadRule rule = new ReadRule(new ConsentEngine());

  /** Version 1 by A, version 2 by B, both sealed. */
  private final VersionMeta v1 = meta("Observation", 1, A, SEALED);

  private final VersionMeta v2 = meta("Observation", 2, B, SEALED);
  private final List<VersionMeta> history = List.of(v1, v2);

  private static VersionMeta meta(String type, long version, String author, Set<String> grants) {
    return new VersionMeta(
        type,
        "x1",
        version,
        10 + version,
        Instant.parse("2025-06-15T12:00:00Z"),
        false,
        author,
        "p",
        grants,
        Set.of("vital-signs"));
  }

  private static AccessRequest vitalsRead(String actor) {
    return read(actor, "Observation", "vital-signs");
  }

  private Decision after(VersionMeta meta, String requester, Consent... consents) {
    return rule.afterOpening(meta, history, vitalsRead(requester), List.of(consents));
  }

  private static Consent vitalsFor(String actor) {
    return active("c1", categories(permit(actor), "vital-signs"));
  }

  @Test
  void beforeOpening_ownerOnlyTypeByAnotherAuthor_deniedEvenWhenClearOrGranted() {
    VersionMeta clear = meta("Subscription", 1, A, Set.of());
    VersionMeta sealed = meta("Subscription", 1, A, SEALED);

    for (Decision decision :
        List.of(rule.beforeOpening(clear, B, false), rule.beforeOpening(sealed, B, true))) {
      assertThat(decision.permitted()).isFalse();
      assertThat(decision.kind()).isEqualTo(Decision.Kind.DENY);
      assertThat(decision.reason()).isEqualTo("Subscription/x1 belongs to another user");
    }
  }

  @Test
  void beforeOpening_ownerOnlyTypeByTheRequester_permittedWithItsGrant() {
    assertThat(rule.beforeOpening(meta("Subscription", 1, A, SEALED), A, true).permitted())
        .isTrue();
  }

  @Test
  void beforeOpening_clearContent_permitted() {
    Decision decision = rule.beforeOpening(meta("Observation", 1, A, Set.of()), B, false);

    assertThat(decision).isEqualTo(Decision.permit("public content"));
  }

  @Test
  void beforeOpening_sealedWithoutAGrant_deniedWithNoKeyReason() {
    Decision decision = rule.beforeOpening(v1, B, false);

    assertThat(decision.permitted()).isFalse();
    assertThat(decision.kind()).isEqualTo(Decision.Kind.DENY);
    assertThat(decision.reason()).isEqualTo("No key for Observation/x1 was released to " + B);
  }

  @Test
  void beforeOpening_sealedWithAGrant_permitted() {
    assertThat(rule.beforeOpening(v1, B, true).permitted()).isTrue();
  }

  @Test
  void isOwnedByAnother_onlyForOwnerOnlyTypesOfAnotherAuthor() {
    assertThat(ReadRule.isOwnedByAnother(meta("Subscription", 1, A, SEALED), B)).isTrue();
    assertThat(ReadRule.isOwnedByAnother(meta("Subscription", 1, A, SEALED), A)).isFalse();
    assertThat(ReadRule.isOwnedByAnother(v1, B)).isFalse();
    assertThat(ReadRule.isOwnerOnly("Subscription")).isTrue();
    assertThat(ReadRule.isOwnerOnly("Observation")).isFalse();
  }

  @Test
  void afterOpening_patientAuthorAndEarlierAuthor_permittedWithoutConsent() {
    Decision own = Decision.permit("the patient's or an author's own record");

    assertThat(after(v1, PATIENT)).isEqualTo(own);
    assertThat(after(v1, A)).isEqualTo(own);
    assertThat(after(v2, B)).isEqualTo(own);
    assertThat(after(v2, A)).isEqualTo(own);
  }

  @Test
  void afterOpening_laterAuthorReadingAnEarlierVersion_needsConsent() {
    Decision withoutConsent = after(v1, B);

    assertThat(withoutConsent).isEqualTo(new Decision(false, Decision.NO_CONSENT, null));
    assertThat(withoutConsent.kind()).isEqualTo(Decision.Kind.DENY);
    assertThat(after(v1, B, vitalsFor(B)))
        .isEqualTo(new Decision(true, "permitted by Consent/c1", "Consent/c1"));
  }

  @Test
  void afterOpening_thirdPartyWithActiveConsent_permitted() {
    assertThat(after(v2, C, vitalsFor(C)).permitted()).isTrue();
  }

  @Test
  void afterOpening_thirdPartyWithoutActiveConsent_deniedNoConsent() {
    Consent inactive = consent("c1", ConsentState.INACTIVE, categories(permit(C), "vital-signs"));
    Consent otherCategory = active("c2", categories(permit(C), "allergies"));
    Consent otherActor = vitalsFor(B);

    for (Decision decision :
        List.of(after(v2, C), after(v2, C, inactive, otherCategory, otherActor))) {
      assertThat(decision).isEqualTo(new Decision(false, Decision.NO_CONSENT, null));
      assertThat(decision.kind()).isEqualTo(Decision.Kind.DENY);
    }
  }

  @Test
  void afterOpening_thirdPartyWithPermitAndDeny_deniedByTheDeny() {
    Consent denial = active("c2", categories(deny(C), "vital-signs"));

    Decision decision = after(v2, C, vitalsFor(C), denial);

    assertThat(decision.permitted()).isFalse();
    assertThat(decision.kind()).isEqualTo(Decision.Kind.DENY);
    assertThat(decision.consentId()).isEqualTo("Consent/c2");
  }

  @Test
  void afterOpening_clearVersionOrNoPatient_permittedWithoutConsent() {
    VersionMeta clear = meta("Observation", 1, A, Set.of());
    VersionMeta directory =
        new VersionMeta(
            "Practitioner", "d1", 1, 3, Instant.EPOCH, false, A, null, SEALED, Set.of());
    Decision noConsentApplies = Decision.permit("no patient's consent applies");

    assertThat(rule.afterOpening(clear, List.of(clear), vitalsRead(C), List.of()))
        .isEqualTo(noConsentApplies);
    assertThat(rule.afterOpening(directory, List.of(directory), vitalsRead(C), List.of()))
        .isEqualTo(noConsentApplies);
  }
}
