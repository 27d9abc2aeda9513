package org.healthgateway.conformance;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.restassured.response.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.util.Map;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hospital serves the gateway over HTTPS with its own certificate (a Spring Boot PEM SSL bundle),
 * or behind a reverse proxy that terminates TLS and forwards {@code X-Forwarded-*} headers, which
 * the gateway honours only from the proxies it is told to trust. Three gateways: one on HTTPS whose
 * trusted proxy is another address than the test's, one on HTTP trusting 127.0.0.1 (the test acts
 * as its proxy), and the shared one with the shipped default (no proxy trusted).
 */
@Order(5)
class TlsAndProxyTest {
  private static final String HSTS = "max-age=31536000 ; includeSubDomains";
  private static final String PUBLIC_HOST = "fhir.hospital.example";
  private static final Map<String, String> FORWARDED =
      Map.of(
          "X-Forwarded-Proto", "https",
          "X-Forwarded-Host", PUBLIC_HOST,
          "X-Forwarded-Port", "443",
          "X-Forwarded-For", "203.0.113.7");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path tlsDir;
  private static TestCertificate certificate;
  private static HttpsGateway https;
  private static GatewayProcess proxied;

  @BeforeAll
  static void start() {
    certificate = TestCertificate.writeTo(tlsDir);
    https =
        HttpsGateway.start(
            "tls", certificate, "--server.tomcat.remoteip.internal-proxies=10\\.9\\.8\\.7");
    proxied =
        GatewayProcess.create(
                "proxied", "--server.tomcat.remoteip.internal-proxies=127\\.0\\.0\\.1")
            .start();
  }

  @AfterAll
  static void stop() {
    if (https != null) {
      https.close();
    }
    if (proxied != null) {
      proxied.stop();
    }
  }

  @Test
  void metadata_overHttpsWithPemBundle_servedWithThatCertificateAndHsts() throws Exception {
    HttpResponse<String> response = https.get("/fhir/metadata");

    assertThat(response.statusCode()).as("metadata: %s", response.body()).isEqualTo(200);
    assertThat(response.body()).contains("\"resourceType\":\"CapabilityStatement\"");
    Certificate[] served = response.sslSession().orElseThrow().getPeerCertificates();
    assertThat(served[0]).isEqualTo(certificate.certificate());
    assertThat(response.headers().firstValue("Strict-Transport-Security")).hasValue(HSTS);
  }

  @Test
  void discoveryKeysLoginAndWebApp_overHttps_carryHsts() {
    for (String path :
        new String[] {
          "/fhir/.well-known/smart-configuration", "/oauth2/jwks", "/login", "/apps/patient/"
        }) {
      HttpResponse<String> response = https.get(path);
      assertThat(response.statusCode()).as("%s: %s", path, response.body()).isEqualTo(200);
      assertThat(response.headers().firstValue("Strict-Transport-Security"))
          .as(path)
          .hasValue(HSTS);
    }
  }

  @Test
  void https_clientNotTrustingTheCertificate_handshakeFails() {
    HttpClient defaultTrust = HttpClient.newHttpClient();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(https.baseUrl() + "/fhir/metadata")).build();

    assertThatThrownBy(() -> defaultTrust.send(request, HttpResponse.BodyHandlers.discarding()))
        .isInstanceOf(SSLHandshakeException.class);
  }

  @Test
  void forwardedHeaders_fromAnAddressNotTrusted_ignored() {
    String token = https.token(GatewayProcess.EHR);
    HttpResponse<String> response =
        https.get(
            "/fhir/Patient?_count=1",
            "Authorization",
            "Bearer " + token,
            "X-Forwarded-Host",
            PUBLIC_HOST,
            "X-Forwarded-Port",
            "443",
            "X-Forwarded-Proto",
            "https");

    assertThat(response.statusCode()).as("search: %s", response.body()).isEqualTo(200);
    assertThat(selfLink(response.body())).startsWith(https.baseUrl() + "/fhir/Patient");
  }

  @Test
  void forwardedHeaders_fromTrustedProxy_httpsUrlsOfThePublicHostAndHsts() {
    Response response = search(proxied, FORWARDED);

    assertThat(response.statusCode()).as("search: %s", response.asString()).isEqualTo(200);
    assertThat(selfLink(response.asString()))
        .startsWith("https://" + PUBLIC_HOST + "/fhir/Patient");
    assertThat(response.header("Strict-Transport-Security")).isEqualTo(HSTS);
  }

  @Test
  void trustedProxyGateway_plainRequestWithoutForwardedHeaders_httpUrlsAndNoHsts() {
    Response response = search(proxied, Map.of());

    assertThat(response.statusCode()).as("search: %s", response.asString()).isEqualTo(200);
    assertThat(selfLink(response.asString())).startsWith(proxied.fhirBase() + "/Patient");
    assertThat(response.header("Strict-Transport-Security")).isNull();
  }

  @Test
  void forwardedHeaders_shippedDefault_trustNoProxy() {
    GatewayProcess shared = SharedGateway.get();
    Response response = search(shared, FORWARDED);

    assertThat(response.statusCode()).as("search: %s", response.asString()).isEqualTo(200);
    assertThat(selfLink(response.asString())).startsWith(shared.fhirBase() + "/Patient");
    assertThat(response.header("Strict-Transport-Security")).isNull();
  }

  private static Response search(GatewayProcess gateway, Map<String, String> headers) {
    return given()
        .baseUri(gateway.fhirBase())
        .header("Authorization", "Bearer " + gateway.token(GatewayProcess.EHR))
        .headers(headers)
        .get("/Patient?_count=1");
  }

  private static String selfLink(String bundle) {
    try {
      for (JsonNode link : JSON.readTree(bundle).path("link")) {
        if (link.path("relation").asText().equals("self")) {
          return link.path("url").asText();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new AssertionError("no self link in " + bundle);
  }
}
