package org.healthgateway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.ECKey;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One column of the authorization matrix: an identity ({@code fhirUser}) with a way to get its
 * token (client credentials with or without a scope, a Backend Services client assertion, or an EHR
 * launch through the login form). Tokens live five minutes on the server; one is reused for at most
 * two.
 */
final class MatrixActor {
  private static final Duration REUSE = Duration.ofMinutes(2);

  private final String column;
  private final String fhirUser;
  private final String description;
  private final Supplier<String> issue;
  private String token;
  private long issuedNanos;

  private MatrixActor(String column, String fhirUser, String description, Supplier<String> issue) {
    this.column = column;
    this.fhirUser = fhirUser;
    this.description = description;
    this.issue = issue;
  }

  String column() {
    return column;
  }

  /** The identity the server serves the token as, e.g. {@code Practitioner/m-active}. */
  String fhirUser() {
    return fhirUser;
  }

  String description() {
    return description;
  }

  synchronized String token() {
    if (token == null || System.nanoTime() - issuedNanos > REUSE.toNanos()) {
      token = issue.get();
      issuedNanos = System.nanoTime();
    }
    return token;
  }

  /** A request to the FHIR base with this actor's bearer token. */
  RequestSpecification fhir(GatewayProcess gateway) {
    return Fhir.anonymous(gateway).header("Authorization", "Bearer " + token());
  }

  /** A demo client with the client-credentials grant; {@code scope} null = every registered one. */
  static MatrixActor demoClient(
      GatewayProcess gateway, String column, String clientId, String scope) {
    String fhirUser = gateway.fhirUser(clientId);
    String description =
        clientId + " (" + fhirUser + "), " + (scope == null ? "full (no scope parameter)" : scope);
    return new MatrixActor(
        column,
        fhirUser,
        description,
        () -> scope == null ? gateway.token(clientId) : gateway.token(clientId, scope));
  }

  /** A Backend Services client of {@code backend-clients.json}: {@code private_key_jwt}, ES384. */
  static MatrixActor backendClient(
      GatewayProcess gateway,
      String column,
      String clientId,
      String fhirUser,
      ECKey key,
      String scope) {
    return new MatrixActor(
        column,
        fhirUser,
        clientId + " (" + fhirUser + "), Backend Services, " + scope,
        () -> {
          SmartBrowser client = new SmartBrowser(gateway);
          String endpoint = client.configuration().path("token_endpoint").asText();
          Map<String, String> params = new LinkedHashMap<>();
          params.put("grant_type", "client_credentials");
          params.put("scope", scope);
          params.put(
              "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
          params.put(
              "client_assertion",
              SmartJwts.sign(
                  key, JWSAlgorithm.ES384, SmartJwts.assertion(clientId, endpoint).build()));
          HttpResponse<String> response = client.tokenRequest(params, null, null);
          assertThat(response.statusCode())
              .as("token of %s: %s", clientId, response.body())
              .isEqualTo(200);
          return SmartBrowser.json(response).path("access_token").asText();
        });
  }

  /**
   * A practitioner's token from an EHR launch: the practitioner's client creates a launch for the
   * patient ({@code POST /smart/launch}), the practitioner app is launched with it, the user logs
   * in and allows {@code scope}.
   */
  static MatrixActor ehrLaunch(
      GatewayProcess gateway, String column, String user, String patientId, String scope) {
    String fhirUser = gateway.fhirUser(user);
    return new MatrixActor(
        column,
        fhirUser,
        user + " (" + fhirUser + "), EHR launch, patient " + patientId + ", " + scope,
        () -> {
          Response launch =
              Fhir.anonymous(gateway)
                  .baseUri(gateway.baseUrl())
                  .header("Authorization", "Bearer " + gateway.token(user))
                  .accept("application/json")
                  .contentType("application/x-www-form-urlencoded")
                  .formParam("patient", patientId)
                  .post("/smart/launch");
          assertThat(launch.statusCode()).as("launch: %s", launch.asString()).isEqualTo(201);
          SmartBrowser browser = new SmartBrowser(gateway);
          String aud = browser.configuration().path("issuer").asText() + "/fhir";
          JsonNode token =
              browser
                  .launch(
                      new SmartBrowser.Request(
                          "demo-practitioner-app",
                          gateway.demoAppSecret("demo-practitioner-app"),
                          scope,
                          aud,
                          launch.jsonPath().getString("launch"),
                          user,
                          gateway.demoPassword(user),
                          null))
                  .token();
          assertThat(token.path("patient").asText()).as("launch patient").isEqualTo(patientId);
          return token.path("access_token").asText();
        });
  }
}
