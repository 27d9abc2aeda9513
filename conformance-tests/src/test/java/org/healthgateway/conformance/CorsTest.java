package org.healthgateway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * A SMART app served from another origin (a browser app on {@code http://127.0.0.1:9000}, the
 * origin of the demo apps' redirect URI) calls discovery, the token endpoint, userinfo and the FHIR
 * API the way fhirclient.js does: preflights with {@code Authorization}, then the calls. An origin
 * nobody registered gets no CORS permission.
 */
@Order(19)
class CorsTest {
  private static final String APP_ORIGIN = "http://127.0.0.1:9000";
  private static final String OTHER_ORIGIN = "https://evil.example";

  private static GatewayProcess gateway;

  @BeforeAll
  static void start() {
    gateway = SharedGateway.get();
  }

  private static RawHttp.Answer preflight(
      String origin, String method, String path, String headers) {
    return RawHttp.send(
        gateway,
        "OPTIONS",
        path,
        headers == null
            ? List.of("Origin: " + origin, "Access-Control-Request-Method: " + method)
            : List.of(
                "Origin: " + origin,
                "Access-Control-Request-Method: " + method,
                "Access-Control-Request-Headers: " + headers),
        null);
  }

  private static Set<String> list(RawHttp.Answer answer, String header) {
    String value = answer.header(header);
    assertThat(value).as("%s of %s", header, answer.headers()).isNotNull();
    return Arrays.stream(value.split(","))
        .map(s -> s.trim().toLowerCase(Locale.ROOT))
        .collect(Collectors.toSet());
  }

  private static void assertPreflightAllowed(String method, String path, String headers) {
    RawHttp.Answer answer = preflight(APP_ORIGIN, method, path, headers);
    assertThat(answer.status())
        .as("preflight %s %s: %s", method, path, answer.text())
        .isEqualTo(200);
    assertThat(answer.header("Access-Control-Allow-Origin")).as(path).isEqualTo(APP_ORIGIN);
    assertThat(answer.header("Access-Control-Allow-Credentials")).as(path).isNull();
    assertThat(list(answer, "Access-Control-Allow-Methods"))
        .as(path)
        .contains(method.toLowerCase());
    if (headers != null) {
      assertThat(list(answer, "Access-Control-Allow-Headers"))
          .as(path)
          .containsAll(List.of(headers.toLowerCase(Locale.ROOT).split("\\s*,\\s*")));
    }
    assertThat(list(answer, "Vary")).as(path).contains("origin");
  }

  @Test
  void preflight_fhirApiFromAppOrigin_allowsAuthorizationAndContentType() {
    assertPreflightAllowed("GET", "/fhir/Patient/demo-patient-p", "authorization");
    assertPreflightAllowed("GET", "/fhir/Observation?patient=demo-patient-p", "authorization");
    assertPreflightAllowed("POST", "/fhir/Observation", "authorization, content-type");
    assertPreflightAllowed("PUT", "/fhir/Observation/x", "authorization, content-type, if-match");
    assertPreflightAllowed("DELETE", "/fhir/Observation/x", "authorization");
    assertPreflightAllowed("GET", "/fhir/metadata", null);
    assertPreflightAllowed("GET", "/fhir/.well-known/smart-configuration", null);
  }

  @Test
  void preflight_authorizationServerFromAppOrigin_allowed() {
    assertPreflightAllowed("POST", "/oauth2/token", "content-type, authorization");
    assertPreflightAllowed("GET", "/userinfo", "authorization");
    assertPreflightAllowed("GET", "/.well-known/openid-configuration", null);
    assertPreflightAllowed("GET", "/oauth2/jwks", null);
  }

  @Test
  void fhirCall_fromAppOrigin_allowsOriginAndExposesLocationAndEtag() {
    String token = gateway.token(GatewayProcess.PRACTITIONER_A);
    RawHttp.Answer created =
        RawHttp.send(
            gateway,
            "POST",
            "/fhir/Observation",
            List.of(
                "Origin: " + APP_ORIGIN,
                "Authorization: Bearer " + token,
                "Content-Type: application/fhir+json"),
            Observations.heartRate(gateway.fhirUser(GatewayProcess.PATIENT_P), "cors", 71)
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(created.status()).as("create: %s", created.text()).isEqualTo(201);
    assertThat(created.header("Access-Control-Allow-Origin")).isEqualTo(APP_ORIGIN);
    assertThat(list(created, "Access-Control-Expose-Headers"))
        .contains("location", "etag", "content-location");
    assertThat(created.header("Location")).isNotBlank();

    RawHttp.Answer metadata = RawHttp.get(gateway, "/fhir/metadata", "Origin: " + APP_ORIGIN);
    assertThat(metadata.status()).isEqualTo(200);
    assertThat(metadata.header("Access-Control-Allow-Origin")).isEqualTo(APP_ORIGIN);
    RawHttp.Answer smart =
        RawHttp.get(gateway, "/fhir/.well-known/smart-configuration", "Origin: " + APP_ORIGIN);
    assertThat(smart.status()).isEqualTo(200);
    assertThat(smart.header("Access-Control-Allow-Origin")).isEqualTo(APP_ORIGIN);
  }

  @Test
  void preflight_unknownOrigin_403OutcomeWithoutCorsHeaders() {
    for (String path :
        List.of(
            "/fhir/Patient/demo-patient-p",
            "/fhir/metadata",
            "/fhir/.well-known/smart-configuration")) {
      RawHttp.Answer answer = preflight(OTHER_ORIGIN, "GET", path, "authorization");
      Fhir.assertFhirJsonError(answer, 403, "forbidden");
      assertThat(answer.header("Access-Control-Allow-Origin")).as(path).isNull();
    }
    RawHttp.Answer token = preflight(OTHER_ORIGIN, "POST", "/oauth2/token", "content-type");
    assertThat(token.status()).isEqualTo(403);
    assertThat(token.header("Access-Control-Allow-Origin")).isNull();

    RawHttp.Answer call =
        RawHttp.get(
            gateway,
            "/fhir/Patient/demo-patient-p",
            "Origin: " + OTHER_ORIGIN,
            "Authorization: Bearer " + gateway.token(GatewayProcess.PRACTITIONER_A));
    Fhir.assertFhirJsonError(call, 403, "forbidden");
    assertThat(call.header("Access-Control-Allow-Origin")).isNull();
  }
}
