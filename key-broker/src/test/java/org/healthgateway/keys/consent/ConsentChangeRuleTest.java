package org.healthgateway.keys.consent;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWK;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.healthgateway.keys.KeyPairs;
import org.healthgateway.keys.Signatures;
import org.healthgateway.keys.consent.Decision.Kind;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Consent.ConsentState;
import org.hl7.fhir.r4.model.Provenance;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;

class ConsentChangeRuleTest {
  private static final String PATIENT = "Patient/p";
  private static final String PROPOSER = "Practitioner/b";
  private static final String REGISTRAR = "Practitioner/registrar";

  private static final JWK PATIENT_KEY = newKey();
  private static final JWK OTHER_KEY = newKey();

  private final ConsentChangeRule rule =
      new ConsentChangeRule(ProposalFixture.CTX, new ConsentEngine());

  private static JWK newKey() {
    try {
      return KeyPairs.generateEc();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static Consent proposal() {
    Consent consent = ProposalFixture.load();
    consent.setId("c1");
    return consent;
  }

  private static Consent withStatus(ConsentState status) {
    Consent consent = proposal();
    consent.setStatus(status);
    return consent;
  }

  private Provenance signedBy(JWK key, Consent next, long replacedVersion) throws Exception {
    Provenance provenance = new Provenance();
    provenance.addTarget(new Reference("Consent/c1"));
    String jws = Signatures.signDetached(key, rule.canonicalForm(next, replacedVersion));
    provenance.addSignature().setData(jws.getBytes(StandardCharsets.UTF_8));
    return provenance;
  }

  private static Provenance onBehalfOf(String who, String patient) {
    Provenance provenance = new Provenance();
    provenance.addTarget(new Reference("Consent/c1"));
    provenance.addAgent().setWho(new Reference(who)).setOnBehalfOf(new Reference(patient));
    return provenance;
  }

  private Decision decide(
      Consent previous, Consent next, String requester, boolean custodial, Provenance... batch) {
    return rule.decide(
        new ConsentChangeRule.Change(
            "c1",
            previous,
            previous == null ? 0 : 1,
            next,
            requester,
            requester.equals(REGISTRAR),
            custodial,
            PATIENT_KEY.toPublicJWK(),
            List.of(batch)));
  }

  @Test
  void practitionerProposes() {
    assertThat(decide(null, proposal(), PROPOSER, false).permitted()).isTrue();
  }

  @Test
  void patientCannotPropose() {
    assertThat(decide(null, proposal(), PATIENT, false))
        .isEqualTo(Decision.deny(ConsentChangeRule.ONLY_PRACTITIONERS_PROPOSE));
  }

  @Test
  void invalidProposalIsInvalidNotForbidden() {
    Consent empty = proposal();
    empty.setProvision(null);
    Decision decision = decide(null, empty, PROPOSER, false);
    assertThat(decision.kind()).isEqualTo(Kind.INVALID);
    assertThat(decision.reason()).startsWith("Invalid access request: ");
  }

  @Test
  void nobodyDeletes() {
    assertThat(decide(proposal(), null, PATIENT, false))
        .isEqualTo(Decision.deny(ConsentChangeRule.NO_DELETE));
  }

  @Test
  void patientApprovesWithItsSignature() throws Exception {
    Consent next = withStatus(ConsentState.ACTIVE);
    assertThat(decide(proposal(), next, PATIENT, false, signedBy(PATIENT_KEY, next, 1)))
        .isEqualTo(Decision.permit("signed by the patient"));
  }

  @Test
  void approvalSignedByAnotherKeyIsDenied() throws Exception {
    Consent next = withStatus(ConsentState.ACTIVE);
    Decision decision = decide(proposal(), next, PATIENT, false, signedBy(OTHER_KEY, next, 1));
    assertThat(decision.kind()).isEqualTo(Kind.DENY);
  }

  @Test
  void signatureOverAnOlderVersionDoesNotApprove() throws Exception {
    Consent next = withStatus(ConsentState.ACTIVE);
    Decision decision = decide(proposal(), next, PATIENT, false, signedBy(PATIENT_KEY, next, 0));
    assertThat(decision.kind()).isEqualTo(Kind.DENY);
  }

  @Test
  void signatureOverOtherContentDoesNotApprove() throws Exception {
    Consent next = withStatus(ConsentState.ACTIVE);
    Provenance signedRejection = signedBy(PATIENT_KEY, withStatus(ConsentState.REJECTED), 1);
    assertThat(decide(proposal(), next, PATIENT, false, signedRejection).kind())
        .isEqualTo(Kind.DENY);
  }

  @Test
  void unsignedApprovalIsInvalidUnlessCustodial() {
    Consent next = withStatus(ConsentState.ACTIVE);
    assertThat(decide(proposal(), next, PATIENT, false).kind()).isEqualTo(Kind.INVALID);
    assertThat(decide(proposal(), next, PATIENT, true).permitted()).isTrue();
  }

  @Test
  void practitionerCannotApprove() throws Exception {
    Consent next = withStatus(ConsentState.ACTIVE);
    Decision decision = decide(proposal(), next, PROPOSER, false, signedBy(PATIENT_KEY, next, 1));
    assertThat(decision.kind()).isEqualTo(Kind.DENY);
    assertThat(decision.reason())
        .isEqualTo("Only the patient may approve, reject or revoke Consent/c1");
  }

  @Test
  void registrarActsForCustodialPatientOnlyWithProvenance() {
    Consent next = withStatus(ConsentState.ACTIVE);
    assertThat(decide(proposal(), next, REGISTRAR, true).kind()).isEqualTo(Kind.INVALID);
    assertThat(
            decide(proposal(), next, REGISTRAR, true, onBehalfOf(REGISTRAR, PATIENT)).permitted())
        .isTrue();
    assertThat(decide(proposal(), next, REGISTRAR, false, onBehalfOf(REGISTRAR, PATIENT)).kind())
        .isEqualTo(Kind.DENY);
  }

  @Test
  void patientRevokesAnActiveConsent() {
    assertThat(
            decide(
                withStatus(ConsentState.ACTIVE), withStatus(ConsentState.INACTIVE), PATIENT, false))
        .isEqualTo(Decision.permit("the patient revokes"));
  }

  @Test
  void otherTransitionsAreInvalid() {
    Decision reopen =
        decide(withStatus(ConsentState.INACTIVE), withStatus(ConsentState.ACTIVE), PATIENT, false);
    assertThat(reopen.kind()).isEqualTo(Kind.INVALID);
    assertThat(reopen.reason()).endsWith("not from inactive to active");
  }

  @Test
  void consentCannotChangeItsPatient() {
    Consent next = withStatus(ConsentState.INACTIVE);
    next.setPatient(new Reference("Patient/q"));
    assertThat(decide(withStatus(ConsentState.ACTIVE), next, PATIENT, false))
        .isEqualTo(Decision.invalid("A Consent cannot change its patient"));
  }

  private static Consent treatmentConsent(ConsentState status) {
    Consent consent = withStatus(status);
    consent.getScope().getCodingFirstRep().setCode("treatment");
    return consent;
  }

  @Test
  void aConsentOfAnotherScope_isARecord_leftToTheWriteRule() {
    Consent treatment = treatmentConsent(ConsentState.ACTIVE);

    assertThat(decide(null, treatment, PROPOSER, false).permitted()).isTrue();
    assertThat(decide(null, treatment, PATIENT, false).permitted()).isTrue();
    assertThat(
            decide(treatment, treatmentConsent(ConsentState.INACTIVE), PROPOSER, false).permitted())
        .isTrue();
    assertThat(decide(treatment, null, PROPOSER, false).permitted()).isTrue();
  }

  @Test
  void aConsentCannotMoveIntoOrOutOfThePrivacyScope() {
    assertThat(
            decide(
                    treatmentConsent(ConsentState.ACTIVE),
                    withStatus(ConsentState.ACTIVE),
                    PATIENT,
                    false)
                .kind())
        .isEqualTo(Decision.Kind.INVALID);
    assertThat(
            decide(
                    withStatus(ConsentState.ACTIVE),
                    treatmentConsent(ConsentState.ACTIVE),
                    PATIENT,
                    false)
                .kind())
        .isEqualTo(Decision.Kind.INVALID);
  }
}
