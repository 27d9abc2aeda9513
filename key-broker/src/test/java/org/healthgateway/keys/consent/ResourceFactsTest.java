package org.healthgateway.keys.consent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.healthgateway.keys.consent.Consents.B;
import static org.healthgateway.keys.consent.Consents.RESTRICTED;
import static org.healthgateway.keys.consent.Consents.active;
import static org.healthgateway.keys.consent.Consents.categories;
import static org.healthgateway.keys.consent.Consents.labels;
import static org.healthgateway.keys.consent.Consents.nest;
import static org.healthgateway.keys.consent.Consents.permit;

import ca.uhn.fhir.context.FhirContext;
import java.time.Instant;
import java.util.List;
import org.hl7.fhir.r4.model.Consent;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Period;
import org.junit.jupiter.api.Test;

class ResourceFactsTest {

  private static final FhirContext FHIR = ProposalFixture.CTX;
  private static final Instant EFFECTIVE = Instant.parse("2024-03-01T08:00:00Z");

  private static Observation restrictedVitals() {
    Observation observation = new Observation();
    observation.setId("o1");
    observation
        .addCategory()
        .addCoding()
        .setSystem("http://terminology.hl7.org/CodeSystem/observation-category")
        .setCode("vital-signs");
    observation.setEffective(new DateTimeType(EFFECTIVE.toString()));
    observation.getMeta().addSecurity().setSystem(Consents.CONFIDENTIALITY).setCode("R");
    return observation;
  }

  @Test
  void access_observation_readsCategoriesClinicalDateAndLabels() {
    Instant before = Instant.now();

    AccessRequest access = ResourceFacts.access(FHIR, B, restrictedVitals());

    assertThat(access.actor()).isEqualTo(B);
    assertThat(access.resourceType()).isEqualTo("Observation");
    assertThat(access.categories()).containsExactly("vital-signs");
    assertThat(access.dataDate()).isEqualTo(EFFECTIVE);
    assertThat(access.securityLabels()).containsExactly(RESTRICTED);
    assertThat(access.action()).isEqualTo(AccessRequest.Action.READ);
    assertThat(access.at()).isBetween(before, Instant.now());
  }

  @Test
  void access_periodOnly_dataDateIsItsStart() {
    Encounter encounter = new Encounter();
    encounter.setPeriod(new Period().setStartElement(new DateTimeType(EFFECTIVE.toString())));

    assertThat(ResourceFacts.access(FHIR, B, encounter).dataDate()).isEqualTo(EFFECTIVE);
  }

  @Test
  void access_noClinicalDate_dataDateIsNull() {
    assertThat(ResourceFacts.access(FHIR, B, new Organization().setName("x")).dataDate()).isNull();
  }

  @Test
  void access_restrictedVitals_needAConsentThatNamesTheLabel() {
    AccessRequest access = ResourceFacts.access(FHIR, B, restrictedVitals());
    ConsentEngine engine = new ConsentEngine();
    Consent broad = active("c1", categories(permit(B), "vital-signs"));
    Consent namingTheLabel =
        active("c2", nest(categories(permit(B), "vital-signs"), labels(permit(), RESTRICTED)));

    assertThat(engine.decide(List.of(broad), access).permitted()).isFalse();
    assertThat(engine.decide(List.of(namingTheLabel), access).permitted()).isTrue();
  }
}
