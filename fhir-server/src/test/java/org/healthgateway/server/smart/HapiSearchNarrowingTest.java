package org.healthgateway.server.smart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.interceptor.auth.AuthorizedList;
import ca.uhn.fhir.rest.server.interceptor.auth.SearchNarrowingInterceptor;
import ca.uhn.fhir.rest.server.servlet.ServletRequestDetails;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.healthgateway.server.search.SearchEngine;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.Test;

/**
 * Why the scope policy narrows searches itself instead of HAPI 8.8's {@link
 * SearchNarrowingInterceptor} (fhir-server README, "Why not HAPI's search narrowing"): what HAPI's
 * interceptor does to the gateway's searches, pinned so that a HAPI upgrade that changes it shows
 * up here.
 */
class HapiSearchNarrowingTest {
  private static final FhirContext FHIR = FhirContext.forR4Cached();

  /** HAPI's interceptor as the documentation has it: a subclass naming the allowed compartment. */
  private static final SearchNarrowingInterceptor PATIENT_P =
      new SearchNarrowingInterceptor() {
        @Override
        protected AuthorizedList buildAuthorizedList(RequestDetails request) {
          return new AuthorizedList().addCompartment("Patient/p");
        }
      };

  private static ServletRequestDetails run(
      RestOperationTypeEnum operation, String type, String name, Map<String, String[]> params) {
    ServletRequestDetails request = new ServletRequestDetails();
    request.setServer(new RestfulServer(FHIR));
    request.setRestOperationType(operation);
    request.setResourceName(type);
    request.setOperation(name);
    request.setParameters(new LinkedHashMap<>(params));
    PATIENT_P.hookIncomingRequestPostProcessed(request, null, null);
    return request;
  }

  private static Map<String, List<String>> lists(Map<String, String[]> params) {
    Map<String, List<String>> lists = new LinkedHashMap<>();
    params.forEach((k, v) -> lists.put(k, Arrays.asList(v)));
    return lists;
  }

  @Test
  void searchNamingAnotherPatient_hapiRefuses403_gatewayAnswersAnEmptySearchset() {
    // SmartScopeMatrixTest.patientScopes_patientUser_confinedToOwnCompartment: 200, no entries.
    assertThatThrownBy(
            () ->
                run(
                    RestOperationTypeEnum.SEARCH_TYPE,
                    "Observation",
                    null,
                    Map.of("patient", new String[] {"demo-patient-q"})))
        .isInstanceOf(ForbiddenOperationException.class)
        .hasMessageContaining("HAPI-2026");
  }

  @Test
  void patientSearch_hapiNarrowsToTypedId_whichTheSearchEngineMatchesWithNothing() {
    ServletRequestDetails narrowed =
        run(RestOperationTypeEnum.SEARCH_TYPE, "Patient", null, Map.of());
    assertThat(narrowed.getParameters()).containsOnlyKeys("_id");
    assertThat(narrowed.getParameters().get("_id")).containsExactly("Patient/p");
    Patient own = new Patient();
    own.setId("Patient/p");
    assertThat(
            new SearchEngine(FHIR).parse("Patient", lists(narrowed.getParameters())).matches(own))
        .isFalse();
  }

  @Test
  void everythingAndHistory_notNarrowedByHapi() {
    assertThat(
            run(
                    RestOperationTypeEnum.EXTENDED_OPERATION_INSTANCE,
                    "Patient",
                    "$everything",
                    Map.of())
                .getParameters())
        .isEmpty();
    assertThat(
            run(RestOperationTypeEnum.HISTORY_TYPE, "Observation", null, Map.of()).getParameters())
        .isEmpty();
  }

  @Test
  void systemSearch_hapiFailsWithIllegalArgument() {
    assertThatThrownBy(() -> run(RestOperationTypeEnum.SEARCH_SYSTEM, null, null, Map.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
