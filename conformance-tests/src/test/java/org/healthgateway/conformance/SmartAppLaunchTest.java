package org.healthgateway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.restassured.response.Response;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.Extension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * SMART App Launch over HTTP, as a browser and an app would do it: discovery, authorization request
 * with PKCE, the login form, the consent screen (with the patient picker), code exchange, FHIR
 * calls with the token, refresh; standalone and EHR launch.
 */
@Order(20)
class SmartAppLaunchTest {
  private static GatewayProcess gateway;
  private static String aud;

  @BeforeAll
  static void start() {
    gateway = SharedGateway.get();
    aud = new SmartBrowser(gateway).configuration().path("issuer").asText() + "/fhir";
  }

  private static SmartBrowser.Request patientApp(String scope) {
    return new SmartBrowser.Request(
        "demo-patient-app",
        null,
        scope,
        aud,
        null,
        GatewayProcess.PATIENT_P,
        gateway.demoPassword(GatewayProcess.PATIENT_P),
        null);
  }

  private static SmartBrowser.Request practitionerApp(
      String user, String scope, String launch, String pick) {
    return new SmartBrowser.Request(
        "demo-practitioner-app",
        gateway.demoAppSecret("demo-practitioner-app"),
        scope,
        aud,
        launch,
        user,
        gateway.demoPassword(user),
        pick);
  }

  private static Response fhir(String token, String path) {
    return Fhir.anonymous(gateway).header("Authorization", "Bearer " + token).get(path);
  }

  @Test
  void smartConfiguration_advertisesEndpointsCapabilitiesAndS256Only() {
    JsonNode config = new SmartBrowser(gateway).configuration();
    for (String field :
        List.of(
            "issuer",
            "jwks_uri",
            "authorization_endpoint",
            "token_endpoint",
            "introspection_endpoint",
            "revocation_endpoint")) {
      assertThat(config.path(field).asText()).as(field).startsWith("http");
    }
    assertThat(texts(config.path("code_challenge_methods_supported"))).containsExactly("S256");
    assertThat(texts(config.path("grant_types_supported")))
        .contains("authorization_code", "client_credentials", "refresh_token");
    assertThat(texts(config.path("token_endpoint_auth_methods_supported")))
        .contains("private_key_jwt", "client_secret_basic", "none");
    assertThat(texts(config.path("response_types_supported"))).contains("code");
    assertThat(texts(config.path("scopes_supported")))
        .contains("openid", "fhirUser", "launch", "launch/patient", "offline_access");
    assertThat(texts(config.path("capabilities")))
        .contains(
            "launch-standalone",
            "launch-ehr",
            "client-public",
            "client-confidential-symmetric",
            "client-confidential-asymmetric",
            "context-standalone-patient",
            "context-ehr-patient",
            "permission-v1",
            "permission-v2",
            "permission-patient",
            "permission-user",
            "permission-offline",
            "sso-openid-connect");

    Response metadata = Fhir.anonymous(gateway).get("/metadata");
    CapabilityStatement statement = Fhir.parse(CapabilityStatement.class, metadata.asString());
    CapabilityStatement.CapabilityStatementRestSecurityComponent security =
        statement.getRestFirstRep().getSecurity();
    assertThat(security.getServiceFirstRep().getCodingFirstRep().getCode())
        .isEqualTo("SMART-on-FHIR");
    Extension uris =
        security.getExtensionByUrl(
            "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris");
    assertThat(uris).isNotNull();
    assertThat(uris.getExtensionByUrl("token").getValue().primitiveValue())
        .isEqualTo(config.path("token_endpoint").asText());
    assertThat(uris.getExtensionByUrl("authorize").getValue().primitiveValue())
        .isEqualTo(config.path("authorization_endpoint").asText());
  }

  @Test
  void patientApp_standaloneLaunch_ownRecordOnlyWithIdToken() {
    String ehr = gateway.token(GatewayProcess.EHR);
    String ownObservation =
        SmartResources.create(
            gateway,
            ehr,
            "Observation",
            SmartResources.observation("demo-patient-p", "laboratory"));

    SmartBrowser.Launch launch =
        new SmartBrowser(gateway)
            .launch(
                patientApp(
                    "openid fhirUser launch/patient patient/Patient.rs patient/Observation.rs"));
    JsonNode token = launch.token();
    assertThat(token.path("patient").asText()).isEqualTo("demo-patient-p");
    assertThat(token.path("token_type").asText()).isEqualTo("Bearer");
    assertThat(token.has("refresh_token")).as("public client without offline_access").isFalse();
    JsonNode access = SmartBrowser.claims(token.path("access_token").asText());
    assertThat(access.path("fhirUser").asText()).isEqualTo("Patient/demo-patient-p");
    assertThat(access.path("aud").toString()).contains(aud);
    JsonNode id = SmartBrowser.claims(token.path("id_token").asText());
    assertThat(id.path("fhirUser").asText()).isEqualTo("Patient/demo-patient-p");
    assertThat(id.path("aud").toString()).contains("demo-patient-app");

    String bearer = token.path("access_token").asText();
    assertThat(fhir(bearer, "/Patient/demo-patient-p").statusCode()).isEqualTo(200);
    assertForbidden(fhir(bearer, "/Patient/demo-patient-q"));
    assertThat(fhir(bearer, "/" + ownObservation).statusCode()).isEqualTo(200);
    Bundle observations = Fhir.parse(Bundle.class, fhir(bearer, "/Observation").asString());
    assertThat(observations.getEntry())
        .allSatisfy(
            e ->
                assertThat(
                        ((org.hl7.fhir.r4.model.Observation) e.getResource())
                            .getSubject()
                            .getReference())
                    .endsWith("Patient/demo-patient-p"));
    assertForbidden(fhir(bearer, "/AllergyIntolerance?patient=demo-patient-p"));
    Response idTokenAsBearer = fhir(token.path("id_token").asText(), "/Patient/demo-patient-p");
    assertThat(idTokenAsBearer.statusCode()).as("ID token has the app as audience").isEqualTo(401);
  }

  @Test
  void practitionerApp_standaloneLaunchWithPicker_confinedToPickedPatient_refreshes() {
    String a = gateway.token(GatewayProcess.PRACTITIONER_A);
    List<String> ofP = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      ofP.add(
          SmartResources.create(
              gateway,
              a,
              "Observation",
              SmartResources.observation("demo-patient-p", "laboratory")));
    }
    String ofQ =
        SmartResources.create(
            gateway, a, "Observation", SmartResources.observation("demo-patient-q", "laboratory"));
    assertThat(fhir(a, "/" + ofQ).statusCode())
        .as("the key broker lets the author read")
        .isEqualTo(200);

    SmartBrowser browser = new SmartBrowser(gateway);
    SmartBrowser.Launch launch =
        browser.launch(
            practitionerApp(
                GatewayProcess.PRACTITIONER_A,
                "openid fhirUser launch/patient offline_access patient/Observation.rs",
                null,
                "demo-patient-p"));
    assertThat(launch.offeredPatients()).contains("demo-patient-p", "demo-patient-q");
    JsonNode token = launch.token();
    assertThat(token.path("patient").asText()).isEqualTo("demo-patient-p");
    assertThat(token.path("refresh_token").asText()).isNotBlank();
    String bearer = token.path("access_token").asText();
    assertThat(SmartBrowser.claims(bearer).path("fhirUser").asText())
        .isEqualTo("Practitioner/demo-practitioner-a");

    Response search = fhir(bearer, "/Observation?_count=1000");
    assertThat(search.statusCode()).isEqualTo(200);
    Bundle bundle = Fhir.parse(Bundle.class, search.asString());
    List<String> ids =
        bundle.getEntry().stream()
            .map(e -> e.getResource().getIdElement().toUnqualifiedVersionless().getValue())
            .toList();
    assertThat(ids).containsAll(ofP).doesNotContain(ofQ);
    assertThat(bundle.getTotal()).as("total counts only the patient's").isEqualTo(ids.size());
    assertThat(fhir(bearer, "/" + ofP.get(0)).statusCode()).isEqualTo(200);
    assertForbidden(fhir(bearer, "/" + ofQ));
    Response create =
        Fhir.anonymous(gateway)
            .header("Authorization", "Bearer " + bearer)
            .contentType(Fhir.JSON_TYPE)
            .body(SmartResources.observation("demo-patient-p", "laboratory"))
            .post("/Observation");
    assertForbidden(create);

    Map<String, String> refresh = new LinkedHashMap<>();
    refresh.put("grant_type", "refresh_token");
    refresh.put("refresh_token", token.path("refresh_token").asText());
    HttpResponse<String> refreshed =
        browser.tokenRequest(
            refresh, "demo-practitioner-app", gateway.demoAppSecret("demo-practitioner-app"));
    assertThat(refreshed.statusCode()).as("refresh: %s", refreshed.body()).isEqualTo(200);
    JsonNode renewed = SmartBrowser.json(refreshed);
    assertThat(renewed.path("patient").asText()).isEqualTo("demo-patient-p");
    String again = renewed.path("access_token").asText();
    assertThat(again).isNotEqualTo(bearer);
    assertThat(fhir(again, "/" + ofP.get(1)).statusCode()).isEqualTo(200);
    assertForbidden(fhir(again, "/" + ofQ));
  }

  @Test
  void consentScreen_untickedScope_isLeftOut_alsoAfterAnEarlierAllow() {
    String scope = "openid fhirUser launch/patient patient/Observation.rs patient/Condition.rs";
    JsonNode first = new SmartBrowser(gateway).launch(patientApp(scope)).token();
    assertThat(first.path("scope").asText()).contains("patient/Condition.rs");
    // Spring Authorization Server would add the scopes allowed before to what is posted.
    JsonNode second =
        new SmartBrowser(gateway)
            .launch(patientApp(scope), java.util.Set.of("patient/Condition.rs"))
            .token();
    assertThat(second.path("scope").asText())
        .contains("patient/Observation.rs")
        .doesNotContain("patient/Condition.rs");
  }

  @Test
  void ehrLaunch_launchIdCarriesPatientAndEncounter() {
    Response created =
        Fhir.anonymous(gateway)
            .baseUri(gateway.baseUrl())
            .header("Authorization", "Bearer " + gateway.token(GatewayProcess.EHR))
            .accept("application/json")
            .contentType("application/x-www-form-urlencoded")
            .formParam("patient", "demo-patient-q")
            .formParam("encounter", "enc-1")
            .post("/smart/launch");
    assertThat(created.statusCode()).as("launch: %s", created.asString()).isEqualTo(201);
    String launchId = created.jsonPath().getString("launch");
    assertThat(launchId).isNotBlank();

    Response byPatient =
        Fhir.anonymous(gateway)
            .baseUri(gateway.baseUrl())
            .header("Authorization", "Bearer " + gateway.token(GatewayProcess.PATIENT_P))
            .accept("application/json")
            .contentType("application/x-www-form-urlencoded")
            .formParam("patient", "demo-patient-q")
            .post("/smart/launch");
    assertThat(byPatient.statusCode()).isEqualTo(403);

    JsonNode token =
        new SmartBrowser(gateway)
            .launch(
                practitionerApp(
                    GatewayProcess.PRACTITIONER_B,
                    "launch openid fhirUser patient/Patient.rs",
                    launchId,
                    null))
            .token();
    assertThat(token.path("patient").asText()).isEqualTo("demo-patient-q");
    assertThat(token.path("encounter").asText()).isEqualTo("enc-1");
    String bearer = token.path("access_token").asText();
    assertThat(SmartBrowser.claims(bearer).path("fhirUser").asText())
        .isEqualTo("Practitioner/demo-practitioner-b");
    assertForbidden(fhir(bearer, "/Patient/demo-patient-p"));
  }

  @Test
  void authorizationRequest_plainOrMissingPkceOrWrongAud_refused() {
    SmartBrowser browser = new SmartBrowser(gateway);
    String endpoint = browser.configuration().path("authorization_endpoint").asText();
    Map<String, String> base = new LinkedHashMap<>();
    base.put("response_type", "code");
    base.put("client_id", "demo-patient-app");
    base.put("redirect_uri", SmartBrowser.REDIRECT_URI);
    base.put("scope", "openid launch/patient patient/*.rs");
    base.put("state", "s1");
    base.put("aud", aud);

    Map<String, String> plain = new LinkedHashMap<>(base);
    plain.put("code_challenge", SmartBrowser.randomUrlSafe());
    plain.put("code_challenge_method", "plain");
    Map<String, String> missing = new LinkedHashMap<>(base);
    Map<String, String> wrongAud = new LinkedHashMap<>(base);
    wrongAud.put("code_challenge", SmartBrowser.s256(SmartBrowser.randomUrlSafe()));
    wrongAud.put("code_challenge_method", "S256");
    wrongAud.put("aud", "https://elsewhere.example/fhir");
    for (Map<String, String> params : List.of(plain, missing, wrongAud)) {
      HttpResponse<String> response = browser.get(endpoint + "?" + SmartBrowser.form(params));
      assertThat(response.statusCode()).as("%s", params).isEqualTo(302);
      String location = SmartBrowser.location(response);
      assertThat(location).as("%s", params).startsWith(SmartBrowser.REDIRECT_URI);
      assertThat(SmartBrowser.query(location).get("error")).isEqualTo("invalid_request");
    }
  }

  private static void assertForbidden(Response response) {
    assertThat(response.statusCode()).as("%s", response.asString()).isEqualTo(403);
    Fhir.assertOperationOutcome(response);
  }

  private static List<String> texts(JsonNode array) {
    List<String> values = new ArrayList<>();
    array.forEach(v -> values.add(v.asText()));
    return values;
  }
}
