package org.healthgateway.keys.consent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.healthgateway.keys.consent.Consents.A;
import static org.healthgateway.keys.consent.Consents.B;
import static org.healthgateway.keys.consent.Consents.RESTRICTED;
import static org.healthgateway.keys.consent.Consents.VERY_RESTRICTED;
import static org.healthgateway.keys.consent.Consents.active;
import static org.healthgateway.keys.consent.Consents.allergyRead;
import static org.healthgateway.keys.consent.Consents.categories;
import static org.healthgateway.keys.consent.Consents.consent;
import static org.healthgateway.keys.consent.Consents.dataPeriod;
import static org.healthgateway.keys.consent.Consents.deny;
import static org.healthgateway.keys.consent.Consents.labRead;
import static org.healthgateway.keys.consent.Consents.labels;
import static org.healthgateway.keys.consent.Consents.nest;
import static org.healthgateway.keys.consent.Consents.period;
import static org.healthgateway.keys.consent.Consents.permit;
import static org.healthgateway.keys.consent.Consents.read;
import static org.healthgateway.keys.consent.Consents.types;
import static org.healthgateway.keys.consent.Consents.untyped;

import java.time.Instant;
import java.util.List;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Consent.ConsentState;
import org.hl7.fhir.r4.model.Consent.ProvisionComponent;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ConsentEngineDecideTest {

  private final ConsentEngine engine = new ConsentEngine();

  private Decision decide(AccessRequest request, Consent... consents) {
    return engine.decide(List.of(consents), request);
  }

  private static Consent allergiesForB() {
    return active("c1", categories(permit(B), "allergies", "operations"));
  }

  @Test
  void decide_noConsents_deniedByDefault() {
    assertThat(decide(allergyRead(B))).isEqualTo(new Decision(false, Decision.NO_CONSENT, null));
  }

  @Test
  void decide_permitByCategory_permitted() {
    assertThat(decide(allergyRead(B), allergiesForB()))
        .isEqualTo(new Decision(true, "permitted by Consent/c1", "Consent/c1"));
  }

  @Test
  void decide_permitByClass_permitted() {
    Consent consent = active("c1", types(permit(B), "Observation"));

    assertThat(decide(labRead(B), consent).permitted()).isTrue();
    assertThat(decide(allergyRead(B), consent).permitted()).isFalse();
  }

  @Test
  void decide_classAndCodeTogether_bothMustMatch() {
    Consent consent = active("c1", categories(types(permit(B), "Observation"), "vital-signs"));

    assertThat(decide(read(B, "Observation", "vital-signs"), consent).permitted()).isTrue();
    assertThat(decide(labRead(B), consent).permitted()).isFalse();
  }

  @Test
  void decide_otherCategory_denied() {
    assertThat(decide(labRead(B), allergiesForB()))
        .isEqualTo(new Decision(false, Decision.NO_CONSENT, null));
  }

  @Test
  void decide_resourceInSeveralCategories_permittedIfAnyCovered() {
    AccessRequest radiology = read(B, "DiagnosticReport", "imaging", "diagnostic-reports");
    Consent consent = active("c1", categories(permit(B), "imaging"));

    assertThat(decide(radiology, consent).permitted()).isTrue();
  }

  @Test
  void decide_otherActor_denied() {
    assertThat(decide(allergyRead(A), allergiesForB()).permitted()).isFalse();
    assertThat(decide(allergyRead("Patient/b"), allergiesForB()).permitted()).isFalse();
  }

  @Test
  void decide_actorAsAbsoluteUrlWithVersion_comparedAsTypeAndId() {
    Consent consent =
        active(
            "c1",
            categories(permit("https://node.example/fhir/Practitioner/b/_history/3"), "allergies"));

    assertThat(decide(allergyRead(B), consent).permitted()).isTrue();
    assertThat(
            decide(allergyRead("https://other.example/fhir/Practitioner/b"), consent).permitted())
        .isTrue();
  }

  @ParameterizedTest
  @EnumSource(
      value = ConsentState.class,
      names = {"DRAFT", "PROPOSED", "REJECTED", "INACTIVE", "ENTEREDINERROR", "NULL"})
  void decide_consentNotActive_notCounted(ConsentState status) {
    Consent consent = consent("c1", status, categories(permit(B), "allergies"));

    assertThat(decide(allergyRead(B), consent))
        .isEqualTo(new Decision(false, Decision.NO_CONSENT, null));
  }

  @Test
  void decide_inactiveDeny_notCounted() {
    Consent revokedDeny = consent("c2", ConsentState.INACTIVE, categories(deny(B), "allergies"));

    assertThat(decide(allergyRead(B), allergiesForB(), revokedDeny).permitted()).isTrue();
  }

  @Test
  void decide_periodEnded_deniedPeriodEnded() {
    Consent consent = active("c1", period(categories(permit(B), "allergies"), null, "2025-06-14"));

    assertThat(decide(allergyRead(B), consent))
        .isEqualTo(new Decision(false, Decision.PERIOD_ENDED, "Consent/c1"));
  }

  @Test
  void decide_periodNotStarted_deniedNotStarted() {
    Consent consent = active("c1", period(categories(permit(B), "allergies"), "2025-07", null));

    assertThat(decide(allergyRead(B), consent))
        .isEqualTo(new Decision(false, Decision.PERIOD_NOT_STARTED, "Consent/c1"));
  }

  @Test
  void decide_periodEndDate_includesTheWholeDay() {
    Consent consent = active("c1", period(categories(permit(B), "allergies"), null, "2025-06-15"));

    assertThat(decide(allergyRead(B), consent).permitted()).isTrue();
    AccessRequest nextDay = withAt(allergyRead(B), Instant.parse("2025-06-16T00:00:00Z"));
    assertThat(decide(nextDay, consent).reason()).isEqualTo(Decision.PERIOD_ENDED);
  }

  @Test
  void decide_periodEndedForOtherActor_reasonDoesNotMentionIt() {
    Consent consent = active("c1", period(categories(permit(A), "allergies"), null, "2025-01-01"));

    assertThat(decide(allergyRead(B), consent))
        .isEqualTo(new Decision(false, Decision.NO_CONSENT, null));
  }

  @Test
  void decide_dataDateInsideDataPeriod_permitted() {
    Consent consent =
        active("c1", dataPeriod(categories(permit(B), "allergies"), "2024-01-01", "2024-12-31"));

    assertThat(decide(allergyRead(B), consent).permitted()).isTrue();
  }

  @Test
  void decide_dataDateOutsideDataPeriod_denied() {
    Consent consent = active("c1", dataPeriod(categories(permit(B), "allergies"), "2025", null));

    assertThat(decide(allergyRead(B), consent))
        .isEqualTo(new Decision(false, Decision.NO_CONSENT, null));
  }

  @Test
  void decide_noDataDateUnderPermitDataPeriod_denied() {
    Consent consent = active("c1", dataPeriod(categories(permit(B), "allergies"), "2000", null));

    assertThat(decide(withDataDate(allergyRead(B), null), consent).permitted()).isFalse();
  }

  @Test
  void decide_noDataDateUnderDenyDataPeriod_deniedFailClosed() {
    Consent carveOut =
        active("c1", nest(categories(permit(B), "allergies"), dataPeriod(deny(), "2010", "2015")));

    assertThat(decide(allergyRead(B), carveOut).permitted()).isTrue();
    assertThat(
            decide(withDataDate(allergyRead(B), Instant.parse("2012-05-01T00:00:00Z")), carveOut))
        .isEqualTo(new Decision(false, "denied by Consent/c1", "Consent/c1"));
    assertThat(decide(withDataDate(allergyRead(B), null), carveOut).permitted()).isFalse();
  }

  @Test
  void decide_nestedDenyOnCode_carvesOutThatCategory() {
    Consent consent =
        active(
            "c1",
            nest(
                categories(permit(B), "allergies", "diagnostic-reports"),
                categories(deny(), "diagnostic-reports")));

    assertThat(decide(allergyRead(B), consent).permitted()).isTrue();
    assertThat(decide(labRead(B), consent))
        .isEqualTo(new Decision(false, "denied by Consent/c1", "Consent/c1"));
  }

  @Test
  void decide_nestedDenyOnSecurityLabel_carvesOutLabeledData() {
    Consent consent =
        active(
            "c1",
            nest(
                categories(permit(B), "diagnostic-reports"),
                labels(deny(), "http://terminology.hl7.org/CodeSystem/v3-ActCode|HIV")));

    assertThat(decide(labRead(B), consent).permitted()).isTrue();
    assertThat(
            decide(labRead(B, "http://terminology.hl7.org/CodeSystem/v3-ActCode|HIV"), consent)
                .permitted())
        .isFalse();
  }

  @Test
  void decide_nestedDenyForOneActor_onlyThatActorLosesAccess() {
    Consent consent = active("c1", nest(categories(permit(A, B), "allergies"), deny(A)));

    assertThat(decide(allergyRead(A), consent).permitted()).isFalse();
    assertThat(decide(allergyRead(B), consent).permitted()).isTrue();
  }

  @Test
  void decide_nestedPermitUnderRootDeny_permitsOnlyTheException() {
    Consent optIn = active("c1", nest(deny(), categories(permit(B), "allergies")));

    assertThat(decide(allergyRead(B), optIn).permitted()).isTrue();
    assertThat(decide(labRead(B), optIn).reason()).isEqualTo("denied by Consent/c1");
    assertThat(decide(allergyRead(A), optIn).permitted()).isFalse();
  }

  @Test
  void decide_untypedRootWithNestedRules_nestedRulesDecide() {
    Consent r4Style =
        active(
            "c1",
            nest(
                untyped(B),
                categories(permit(), "diagnostic-reports"),
                labels(deny(), RESTRICTED)));

    assertThat(decide(labRead(B), r4Style).permitted()).isTrue();
    assertThat(decide(allergyRead(B), r4Style).permitted()).isFalse();
    assertThat(decide(labRead(A), r4Style).permitted()).isFalse();
  }

  @Test
  void decide_permitNamingNoActor_permitsNobody() {
    Consent consent = active("c1", categories(permit(), "allergies"));

    assertThat(decide(allergyRead(B), consent).permitted()).isFalse();
  }

  @Test
  void decide_denyNamingNoActor_deniesEveryone() {
    Consent denyAll = active("c2", categories(deny(), "allergies"));

    assertThat(decide(allergyRead(B), allergiesForB(), denyAll))
        .isEqualTo(new Decision(false, "denied by Consent/c2", "Consent/c2"));
  }

  @Test
  void decide_permitWithSecurityLabel_coversOnlyDataCarryingIt() {
    String sensitive = "http://terminology.hl7.org/CodeSystem/v3-ActCode|PSY";
    Consent consent = active("c1", labels(categories(permit(B), "diagnostic-reports"), sensitive));

    assertThat(decide(labRead(B, sensitive), consent).permitted()).isTrue();
    assertThat(decide(labRead(B), consent).permitted()).isFalse();
  }

  @Test
  void decide_permitWithSeveralLabels_requiresAll() {
    String psy = "http://terminology.hl7.org/CodeSystem/v3-ActCode|PSY";
    Consent consent = active("c1", labels(permit(B), psy, RESTRICTED));

    assertThat(decide(labRead(B, psy, RESTRICTED), consent).permitted()).isTrue();
    assertThat(decide(labRead(B, psy), consent).permitted()).isFalse();
  }

  @Test
  void decide_restrictedDataUnderBroadPermit_denied() {
    assertThat(decide(labRead(B, RESTRICTED), active("c1", permit(B))).permitted()).isFalse();
  }

  @Test
  void decide_restrictedDataUnderPermitNamingTheLabel_permitted() {
    Consent consent =
        active(
            "c1", nest(categories(permit(B), "diagnostic-reports"), labels(permit(), RESTRICTED)));

    assertThat(decide(labRead(B), consent).permitted()).isTrue();
    assertThat(decide(labRead(B, RESTRICTED), consent).permitted()).isTrue();
    assertThat(decide(labRead(B, VERY_RESTRICTED), consent).permitted()).isFalse();
  }

  @Test
  void decide_denyConsentAndPermitConsent_denyWinsInEitherOrder() {
    Consent denial = active("c2", categories(deny(B), "allergies"));
    Decision expected = new Decision(false, "denied by Consent/c2", "Consent/c2");

    assertThat(decide(allergyRead(B), allergiesForB(), denial)).isEqualTo(expected);
    assertThat(decide(allergyRead(B), denial, allergiesForB())).isEqualTo(expected);
  }

  @Test
  void decide_denyConsentForOtherData_permitStands() {
    Consent denial = active("c2", categories(deny(B), "diagnostic-reports"));

    assertThat(decide(allergyRead(B), denial, allergiesForB()))
        .isEqualTo(new Decision(true, "permitted by Consent/c1", "Consent/c1"));
  }

  @Test
  void decide_codeOfForeignSystem_permitDoesNotApplyDenyDoes() {
    CodeableConcept hiv =
        new CodeableConcept(new Coding("http://snomed.info/sct", "86406008", null));
    Consent permitForeign = active("c1", permit(B).addCode(hiv));
    Consent carveOut =
        active("c2", nest(categories(permit(B), "diagnostic-reports"), deny().addCode(hiv)));

    assertThat(decide(labRead(B), permitForeign).permitted()).isFalse();
    assertThat(decide(labRead(B), carveOut).reason()).isEqualTo("denied by Consent/c2");
  }

  @Test
  void decide_provisionData_permitDoesNotApplyDenyDoes() {
    ProvisionComponent byInstance = permit(B);
    byInstance.addData().setReference(new Reference("Observation/1"));
    ProvisionComponent denyInstance = deny();
    denyInstance.addData().setReference(new Reference("Observation/1"));

    assertThat(decide(labRead(B), active("c1", byInstance)).permitted()).isFalse();
    assertThat(decide(labRead(B), active("c2", nest(permit(B), denyInstance))).permitted())
        .isFalse();
  }

  @Test
  void decide_actionCollectOnly_notPermittedAccessIs() {
    String actions = "http://terminology.hl7.org/CodeSystem/consentaction";
    Consent collect =
        active(
            "c1", permit(B).addAction(new CodeableConcept(new Coding(actions, "collect", null))));
    Consent access =
        active("c2", permit(B).addAction(new CodeableConcept(new Coding(actions, "access", null))));

    assertThat(decide(labRead(B), collect).permitted()).isFalse();
    assertThat(decide(labRead(B), access).permitted()).isTrue();
  }

  @Test
  void decide_invertedPeriodOnDeny_deniesFailClosed() {
    Consent consent =
        active(
            "c1",
            nest(permit(B), period(categories(deny(), "allergies"), "2025-12-01", "2025-01-01")));

    assertThat(decide(allergyRead(B), consent).permitted()).isFalse();
    assertThat(decide(labRead(B), consent).permitted()).isTrue();
  }

  @Test
  void decide_nestingDeeperThanLimit_invalidAndDenies() {
    ProvisionComponent root = permit(B);
    ProvisionComponent current = root;
    for (int level = 2; level <= ConsentEngine.MAX_DEPTH + 1; level++) {
      ProvisionComponent child = permit();
      current.addProvision(child);
      current = child;
    }

    assertThat(decide(labRead(B), active("c1", root)))
        .isEqualTo(new Decision(false, "Consent/c1 is invalid", "Consent/c1"));
  }

  @Test
  void decide_nestingAtLimit_evaluated() {
    ProvisionComponent root = permit(B);
    ProvisionComponent current = root;
    for (int level = 2; level <= ConsentEngine.MAX_DEPTH; level++) {
      ProvisionComponent child = permit();
      current.addProvision(child);
      current = child;
    }

    assertThat(decide(labRead(B), active("c1", root)).permitted()).isTrue();
  }

  @Test
  void decide_moreProvisionsThanLimit_invalidAndDenies() {
    ProvisionComponent root = permit(B);
    for (int i = 0; i < ConsentEngine.MAX_PROVISIONS; i++) {
      root.addProvision(categories(deny(), "immunizations"));
    }

    assertThat(decide(labRead(B), active("c1", root)).reason()).isEqualTo("Consent/c1 is invalid");
  }

  @Test
  void decide_nestedProvisionWithoutType_invalidEvenAgainstOtherPermits() {
    Consent broken = active("c2", nest(permit(A), untyped()));

    assertThat(decide(allergyRead(B), allergiesForB(), broken))
        .isEqualTo(new Decision(false, "Consent/c2 is invalid", "Consent/c2"));
  }

  @Test
  void validateStructure_nestedWithoutTypeAndValid_reportsOnlyTheBroken() {
    assertThat(engine.validateStructure(active("c2", nest(permit(A), untyped()))))
        .containsExactly("a nested provision has no type");
    assertThat(engine.validateStructure(allergiesForB())).isEmpty();
  }

  @Test
  void decide_tooManyConsents_refused() {
    List<Consent> many =
        java.util.Collections.nCopies(ConsentEngine.MAX_CONSENTS + 1, allergiesForB());

    assertThat(engine.decide(many, allergyRead(B)))
        .isEqualTo(new Decision(false, ConsentEngine.TOO_MANY_CONSENTS, null));
  }

  @Test
  void decide_activeConsentWithoutProvision_neitherPermitsNorDenies() {
    Consent empty = active("c2", null);

    assertThat(decide(allergyRead(B), empty).permitted()).isFalse();
    assertThat(decide(allergyRead(B), empty, allergiesForB()).permitted()).isTrue();
  }

  private static AccessRequest withAt(AccessRequest request, Instant at) {
    return new AccessRequest(
        request.actor(),
        request.resourceType(),
        request.categories(),
        request.dataDate(),
        request.securityLabels(),
        at);
  }

  private static AccessRequest withDataDate(AccessRequest request, Instant dataDate) {
    return new AccessRequest(
        request.actor(),
        request.resourceType(),
        request.categories(),
        dataDate,
        request.securityLabels(),
        request.at());
  }

  /** A treatment (or research) consent is a record of the patient: it opens nothing to anyone. */
  private static Consent treatment(Consent consent) {
    consent.getScope().getCodingFirstRep().setCode("treatment");
    return consent;
  }

  @Test
  void decide_aConsentOfAnotherScope_neitherPermitsNorDenies() {
    assertThat(ConsentEngine.governsAccess(allergiesForB())).isTrue();
    assertThat(decide(allergyRead(B), treatment(allergiesForB())).permitted()).isFalse();
    assertThat(
            decide(
                    allergyRead(B),
                    allergiesForB(),
                    treatment(active("c2", categories(deny(B), "allergies"))))
                .permitted())
        .isTrue();
    assertThat(engine.mayPermit(treatment(allergiesForB()), allergyRead(B))).isFalse();
  }
}
