package org.healthgateway.keys.consent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.healthgateway.keys.consent.Consents.RESTRICTED;
import static org.healthgateway.keys.consent.Consents.active;
import static org.healthgateway.keys.consent.Consents.categories;
import static org.healthgateway.keys.consent.Consents.deny;
import static org.healthgateway.keys.consent.Consents.labels;
import static org.healthgateway.keys.consent.Consents.nest;
import static org.healthgateway.keys.consent.Consents.period;
import static org.healthgateway.keys.consent.Consents.permit;

import org.junit.jupiter.api.Test;

class ConsentEngineSummaryTest {

  private final ConsentEngine engine = new ConsentEngine();

  @Test
  void summarize_fixture_listsScopeSorted() {
    assertThat(engine.summarize(ProposalFixture.load()))
        .isEqualTo(
            "Consent/request-1 proposed: permit actor=Practitioner/b class=AllergyIntolerance"
                + " code=allergies,operations period=2025-06-15..2025-12-31");
  }

  @Test
  void summarize_nestedRules_rendersEachInBrackets() {
    var consent =
        active(
            "c1",
            nest(
                period(
                    categories(permit("Practitioner/b"), "operations", "allergies"),
                    "2025-01",
                    null),
                labels(deny(), RESTRICTED)));

    assertThat(engine.summarize(consent))
        .isEqualTo(
            "Consent/c1 active: permit actor=Practitioner/b code=allergies,operations period=2025-01.."
                + " [deny label="
                + RESTRICTED
                + "]");
  }

  @Test
  void summarize_sameContentDifferentOrder_sameText() {
    var first =
        active(
            "c1",
            categories(permit("Practitioner/b", "Practitioner/a"), "operations", "allergies"));
    var second =
        active(
            "c1",
            categories(permit("Practitioner/a", "Practitioner/b"), "allergies", "operations"));

    assertThat(engine.summarize(first)).isEqualTo(engine.summarize(second));
  }
}
