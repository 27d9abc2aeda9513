package org.healthgateway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Observation;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Scopes are enforced per interaction and resource type, in SMART v1 and v2 syntax: with the scope
 * the interaction works, without it the answer is 403 with an OperationOutcome. v2 query filters
 * and patient-level scopes narrow further.
 */
@Order(21)
class SmartScopeMatrixTest {
  private static final String P = "demo-patient-p";
  private static GatewayProcess gateway;

  @BeforeAll
  static void start() {
    gateway = SharedGateway.get();
  }

  /** type × interaction × syntax × granted. */
  static Stream<Arguments> matrix() {
    List<Arguments> cases = new ArrayList<>();
    for (String type : List.of("Observation", "Condition", "AllergyIntolerance")) {
      for (String interaction : List.of("read", "search", "create", "update", "delete")) {
        for (String syntax : List.of("v1", "v2")) {
          cases.add(Arguments.of(type, interaction, syntax, true));
          cases.add(Arguments.of(type, interaction, syntax, false));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} {1} {2} granted={3}")
  @MethodSource("matrix")
  void interaction_withAndWithoutScope_allowedOr403(
      String type, String interaction, String syntax, boolean granted) {
    String existing =
        SmartResources.create(
            gateway, gateway.token(GatewayProcess.EHR), type, SmartResources.body(type, P));
    String scope = "system/" + type + "." + permission(interaction, syntax, granted);
    RequestSpecification request =
        Fhir.anonymous(gateway)
            .header("Authorization", "Bearer " + gateway.token(GatewayProcess.EHR, scope));
    Response response =
        switch (interaction) {
          case "read" -> request.get("/" + existing);
          case "search" -> request.get("/" + type + "?patient=" + P);
          case "create" ->
              request
                  .contentType(Fhir.JSON_TYPE)
                  .body(SmartResources.body(type, P))
                  .post("/" + type);
          case "update" ->
              request
                  .contentType(Fhir.JSON_TYPE)
                  .body(withId(SmartResources.body(type, P), existing))
                  .put("/" + existing);
          case "delete" -> request.delete("/" + existing);
          default -> throw new IllegalArgumentException(interaction);
        };
    if (granted) {
      assertThat(response.statusCode())
          .as("%s with %s: %s", interaction, scope, response.asString())
          .isIn(200, 201);
    } else {
      assertThat(response.statusCode())
          .as("%s with %s: %s", interaction, scope, response.asString())
          .isEqualTo(403);
      assertThat(Fhir.outcomeText(Fhir.assertOperationOutcome(response)))
          .contains("Insufficient scope");
    }
  }

  /** The scope's permission part: the interaction's own, or everything but it. */
  private static String permission(String interaction, String syntax, boolean granted) {
    boolean reading = interaction.equals("read") || interaction.equals("search");
    if (syntax.equals("v1")) {
      return reading == granted ? "read" : "write";
    }
    String own =
        switch (interaction) {
          case "read" -> "r";
          case "search" -> "s";
          case "create" -> "c";
          case "update" -> "u";
          default -> "d";
        };
    if (granted) {
      return own;
    }
    StringBuilder others = new StringBuilder();
    for (char c : "cruds".toCharArray()) {
      if (c != own.charAt(0)) {
        others.append(c);
      }
    }
    return others.toString();
  }

  private static String withId(String json, String reference) {
    String id = reference.substring(reference.indexOf('/') + 1);
    return json.replaceFirst("\\{", "{\"id\":\"" + id + "\",");
  }

  @Test
  void v2QueryFilter_searchAndReadSeeOnlyMatchingCategory() {
    String ehr = gateway.token(GatewayProcess.EHR);
    String lab =
        SmartResources.create(
            gateway, ehr, "Observation", SmartResources.observation(P, "laboratory"));
    String vital =
        SmartResources.create(
            gateway, ehr, "Observation", SmartResources.observation(P, "vital-signs"));
    String token =
        gateway.token(
            GatewayProcess.EHR,
            "system/Observation.rs?category=" + SmartResources.CATEGORY_SYSTEM + "|laboratory");
    RequestSpecification request =
        Fhir.anonymous(gateway).header("Authorization", "Bearer " + token);
    Response search = request.get("/Observation?patient=" + P + "&_count=1000");
    assertThat(search.statusCode()).as(search.asString()).isEqualTo(200);
    Bundle bundle = Fhir.parse(Bundle.class, search.asString());
    List<String> ids =
        bundle.getEntry().stream()
            .map(e -> e.getResource().getIdElement().toUnqualifiedVersionless().getValue())
            .toList();
    assertThat(ids).contains(lab).doesNotContain(vital);
    assertThat(bundle.getTotal()).isEqualTo(ids.size());
    assertThat(bundle.getEntry())
        .allSatisfy(
            e ->
                assertThat(
                        ((Observation) e.getResource())
                            .getCategoryFirstRep()
                            .getCodingFirstRep()
                            .getCode())
                    .isEqualTo("laboratory"));
    assertThat(
            Fhir.anonymous(gateway)
                .header("Authorization", "Bearer " + token)
                .get("/" + lab)
                .statusCode())
        .isEqualTo(200);
    Response vitalRead =
        Fhir.anonymous(gateway).header("Authorization", "Bearer " + token).get("/" + vital);
    assertThat(vitalRead.statusCode()).isEqualTo(403);
    Fhir.assertOperationOutcome(vitalRead);
  }

  @Test
  void v2QueryFilter_createOnlyInsideFilter() {
    String token = gateway.token(GatewayProcess.EHR, "system/Observation.c?category=vital-signs");
    Response vital =
        Fhir.anonymous(gateway)
            .header("Authorization", "Bearer " + token)
            .contentType(Fhir.JSON_TYPE)
            .body(SmartResources.observation(P, "vital-signs"))
            .post("/Observation");
    assertThat(vital.statusCode()).as(vital.asString()).isEqualTo(201);
    Response lab =
        Fhir.anonymous(gateway)
            .header("Authorization", "Bearer " + token)
            .contentType(Fhir.JSON_TYPE)
            .body(SmartResources.observation(P, "laboratory"))
            .post("/Observation");
    assertThat(lab.statusCode()).as(lab.asString()).isEqualTo(403);
  }

  @Test
  void userScopes_v1AndV2_workForPractitioner() {
    String a = gateway.token(GatewayProcess.PRACTITIONER_A, "user/Condition.cruds");
    String id = SmartResources.create(gateway, a, "Condition", SmartResources.condition(P));
    for (String scope : List.of("user/Condition.read", "user/Condition.rs", "user/*.r")) {
      Response read =
          Fhir.anonymous(gateway)
              .header(
                  "Authorization", "Bearer " + gateway.token(GatewayProcess.PRACTITIONER_A, scope))
              .get("/" + id);
      assertThat(read.statusCode()).as(scope).isEqualTo(200);
    }
    Response denied =
        Fhir.anonymous(gateway)
            .header(
                "Authorization",
                "Bearer " + gateway.token(GatewayProcess.PRACTITIONER_A, "user/Observation.rs"))
            .get("/" + id);
    assertThat(denied.statusCode()).isEqualTo(403);
  }

  @Test
  void patientScopes_withoutPatientContext_403() {
    String a = gateway.token(GatewayProcess.PRACTITIONER_A, "patient/Observation.rs");
    Response response =
        Fhir.anonymous(gateway).header("Authorization", "Bearer " + a).get("/Observation");
    assertThat(response.statusCode()).isEqualTo(403);
    assertThat(Fhir.outcomeText(Fhir.assertOperationOutcome(response))).contains("patient");
  }

  @Test
  void patientScopes_patientUser_confinedToOwnCompartment() {
    String p = gateway.token(GatewayProcess.PATIENT_P, "patient/Patient.r patient/Observation.rs");
    RequestSpecification request = Fhir.anonymous(gateway).header("Authorization", "Bearer " + p);
    assertThat(request.get("/Patient/" + P).statusCode()).isEqualTo(200);
    Response other =
        Fhir.anonymous(gateway)
            .header("Authorization", "Bearer " + p)
            .get("/Patient/demo-patient-q");
    assertThat(other.statusCode()).isEqualTo(403);
    Response search =
        Fhir.anonymous(gateway)
            .header("Authorization", "Bearer " + p)
            .get("/Observation?patient=demo-patient-q");
    assertThat(search.statusCode()).isEqualTo(200);
    assertThat(Fhir.parse(Bundle.class, search.asString()).getEntry()).isEmpty();
  }

  @Test
  void tokenRequest_scopeBeyondRegistration_invalidScope() {
    var response = gateway.requestToken(GatewayProcess.EHR, "openid launch");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("invalid_scope");
  }
}
