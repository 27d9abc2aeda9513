package org.healthgateway.keys.consent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.healthgateway.keys.consent.Consents.A;
import static org.healthgateway.keys.consent.Consents.B;
import static org.healthgateway.keys.consent.Consents.DATA_DATE;
import static org.healthgateway.keys.consent.Consents.NOW;
import static org.healthgateway.keys.consent.Consents.RESTRICTED;
import static org.healthgateway.keys.consent.Consents.active;
import static org.healthgateway.keys.consent.Consents.categories;
import static org.healthgateway.keys.consent.Consents.consent;
import static org.healthgateway.keys.consent.Consents.deny;
import static org.healthgateway.keys.consent.Consents.nest;
import static org.healthgateway.keys.consent.Consents.period;
import static org.healthgateway.keys.consent.Consents.permit;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.Consent.ConsentState;
import org.junit.jupiter.api.Test;

class ConsentEngineGranteesTest {

  private final ConsentEngine engine = new ConsentEngine();

  private Set<String> allergyGrantees(List<Consent> consents, Set<String> labels, Instant at) {
    return engine.grantees(
        consents, "AllergyIntolerance", Set.of("allergies"), DATA_DATE, labels, at);
  }

  @Test
  void grantees_standingConsent_returnsActorsOfCoveringConsents() {
    List<Consent> consents =
        List.of(
            active("c1", categories(permit(B), "allergies", "operations")),
            active("c2", categories(permit("Practitioner/c"), "diagnostic-reports")),
            active(
                "c3", categories(permit(A, "https://x.example/fhir/Organization/o"), "allergies")));

    assertThat(allergyGrantees(consents, Set.of(), NOW)).containsExactly("Organization/o", A, B);
  }

  @Test
  void grantees_revokedOrProposedConsent_none() {
    List<Consent> consents =
        List.of(
            consent("c1", ConsentState.INACTIVE, categories(permit(B), "allergies")),
            consent("c2", ConsentState.PROPOSED, categories(permit(A), "allergies")));

    assertThat(allergyGrantees(consents, Set.of(), NOW)).isEmpty();
  }

  @Test
  void grantees_denyForOneActor_excludesOnlyThatActor() {
    List<Consent> consents =
        List.of(
            active("c1", categories(permit(A, B), "allergies")),
            active("c2", categories(deny(A), "allergies")));

    assertThat(allergyGrantees(consents, Set.of(), NOW)).containsExactly(B);
  }

  @Test
  void grantees_nestedLabelDeny_excludesLabeledData() {
    List<Consent> consents =
        List.of(
            active(
                "c1",
                nest(categories(permit(B), "allergies"), Consents.labels(deny(), RESTRICTED))));

    assertThat(allergyGrantees(consents, Set.of(), NOW)).containsExactly(B);
    assertThat(allergyGrantees(consents, Set.of(RESTRICTED), NOW)).isEmpty();
  }

  @Test
  void grantees_outsidePeriod_none() {
    List<Consent> consents =
        List.of(
            active("c1", period(categories(permit(B), "allergies"), "2025-01-01", "2025-03-31")));

    assertThat(allergyGrantees(consents, Set.of(), NOW)).isEmpty();
    assertThat(allergyGrantees(consents, Set.of(), Instant.parse("2025-02-01T00:00:00Z")))
        .containsExactly(B);
  }

  @Test
  void grantees_deniedActorOnlyNamedInDeny_notAGrantee() {
    List<Consent> consents = List.of(active("c1", categories(deny(A), "allergies")));

    assertThat(allergyGrantees(consents, Set.of(), NOW)).isEmpty();
  }
}
