package org.healthgateway.server.smart;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import java.util.EnumSet;
import java.util.Map;
import org.healthgateway.mappings.PatientCompartment;
import org.junit.jupiter.api.Test;

class SmartScopeInterceptorTest {
  private static final FhirContext FHIR = FhirContext.forR4Cached();

  @Test
  void interaction_everyHapiOperation_mappedAndUncheckedOnlyForMetadataAndPages() {
    EnumSet<RestOperationTypeEnum> unchecked = EnumSet.noneOf(RestOperationTypeEnum.class);
    for (RestOperationTypeEnum operation : RestOperationTypeEnum.values()) {
      if (SmartScopeInterceptor.interaction(operation) == Interaction.UNCHECKED) {
        unchecked.add(operation);
      }
    }
    assertThat(unchecked)
        .containsExactlyInAnyOrder(RestOperationTypeEnum.METADATA, RestOperationTypeEnum.GET_PAGE);
    assertThat(SmartScopeInterceptor.interaction(RestOperationTypeEnum.BATCH))
        .isEqualTo(Interaction.BUNDLE);
    assertThat(SmartScopeInterceptor.interaction(RestOperationTypeEnum.GRAPHQL_REQUEST))
        .isEqualTo(Interaction.OTHER);
  }

  @Test
  void compartment_ofR4_patientOrSubjectPreferred() {
    ScopePolicy.Compartment compartment =
        ScopePolicy.Compartment.of(FHIR, new PatientCompartment(FHIR));
    assertThat(compartment.searchParams())
        .contains(
            Map.entry("Observation", "subject"),
            Map.entry("AllergyIntolerance", "patient"),
            Map.entry("Coverage", "beneficiary"),
            Map.entry("Provenance", "patient"));
    assertThat(compartment.types()).contains("Patient", "Observation", "Consent");
    assertThat(compartment.types()).doesNotContain("Practitioner", "Organization", "Medication");
  }
}
