package org.healthgateway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import io.restassured.response.Response;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * SMART Backend Services: an integration engine registered with its public JWKS in {@code
 * backend-clients.json} signs its own client assertion, gets a {@code system/} token and exports
 * the data its scopes allow; replayed, foreign-signed or misaddressed assertions are refused.
 */
@Order(22)
class SmartBackendServicesTest {
  private static final RSAKey RSA = SmartJwts.rsaKey("export-rsa");
  private static final ECKey EC = SmartJwts.ecKey("export-ec");
  private static GatewayProcess gateway;
  private static SmartBrowser client;

  @BeforeAll
  static void start() throws IOException {
    gateway = GatewayProcess.create("smart-backend");
    Files.createDirectories(gateway.secretsDir());
    Map<String, Object> rsaClient = new LinkedHashMap<>();
    rsaClient.put("clientId", "bulk-export");
    rsaClient.put("fhirUser", "Device/demo-ehr");
    rsaClient.put("scope", "system/Patient.rs system/Observation.rs");
    rsaClient.put("jwks", new JWKSet(RSA.toPublicJWK()).toJSONObject());
    Map<String, Object> ecClient = new LinkedHashMap<>();
    ecClient.put("clientId", "ec-export");
    ecClient.put("fhirUser", "Device/demo-ehr");
    ecClient.put("scopes", List.of("system/*.rs"));
    ecClient.put("jwks", new JWKSet(EC.toPublicJWK()).toJSONObject());
    SmartBrowser.JSON.writeValue(
        gateway.secretsDir().resolve("backend-clients.json").toFile(),
        Map.of("clients", List.of(rsaClient, ecClient)));
    gateway.start();
    client = new SmartBrowser(gateway);
  }

  @AfterAll
  static void stop() {
    if (gateway != null) {
      gateway.stop();
    }
  }

  private static String tokenEndpoint() {
    return client.configuration().path("token_endpoint").asText();
  }

  private static HttpResponse<String> requestToken(String assertion, String scope) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("grant_type", "client_credentials");
    params.put("scope", scope);
    params.put("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
    params.put("client_assertion", assertion);
    return client.tokenRequest(params, null, null);
  }

  @Test
  void backendClient_signedAssertion_exportsWhatItsScopesAllow() {
    String ehr = gateway.token(GatewayProcess.EHR);
    String observation =
        SmartResources.create(
            gateway,
            ehr,
            "Observation",
            SmartResources.observation("demo-patient-p", "laboratory"));
    SmartResources.create(
        gateway, ehr, "AllergyIntolerance", SmartResources.allergy("demo-patient-p"));

    String assertion =
        SmartJwts.sign(
            RSA, JWSAlgorithm.RS384, SmartJwts.assertion("bulk-export", tokenEndpoint()).build());
    HttpResponse<String> response =
        requestToken(assertion, "system/Patient.rs system/Observation.rs");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    JsonNode token = SmartBrowser.json(response);
    assertThat(token.path("scope").asText()).contains("system/Observation.rs");
    String bearer = token.path("access_token").asText();

    Response patients =
        Fhir.anonymous(gateway).header("Authorization", "Bearer " + bearer).get("/Patient");
    assertThat(patients.statusCode()).isEqualTo(200);
    assertThat(Fhir.parse(Bundle.class, patients.asString()).getEntry())
        .hasSizeGreaterThanOrEqualTo(2);
    Response observations =
        Fhir.anonymous(gateway)
            .header("Authorization", "Bearer " + bearer)
            .get("/Observation?patient=demo-patient-p");
    assertThat(observations.statusCode()).isEqualTo(200);
    assertThat(observations.asString())
        .contains(observation.substring(observation.indexOf('/') + 1));
    Response allergies =
        Fhir.anonymous(gateway)
            .header("Authorization", "Bearer " + bearer)
            .get("/AllergyIntolerance?patient=demo-patient-p");
    assertThat(allergies.statusCode()).isEqualTo(403);
    Fhir.assertOperationOutcome(allergies);
    Response write =
        Fhir.anonymous(gateway)
            .header("Authorization", "Bearer " + bearer)
            .contentType(Fhir.JSON_TYPE)
            .body(SmartResources.observation("demo-patient-p", "laboratory"))
            .post("/Observation");
    assertThat(write.statusCode()).isEqualTo(403);
  }

  @Test
  void backendClient_es384Assertion_accepted() {
    String assertion =
        SmartJwts.sign(
            EC, JWSAlgorithm.ES384, SmartJwts.assertion("ec-export", tokenEndpoint()).build());
    HttpResponse<String> response = requestToken(assertion, "system/Patient.rs");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
  }

  @Test
  void clientAssertion_replayed_refused() {
    String assertion =
        SmartJwts.sign(
            RSA, JWSAlgorithm.RS384, SmartJwts.assertion("bulk-export", tokenEndpoint()).build());
    assertThat(requestToken(assertion, "system/Patient.rs").statusCode()).isEqualTo(200);
    HttpResponse<String> replay = requestToken(assertion, "system/Patient.rs");
    assertThat(replay.statusCode()).isEqualTo(401);
    assertThat(replay.body()).contains("invalid_client");
  }

  @Test
  void clientAssertion_foreignKeyWrongAudienceOrLongLifetime_refused() {
    RSAKey stranger = SmartJwts.rsaKey("export-rsa");
    String foreign =
        SmartJwts.sign(
            stranger,
            JWSAlgorithm.RS384,
            SmartJwts.assertion("bulk-export", tokenEndpoint()).build());
    String wrongAudience =
        SmartJwts.sign(
            RSA,
            JWSAlgorithm.RS384,
            SmartJwts.assertion("bulk-export", "https://elsewhere.example/token").build());
    String longLived =
        SmartJwts.sign(
            RSA,
            JWSAlgorithm.RS384,
            SmartJwts.assertion("bulk-export", tokenEndpoint())
                .expirationTime(new java.util.Date(System.currentTimeMillis() + 3_600_000))
                .build());
    for (String assertion : List.of(foreign, wrongAudience, longLived)) {
      HttpResponse<String> response = requestToken(assertion, "system/Patient.rs");
      assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
      assertThat(response.body()).contains("invalid_client");
    }
  }

  @Test
  void backendClient_scopeBeyondRegistration_invalidScope() {
    String assertion =
        SmartJwts.sign(
            RSA, JWSAlgorithm.RS384, SmartJwts.assertion("bulk-export", tokenEndpoint()).build());
    HttpResponse<String> response = requestToken(assertion, "system/AllergyIntolerance.rs");
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.body()).contains("invalid_scope");
  }
}
