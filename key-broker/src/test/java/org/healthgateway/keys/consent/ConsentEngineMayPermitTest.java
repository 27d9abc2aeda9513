package org.healthgateway.keys.consent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.healthgateway.keys.consent.Consents.A;
import static org.healthgateway.keys.consent.Consents.B;
import static org.healthgateway.keys.consent.Consents.DATA_DATE;
import static org.healthgateway.keys.consent.Consents.NOW;
import static org.healthgateway.keys.consent.Consents.active;
import static org.healthgateway.keys.consent.Consents.categories;
import static org.healthgateway.keys.consent.Consents.consent;
import static org.healthgateway.keys.consent.Consents.dataPeriod;
import static org.healthgateway.keys.consent.Consents.deny;
import static org.healthgateway.keys.consent.Consents.labels;
import static org.healthgateway.keys.consent.Consents.nest;
import static org.healthgateway.keys.consent.Consents.permit;
import static org.healthgateway.keys.consent.Consents.types;

import java.util.List;
import java.util.Set;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Consent.ConsentState;
import org.junit.jupiter.api.Test;

class ConsentEngineMayPermitTest {

  private final ConsentEngine engine = new ConsentEngine();

  /** What the key broker knows before decrypting: type and ledger categories, no date or labels. */
  private static AccessRequest metadata(String actor, String type, String... categories) {
    return new AccessRequest(actor, type, Set.of(categories), null, Set.of(), NOW);
  }

  private static AccessRequest full(String actor, String type, String... categories) {
    return new AccessRequest(actor, type, Set.of(categories), DATA_DATE, Set.of(), NOW);
  }

  @Test
  void mayPermit_otherCategoryTypeOrActor_isNo() {
    Consent allergies = active("c1", categories(permit(B), "allergies"));
    Consent observations = active("c2", types(permit(B), "Observation"));

    assertThat(engine.mayPermit(allergies, metadata(B, "Observation", "vital-signs"))).isFalse();
    assertThat(engine.mayPermit(allergies, metadata(B, "AuditEvent"))).isFalse();
    assertThat(engine.mayPermit(allergies, metadata(A, "AllergyIntolerance", "allergies")))
        .isFalse();
    assertThat(engine.mayPermit(observations, metadata(B, "Condition", "problems"))).isFalse();
  }

  @Test
  void mayPermit_whereDecideWouldPermit_isYes() {
    Consent withDataPeriod =
        active("c1", dataPeriod(categories(permit(B), "allergies"), "2024-01-01", "2024-12-31"));
    Consent withNestedDeny =
        active(
            "c2",
            nest(categories(permit(B), "allergies"), labels(deny(), Consents.VERY_RESTRICTED)));

    for (Consent consent : List.of(withDataPeriod, withNestedDeny)) {
      assertThat(engine.decide(List.of(consent), full(B, "AllergyIntolerance", "allergies")))
          .extracting(Decision::permitted)
          .isEqualTo(true);
      assertThat(engine.mayPermit(consent, metadata(B, "AllergyIntolerance", "allergies")))
          .isTrue();
    }
  }

  @Test
  void mayPermit_inactiveConsent_isNo() {
    Consent proposed = consent("c1", ConsentState.PROPOSED, categories(permit(B), "allergies"));

    assertThat(engine.mayPermit(proposed, metadata(B, "AllergyIntolerance", "allergies")))
        .isFalse();
  }
}
