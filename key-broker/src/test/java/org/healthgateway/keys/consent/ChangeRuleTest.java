package org.healthgateway.keys.consent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.healthgateway.keys.consent.Consents.A;
import static org.healthgateway.keys.consent.Consents.B;
import static org.healthgateway.keys.consent.Consents.actions;
import static org.healthgateway.keys.consent.Consents.active;
import static org.healthgateway.keys.consent.Consents.allergyRead;
import static org.healthgateway.keys.consent.Consents.categories;
import static org.healthgateway.keys.consent.Consents.consent;
import static org.healthgateway.keys.consent.Consents.deny;
import static org.healthgateway.keys.consent.Consents.labRead;
import static org.healthgateway.keys.consent.Consents.nest;
import static org.healthgateway.keys.consent.Consents.period;
import static org.healthgateway.keys.consent.Consents.permit;

import java.util.List;
import java.util.Set;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Consent.ConsentState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ChangeRuleTest {
  private static final String P = "Patient/p";
  private static final String Q = "Patient/q";
  private static final String EDITOR = "Practitioner/editor";

  private final ChangeRule rule = new ChangeRule(new ConsentEngine(), Set.of(EDITOR));

  private static ChangeRule.Change allergyChange(String requester, String firstAuthor) {
    return new ChangeRule.Change(firstAuthor, P, allergyRead(requester), allergyRead(requester));
  }

  private static Consent correctAllergies(String actor) {
    return active("c1", actions(categories(permit(actor), "allergies"), "correct"));
  }

  @Test
  void create_practitionerForAnyPatient_permitted() {
    assertThat(rule.create(B, "AllergyIntolerance", P).permitted()).isTrue();
    assertThat(rule.create(B, "Practitioner", null).permitted()).isTrue();
  }

  @Test
  void create_patientInOwnCompartment_permitted() {
    assertThat(rule.create(P, "Observation", P).permitted()).isTrue();
  }

  @Test
  void create_patientInAnotherPatientsCompartment_denied() {
    assertThat(rule.create(Q, "Observation", P))
        .isEqualTo(new Decision(false, ChangeRule.OUTSIDE_OWN_RECORD, null));
  }

  @Test
  void create_patientDirectoryResource_onlyItsOwnTypes() {
    assertThat(rule.create(P, "Subscription", null).permitted()).isTrue();
    assertThat(rule.create(P, "Provenance", null).permitted()).isTrue();
    assertThat(rule.create(P, "Practitioner", null).permitted()).isFalse();
    assertThat(rule.create(P, "Observation", null).permitted()).isFalse();
  }

  @Test
  void change_byFirstAuthor_permittedWithoutConsent() {
    assertThat(rule.change(allergyChange(A, A), List.of()).permitted()).isTrue();
  }

  @Test
  void change_byDesignatedEditor_permitted() {
    assertThat(rule.change(allergyChange(EDITOR, A), List.of()).permitted()).isTrue();
  }

  @Test
  void change_byOtherPractitionerWithoutConsent_denied() {
    Decision decision = rule.change(allergyChange(B, A), List.of());

    assertThat(decision.permitted()).isFalse();
    assertThat(decision.reason()).startsWith(ChangeRule.NOT_PERMITTED);
  }

  @Test
  void change_readOnlyConsent_denied() {
    Consent readOnly = active("c1", categories(permit(B), "allergies"));
    Consent access = active("c2", actions(categories(permit(B), "allergies"), "access"));

    assertThat(rule.change(allergyChange(B, A), List.of(readOnly)).permitted()).isFalse();
    assertThat(rule.change(allergyChange(B, A), List.of(access)).permitted()).isFalse();
  }

  @Test
  void change_activeConsentWithCorrect_permitted() {
    Decision decision = rule.change(allergyChange(B, A), List.of(correctAllergies(B)));

    assertThat(decision).isEqualTo(new Decision(true, "permitted by Consent/c1", "Consent/c1"));
  }

  @Test
  void change_correctOnNestedProvision_permitted() {
    Consent consent =
        active("c1", nest(categories(permit(B), "allergies"), actions(permit(), "correct")));

    assertThat(rule.change(allergyChange(B, A), List.of(consent)).permitted()).isTrue();
  }

  @Test
  void change_correctConsentForAnotherActor_denied() {
    assertThat(
            rule.change(allergyChange(B, A), List.of(correctAllergies(EDITOR + "2"))).permitted())
        .isFalse();
  }

  @ParameterizedTest
  @EnumSource(
      value = ConsentState.class,
      names = {"PROPOSED", "INACTIVE", "REJECTED", "DRAFT", "ENTEREDINERROR"})
  void change_correctConsentNotActive_denied(ConsentState status) {
    Consent consent = consent("c1", status, actions(categories(permit(B), "allergies"), "correct"));

    assertThat(rule.change(allergyChange(B, A), List.of(consent)).permitted()).isFalse();
  }

  @Test
  void change_correctConsentExpired_denied() {
    Consent expired =
        active(
            "c1",
            actions(
                period(categories(permit(B), "allergies"), "2020-01-01", "2021-01-01"), "correct"));

    Decision decision = rule.change(allergyChange(B, A), List.of(expired));

    assertThat(decision.permitted()).isFalse();
    assertThat(decision.reason()).contains(Decision.PERIOD_ENDED);
  }

  @Test
  void change_correctConsentForAnotherCategory_denied() {
    ChangeRule.Change lab = new ChangeRule.Change(A, P, labRead(B), labRead(B));

    assertThat(rule.change(lab, List.of(correctAllergies(B))).permitted()).isFalse();
  }

  @Test
  void change_newContentLeavesTheConsentsScope_denied() {
    ChangeRule.Change toLab = new ChangeRule.Change(A, P, allergyRead(B), labRead(B));

    assertThat(rule.change(toLab, List.of(correctAllergies(B))).permitted()).isFalse();
  }

  @Test
  void change_deletionUnderCorrectConsent_permitted() {
    ChangeRule.Change deletion = new ChangeRule.Change(A, P, allergyRead(B), null);

    assertThat(rule.change(deletion, List.of(correctAllergies(B))).permitted()).isTrue();
  }

  @Test
  void change_denyWinsOverCorrect_denied() {
    Consent denial = active("c2", categories(deny(B), "allergies"));

    assertThat(rule.change(allergyChange(B, A), List.of(correctAllergies(B), denial)).permitted())
        .isFalse();
  }

  @Test
  void change_patientOfPractitionersRecord_denied() {
    assertThat(rule.change(allergyChange(P, A), List.of()))
        .isEqualTo(new Decision(false, ChangeRule.PATIENT_NOT_AUTHOR, null));
  }

  @Test
  void change_patientOfItsOwnRecord_permitted() {
    assertThat(rule.change(allergyChange(P, P), List.of()).permitted()).isTrue();
  }

  @Test
  void change_otherPatient_denied() {
    assertThat(rule.change(allergyChange(Q, A), List.of()))
        .isEqualTo(new Decision(false, ChangeRule.OUTSIDE_OWN_RECORD, null));
  }

  @Test
  void change_patientWithCorrectConsent_stillDenied() {
    assertThat(rule.change(allergyChange(P, A), List.of(correctAllergies(P))).permitted())
        .isFalse();
  }

  @Test
  void change_directoryResourceByNonAuthor_denied() {
    ChangeRule.Change practitioner =
        new ChangeRule.Change(
            A, null, Consents.read(B, "Practitioner"), Consents.read(B, "Practitioner"));

    assertThat(rule.change(practitioner, List.of()).reason()).isEqualTo(ChangeRule.NOT_PERMITTED);
  }

  @Test
  void decide_correctRequestUnderReadConsent_denied_readStillPermitted() {
    ConsentEngine engine = new ConsentEngine();
    Consent readOnly = active("c1", categories(permit(B), "allergies"));

    assertThat(engine.decide(List.of(readOnly), allergyRead(B)).permitted()).isTrue();
    assertThat(
            engine
                .decide(List.of(readOnly), allergyRead(B).as(AccessRequest.Action.CORRECT))
                .permitted())
        .isFalse();
  }

  @Test
  void decide_readRequestUnderCorrectOnlyConsent_denied() {
    ConsentEngine engine = new ConsentEngine();
    Consent correctOnly = correctAllergies(B);

    assertThat(engine.decide(List.of(correctOnly), allergyRead(B)).permitted()).isFalse();
  }
}
