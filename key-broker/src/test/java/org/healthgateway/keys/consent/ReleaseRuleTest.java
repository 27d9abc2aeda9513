package org.healthgateway.keys.consent;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWK;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.healthgateway.keys.KeyPairs;
import org.healthgateway.keys.Signatures;
import org.healthgateway.keys.consent.Decision.Kind;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.keys.wallet.ReleaseStatement;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Consent.ConsentState;
import org.junit.jupiter.api.Test;

class ReleaseRuleTest {
  private static final String PATIENT = "Patient/p";
  private static final String ACTOR = "Practitioner/b";
  private static final String GRANT_ID = "g-AAAAAAAAAAAAAAAAAAAAAA";

  private final ReleaseRule rule = new ReleaseRule();
  private final JWK patientKey = newKey();

  private static JWK newKey() {
    try {
      return KeyPairs.generateEc();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Consent active() {
    Consent consent = ProposalFixture.load();
    consent.setId("c1");
    consent.setStatus(ConsentState.ACTIVE);
    return consent;
  }

  private static VersionMeta consentMeta() {
    return version("Consent", "c1", "p", false);
  }

  private static VersionMeta version(String type, String id, String patientId, boolean deleted) {
    return new VersionMeta(
        type, id, 1, 7, Instant.EPOCH, deleted, ACTOR, patientId, Set.of("g-x"), Set.of());
  }

  private static ReleaseStatement statement(String patient, String consent, String actor) {
    return new ReleaseStatement(consent, patient, actor, GRANT_ID, "jwe", List.of(), 0);
  }

  private Decision decide(ReleaseStatement statement, JWK signer, boolean freshGrantId)
      throws Exception {
    byte[] bytes = statement.toBytes();
    return rule.statement(
        statement,
        bytes,
        Signatures.signDetached(signer, bytes),
        "c1",
        active(),
        patientKey.toPublicJWK(),
        freshGrantId);
  }

  @Test
  void onlyThePatientReleasesUnderItsActiveConsent() {
    assertThat(rule.consent("c1", consentMeta(), active(), PATIENT).permitted()).isTrue();
    assertThat(rule.consent("c1", consentMeta(), active(), ACTOR).kind()).isEqualTo(Kind.DENY);
    assertThat(rule.consent("c1", null, null, PATIENT).kind()).isEqualTo(Kind.NOT_FOUND);
    Consent proposed = active().setStatus(ConsentState.PROPOSED);
    assertThat(rule.consent("c1", consentMeta(), proposed, PATIENT))
        .isEqualTo(Decision.invalid("Consent/c1 is not active"));
  }

  @Test
  void statementSignedByThePatientForAnActorIsPermitted() throws Exception {
    assertThat(decide(statement(PATIENT, "Consent/c1", ACTOR), patientKey, true).permitted())
        .isTrue();
  }

  @Test
  void statementSignedByAnotherKeyIsDenied() throws Exception {
    assertThat(decide(statement(PATIENT, "Consent/c1", ACTOR), newKey(), true))
        .isEqualTo(Decision.deny("The release is not signed by the patient's key"));
  }

  @Test
  void statementForAnotherPatientOrConsentIsDenied() throws Exception {
    Decision reason = Decision.deny("The release names another patient or consent");
    assertThat(decide(statement("Patient/q", "Consent/c1", ACTOR), patientKey, true))
        .isEqualTo(reason);
    assertThat(decide(statement(PATIENT, "Consent/c2", ACTOR), patientKey, true)).isEqualTo(reason);
  }

  @Test
  void statementForSomeoneTheConsentDoesNotNameIsDenied() throws Exception {
    assertThat(decide(statement(PATIENT, "Consent/c1", "Practitioner/z"), patientKey, true))
        .isEqualTo(Decision.deny("Practitioner/z is not an actor of Consent/c1"));
  }

  @Test
  void reusedGrantIdIsInvalid() throws Exception {
    assertThat(decide(statement(PATIENT, "Consent/c1", ACTOR), patientKey, false).kind())
        .isEqualTo(Kind.INVALID);
  }

  @Test
  void releasedKeyMustBeThePatientsLiveVersionInScope() {
    String ref = "AllergyIntolerance/a1/_history/1";
    VersionMeta own = version("AllergyIntolerance", "a1", "p", false);
    assertThat(rule.releasedKey(ref, own, "p", true).permitted()).isTrue();
    assertThat(rule.releasedKey(ref, own, "p", false).kind()).isEqualTo(Kind.DENY);
    assertThat(rule.releasedKey(ref, null, "p", true).kind()).isEqualTo(Kind.DENY);
    assertThat(rule.releasedKey(ref, version("AllergyIntolerance", "a1", "q", false), "p", true))
        .isEqualTo(Decision.deny(ref + " is not a record of this patient"));
    assertThat(
            rule.releasedKey(ref, version("AllergyIntolerance", "a1", "p", true), "p", true).kind())
        .isEqualTo(Kind.DENY);
  }

  @Test
  void noReleaseUnderAConsentOfAnotherScope() {
    Consent treatment = active();
    treatment.getScope().getCodingFirstRep().setCode("treatment");

    assertThat(rule.consent("c1", consentMeta(), treatment, PATIENT).kind())
        .isEqualTo(Kind.INVALID);
  }
}
