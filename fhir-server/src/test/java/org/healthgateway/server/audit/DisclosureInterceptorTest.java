package org.healthgateway.server.audit;

import static org.assertj.core.api.Assertions.assertThat;

import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import ca.uhn.fhir.rest.api.server.ResponseDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.healthgateway.keys.envelope.VersionMeta;
import org.healthgateway.server.requester.Requester;
import org.healthgateway.server.store.ResourceIndex;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.AllergyIntolerance;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Bundle.HTTPVerb;
import org.hl7.fhir.r4.model.Bundle.SearchEntryMode;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

class DisclosureInterceptorTest {
  private static final String B = "Practitioner/b";

  private final ResourceIndex index = new ResourceIndex();
  private final List<String> logged = new ArrayList<>();
  private final DisclosureInterceptor interceptor =
      new DisclosureInterceptor(
          index,
          (requester, meta, action, refusal) ->
              logged.add(requester + " " + action + " " + meta.versionedReference()));

  @BeforeEach
  void signIn() {
    Jwt jwt =
        Jwt.withTokenValue("token")
            .header("alg", "none")
            .claim(Requester.FHIR_USER_CLAIM, B)
            .build();
    SecurityContextHolder.getContext().setAuthentication(new JwtAuthenticationToken(jwt));
    index.add(meta("AllergyIntolerance", "a", 1));
    index.add(meta("AllergyIntolerance", "a", 2));
    index.add(meta("Patient", "p", 1));
  }

  @AfterEach
  void signOut() {
    SecurityContextHolder.clearContext();
  }

  @Test
  void aRead_logsTheVersionServed() {
    send(RestOperationTypeEnum.READ, allergy(2));

    assertThat(logged).containsExactly(B + " read AllergyIntolerance/a/_history/2");
  }

  @Test
  void aSearchPage_logsMatchesAsSearch_andIncludesAsInclude() {
    Bundle page = new Bundle().setType(Bundle.BundleType.SEARCHSET);
    page.addEntry().setResource(allergy(2)).getSearch().setMode(SearchEntryMode.MATCH);
    page.addEntry().setResource(patient()).getSearch().setMode(SearchEntryMode.INCLUDE);

    send(RestOperationTypeEnum.SEARCH_TYPE, page);

    assertThat(logged)
        .containsExactly(
            B + " search AllergyIntolerance/a/_history/2", B + " include Patient/p/_history/1");
  }

  @Test
  void aHistory_logsEveryVersionServed_asHistory() {
    Bundle history = new Bundle().setType(Bundle.BundleType.HISTORY);
    history.addEntry().setResource(allergy(2));
    history.addEntry().setResource(allergy(1));

    send(RestOperationTypeEnum.HISTORY_INSTANCE, history);

    assertThat(logged)
        .containsExactly(
            B + " history AllergyIntolerance/a/_history/2",
            B + " history AllergyIntolerance/a/_history/1");
  }

  @Test
  void anOperation_logsUnderItsName() {
    Bundle everything = new Bundle().setType(Bundle.BundleType.SEARCHSET);
    everything.addEntry().setResource(patient());
    SystemRequestDetails request = request(RestOperationTypeEnum.EXTENDED_OPERATION_INSTANCE);
    request.setOperation("$everything");

    interceptor.disclosed(request, new ResponseDetails(everything));

    assertThat(logged).containsExactly(B + " everything Patient/p/_history/1");
  }

  @Test
  void aBatch_logsTheAnswersOfItsGetEntriesOnly() {
    Bundle asked = new Bundle().setType(Bundle.BundleType.BATCH);
    asked.addEntry().getRequest().setMethod(HTTPVerb.POST).setUrl("AllergyIntolerance");
    asked.addEntry().getRequest().setMethod(HTTPVerb.GET).setUrl("Patient/p");
    Bundle answered = new Bundle().setType(Bundle.BundleType.BATCHRESPONSE);
    answered.addEntry().setResource(allergy(2));
    answered.addEntry().setResource(patient());
    SystemRequestDetails request = request(RestOperationTypeEnum.BATCH);
    request.setResource(asked);

    interceptor.disclosed(request, new ResponseDetails(answered));

    assertThat(logged).containsExactly(B + " read Patient/p/_history/1");
  }

  @Test
  void writesAndUnknownVersions_areNotLogged() {
    send(RestOperationTypeEnum.CREATE, allergy(2));
    send(RestOperationTypeEnum.READ, allergy(9));

    assertThat(logged).isEmpty();
  }

  @Test
  void aRequestWithoutAUser_logsNothing() {
    SecurityContextHolder.clearContext();

    send(RestOperationTypeEnum.READ, allergy(2));

    assertThat(logged).isEmpty();
  }

  private void send(RestOperationTypeEnum operation, IBaseResource answer) {
    assertThat(interceptor.disclosed(request(operation), new ResponseDetails(answer))).isTrue();
  }

  private static SystemRequestDetails request(RestOperationTypeEnum operation) {
    SystemRequestDetails request = new SystemRequestDetails();
    request.setRestOperationType(operation);
    return request;
  }

  private static Resource allergy(int version) {
    AllergyIntolerance allergy = new AllergyIntolerance();
    allergy.setId("AllergyIntolerance/a/_history/" + version);
    allergy.getMeta().setVersionId(Integer.toString(version));
    return allergy;
  }

  private static Resource patient() {
    Patient patient = new Patient();
    patient.setId("Patient/p/_history/1");
    return patient;
  }

  private static VersionMeta meta(String type, String id, long version) {
    return new VersionMeta(
        type,
        id,
        version,
        version,
        Instant.EPOCH,
        false,
        "Practitioner/a",
        "p",
        Set.of("g"),
        Set.of());
  }
}
