package org.healthgateway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * A search by code over every patient (no patient named), which the gateway answers from its value
 * index once it has seen the values: the author finds exactly the matching Observations, a new
 * version takes the old one's place, and a practitioner to whom no key was released gets nothing,
 * with a total of 0, however the index was filled.
 */
@Order(7)
class TypeWideSearchTest {
  private static final String SYSTEM = "urn:healthgateway:conformance:code";

  private static GatewayProcess gateway;
  private static String patientP;

  @BeforeAll
  static void start() {
    gateway = SharedGateway.get();
    patientP = gateway.fhirUser(GatewayProcess.PATIENT_P);
  }

  @Test
  void typeWideCodeSearch_indexAnswersForAuthor_practitionerWithoutConsentGetsNothingAndZero() {
    String code = UUID.randomUUID().toString();
    String other = UUID.randomUUID().toString();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ids.add(create(code, i));
    }
    String changed = create(other, 9);

    assertThat(matchIds(GatewayProcess.PRACTITIONER_A, code))
        .as("first search: opens the candidates and covers them")
        .containsExactlyInAnyOrderElementsOf(ids);
    assertThat(matchIds(GatewayProcess.PRACTITIONER_A, code))
        .as("second search: answered by the index, pages of 50 opened as served")
        .containsExactlyInAnyOrderElementsOf(ids);
    assertThat(total(GatewayProcess.PRACTITIONER_A, code, "&_summary=count")).isEqualTo(3);
    assertThat(total(GatewayProcess.PRACTITIONER_A, code, "&_total=accurate")).isEqualTo(3);

    Bundle pageOfTwo = firstPage(GatewayProcess.PRACTITIONER_A, code, "&_count=2");
    assertThat(pageOfTwo.getEntry()).as("a first page of 2, opened page by page").hasSize(2);
    assertThat(pageOfTwo.getLink(Bundle.LINK_NEXT)).as("a third match: a next page").isNotNull();
    Bundle last =
        Fhir.parse(
            Bundle.class,
            Fhir.as(gateway, GatewayProcess.PRACTITIONER_A)
                .urlEncodingEnabled(false)
                .get(pageOfTwo.getLink(Bundle.LINK_NEXT).getUrl())
                .asString());
    assertThat(last.getEntry()).as("the last page").hasSize(1);
    assertThat(last.getLink(Bundle.LINK_NEXT)).as("no next link after the last match").isNull();
    assertThat(
            firstPage(GatewayProcess.PRACTITIONER_A, code, "&_count=3").getLink(Bundle.LINK_NEXT))
        .as("a page that holds exactly every match has no next link")
        .isNull();
    for (String outsider : List.of(GatewayProcess.PRACTITIONER_B, GatewayProcess.PATIENT_Q)) {
      assertThat(matchIds(outsider, code)).as("%s sees", outsider).isEmpty();
      assertThat(total(outsider, code, "&_summary=count")).as("%s counts", outsider).isZero();
      assertThat(total(outsider, code, "&_total=accurate")).as("%s total", outsider).isZero();
      Bundle page = firstPage(outsider, code, "");
      assertThat(page.getEntry()).as("%s first page", outsider).isEmpty();
      assertThat(page.getLink(Bundle.LINK_NEXT)).as("%s next link", outsider).isNull();
      assertThat(page.hasTotal() ? page.getTotal() : 0).as("%s total if any", outsider).isZero();
    }
    assertThat(matchIds(GatewayProcess.PATIENT_P, code))
        .as("the patient holds a key for each")
        .containsExactlyInAnyOrderElementsOf(ids);

    update(changed, code);
    List<String> withUpdate = new ArrayList<>(ids);
    withUpdate.add(changed);
    assertThat(matchIds(GatewayProcess.PRACTITIONER_A, code))
        .as("the new version is found by its new code")
        .containsExactlyInAnyOrderElementsOf(withUpdate);
    assertThat(matchIds(GatewayProcess.PRACTITIONER_A, other))
        .as("the superseded version's code no longer finds it")
        .isEmpty();
    assertThat(matchIds(GatewayProcess.PRACTITIONER_B, code)).isEmpty();
  }

  private static String body(String code, int value, String id) {
    return "{\"resourceType\":\"Observation\","
        + (id == null ? "" : "\"id\":\"" + id + "\",")
        + "\"status\":\"final\","
        + "\"category\":[{\"coding\":[{\"system\":"
        + "\"http://terminology.hl7.org/CodeSystem/observation-category\","
        + "\"code\":\"vital-signs\"}]}],"
        + "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8867-4\","
        + "\"display\":\"Heart rate\"},{\"system\":\""
        + SYSTEM
        + "\",\"code\":\""
        + code
        + "\"}]},"
        + "\"subject\":{\"reference\":\""
        + patientP
        + "\"},"
        + "\"effectiveDateTime\":\"2024-05-01T10:00:00Z\","
        + "\"valueQuantity\":{\"value\":"
        + (60 + value)
        + ",\"unit\":\"/min\",\"system\":\"http://unitsofmeasure.org\",\"code\":\"/min\"}}";
  }

  private static String create(String code, int value) {
    Response created =
        Fhir.as(gateway, GatewayProcess.PRACTITIONER_A)
            .contentType(Fhir.JSON_TYPE)
            .body(body(code, value, null))
            .post("/Observation");
    assertThat(created.statusCode()).as("create: %s", created.asString()).isEqualTo(201);
    return Fhir.relativeId(created.header("Location"));
  }

  private static void update(String id, String code) {
    Response updated =
        Fhir.as(gateway, GatewayProcess.PRACTITIONER_A)
            .contentType(Fhir.JSON_TYPE)
            .body(body(code, 1, id.split("/")[1]))
            .put("/" + id);
    assertThat(updated.statusCode()).as("update: %s", updated.asString()).isEqualTo(200);
  }

  private static List<String> matchIds(String clientId, String code) {
    Response first =
        Fhir.as(gateway, clientId).urlEncodingEnabled(false).get(query(code) + "&_count=50");
    List<String> ids = new ArrayList<>();
    for (Resource resource : Fhir.searchAllPages(gateway, clientId, first)) {
      ids.add(resource.getIdElement().toUnqualifiedVersionless().getValue());
    }
    return ids;
  }

  private static Bundle firstPage(String clientId, String code, String extra) {
    Response response =
        Fhir.as(gateway, clientId).urlEncodingEnabled(false).get(query(code) + extra);
    assertThat(response.statusCode()).as("search: %s", response.asString()).isEqualTo(200);
    return Fhir.parse(Bundle.class, response.asString());
  }

  private static int total(String clientId, String code, String extra) {
    Bundle bundle = firstPage(clientId, code, extra);
    assertThat(bundle.hasTotal()).as("total present").isTrue();
    return bundle.getTotal();
  }

  private static String query(String code) {
    return "/Observation?code=" + SYSTEM + "%7C" + code;
  }
}
