package org.healthgateway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.sun.net.httpserver.HttpServer;
import io.restassured.response.Response;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Every bad token gets 401 with {@code WWW-Authenticate: Bearer} and an OperationOutcome: missing,
 * malformed, unsigned, wrongly signed, expired, without expiry, for another audience, from another
 * issuer. The claim checks run against a gateway that trusts an external OpenID Connect provider
 * played by the test (its own key and JWKS endpoint), which also proves that configuration.
 */
@Order(23)
class SmartBadTokenTest {
  private static final String ISSUER = "https://idp.example.test/realms/health";
  private static final String AUDIENCE = "https://fhir.example.test/fhir";
  private static final RSAKey IDP_KEY = SmartJwts.rsaKey("idp-1");

  private static HttpServer idp;
  private static GatewayProcess external;

  @BeforeAll
  static void start() throws IOException {
    idp = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    byte[] jwks = new JWKSet(IDP_KEY.toPublicJWK()).toString(true).getBytes(StandardCharsets.UTF_8);
    idp.createContext(
        "/jwks",
        exchange -> {
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, jwks.length);
          exchange.getResponseBody().write(jwks);
          exchange.close();
        });
    idp.start();
    external =
        GatewayProcess.create(
            "smart-external",
            "--gateway.smart.external.issuer=" + ISSUER,
            "--gateway.smart.external.jwks-uri=http://127.0.0.1:"
                + idp.getAddress().getPort()
                + "/jwks",
            "--gateway.smart.external.authorization-endpoint=" + ISSUER + "/auth",
            "--gateway.smart.external.token-endpoint=" + ISSUER + "/token",
            "--gateway.smart.fhir-base-url=" + AUDIENCE);
    external.start();
  }

  @AfterAll
  static void stop() {
    if (external != null) {
      external.stop();
    }
    if (idp != null) {
      idp.stop(0);
    }
  }

  private static JWTClaimsSet.Builder claims() {
    long now = System.currentTimeMillis();
    return new JWTClaimsSet.Builder()
        .issuer(ISSUER)
        .audience(AUDIENCE)
        .subject("engine-1")
        .claim("fhirUser", "Device/demo-ehr")
        .claim("scope", "system/*.rs")
        .issueTime(new Date(now))
        .expirationTime(new Date(now + 300_000));
  }

  private static Response read(GatewayProcess gateway, String bearer) {
    var request = Fhir.anonymous(gateway);
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    return request.get("/Patient/demo-patient-p");
  }

  private static void assertUnauthorized(Response response, String why) {
    assertThat(response.statusCode()).as("%s: %s", why, response.asString()).isEqualTo(401);
    assertThat(response.header("WWW-Authenticate")).as(why).startsWith("Bearer");
    Fhir.assertOperationOutcome(response);
  }

  @Test
  void externalProvider_validToken_readsAndSmartConfigurationNamesProvider() {
    String token = SmartJwts.sign(IDP_KEY, JWSAlgorithm.RS256, claims().build());
    assertThat(read(external, token).statusCode()).isEqualTo(200);
    Response config = Fhir.anonymous(external).get("/.well-known/smart-configuration");
    assertThat(config.statusCode()).isEqualTo(200);
    assertThat(config.jsonPath().getString("issuer")).isEqualTo(ISSUER);
    assertThat(config.jsonPath().getString("token_endpoint")).isEqualTo(ISSUER + "/token");
    assertThat(config.jsonPath().getList("code_challenge_methods_supported"))
        .containsExactly("S256");
  }

  @Test
  void externalProvider_badClaimsOrSignature_401() {
    long now = System.currentTimeMillis();
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put(
        "expired",
        SmartJwts.sign(
            IDP_KEY,
            JWSAlgorithm.RS256,
            claims()
                .issueTime(new Date(now - 1_200_000))
                .expirationTime(new Date(now - 600_000))
                .build()));
    cases.put(
        "no expiry",
        SmartJwts.sign(IDP_KEY, JWSAlgorithm.RS256, claims().expirationTime(null).build()));
    cases.put(
        "wrong audience",
        SmartJwts.sign(
            IDP_KEY, JWSAlgorithm.RS256, claims().audience("https://other.example/fhir").build()));
    cases.put(
        "no audience",
        SmartJwts.sign(IDP_KEY, JWSAlgorithm.RS256, claims().audience(List.of()).build()));
    cases.put(
        "wrong issuer",
        SmartJwts.sign(
            IDP_KEY, JWSAlgorithm.RS256, claims().issuer("https://evil.example.test").build()));
    cases.put(
        "wrongly signed",
        SmartJwts.sign(SmartJwts.rsaKey("idp-1"), JWSAlgorithm.RS256, claims().build()));
    cases.put("unsigned", unsigned(claims().build()));
    cases.put("malformed", "not.a.jwt");
    cases.forEach((why, token) -> assertUnauthorized(read(external, token), why));
    assertUnauthorized(read(external, null), "missing");
  }

  @Test
  void embeddedServer_badTokens_401() {
    GatewayProcess shared = SharedGateway.get();
    String good = shared.token(GatewayProcess.EHR);
    assertThat(read(shared, good).statusCode()).isEqualTo(200);
    String[] parts = good.split("\\.");
    byte[] signature = Base64.getUrlDecoder().decode(parts[2]);
    signature[signature.length / 2] ^= 1;
    String tampered =
        parts[0]
            + "."
            + parts[1]
            + "."
            + Base64.getUrlEncoder().withoutPadding().encodeToString(signature);
    String kid = SmartBrowser.claims("." + parts[0]).path("kid").asText();
    JWTClaimsSet copied;
    try {
      copied =
          JWTClaimsSet.parse(
              new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    } catch (java.text.ParseException e) {
      throw new AssertionError(e);
    }
    String foreign = SmartJwts.sign(SmartJwts.rsaKey(kid), JWSAlgorithm.RS256, copied);
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("tampered signature", tampered);
    cases.put("signed by another key", foreign);
    cases.put("unsigned", unsigned(copied));
    cases.put("malformed", "abc");
    cases.forEach((why, token) -> assertUnauthorized(read(shared, token), why));
    assertUnauthorized(read(shared, null), "missing");
  }

  private static String unsigned(JWTClaimsSet claims) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    return b64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8))
        + "."
        + b64.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8))
        + ".";
  }
}
