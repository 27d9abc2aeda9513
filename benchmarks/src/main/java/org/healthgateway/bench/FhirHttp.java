package org.healthgateway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * The driver's HTTP side: plain java.net.http over HTTP/1.1, FHIR JSON, and an optional bearer
 * token (given, or fetched with client_credentials and HTTP Basic, refreshed before it expires).
 */
final class FhirHttp {

  static final String FHIR_JSON = "application/fhir+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient client;
  private final String base;
  private final String tokenUrl;
  private final String clientId;
  private final String clientSecret;
  private volatile String token;
  private volatile long tokenExpiresNanos = Long.MAX_VALUE;
  private volatile Duration requestTimeout = Duration.ofMinutes(10);

  FhirHttp(String base, String token, String tokenUrl, String clientId, String clientSecret) {
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    this.token = token;
    this.tokenUrl = tokenUrl;
    this.clientId = clientId;
    this.clientSecret = clientSecret;
  }

  String base() {
    return base;
  }

  /** How long one request may take (default ten minutes, for the largest Bundles). */
  FhirHttp requestTimeout(Duration timeout) {
    this.requestTimeout = timeout;
    return this;
  }

  /** Fetches a token now if client credentials were given. */
  void authenticate() throws IOException, InterruptedException {
    if (tokenUrl == null) {
      return;
    }
    String basic =
        Base64.getEncoder()
            .encodeToString(
                (enc(clientId) + ":" + enc(clientSecret)).getBytes(StandardCharsets.UTF_8));
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(tokenUrl))
            .timeout(requestTimeout)
            .header("Authorization", "Basic " + basic)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
            .build();
    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("token request: HTTP " + response.statusCode() + " " + response.body());
    }
    JsonNode body = JSON.readTree(response.body());
    token = body.path("access_token").asText();
    long expiresIn = body.path("expires_in").asLong(300);
    tokenExpiresNanos = System.nanoTime() + Duration.ofSeconds(expiresIn * 3 / 4).toNanos();
  }

  HttpResponse<byte[]> get(String pathAndQuery) throws IOException, InterruptedException {
    return send(builder(pathAndQuery).GET().build());
  }

  HttpResponse<byte[]> post(String path, byte[] body) throws IOException, InterruptedException {
    return sendBody("POST", path, body);
  }

  HttpResponse<byte[]> put(String path, byte[] body) throws IOException, InterruptedException {
    return sendBody("PUT", path, body);
  }

  private HttpResponse<byte[]> sendBody(String method, String path, byte[] body)
      throws IOException, InterruptedException {
    return send(
        builder(path)
            .header("Content-Type", FHIR_JSON)
            .method(method, HttpRequest.BodyPublishers.ofByteArray(body))
            .build());
  }

  static JsonNode parse(byte[] body) throws IOException {
    return JSON.readTree(body);
  }

  static ObjectMapper json() {
    return JSON;
  }

  private HttpResponse<byte[]> send(HttpRequest request) throws IOException, InterruptedException {
    return client.send(request, HttpResponse.BodyHandlers.ofByteArray());
  }

  private HttpRequest.Builder builder(String pathAndQuery)
      throws IOException, InterruptedException {
    String uri = pathAndQuery.startsWith("http") ? pathAndQuery : base + "/" + pathAndQuery;
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(uri)).timeout(requestTimeout).header("Accept", FHIR_JSON);
    if (tokenUrl != null && System.nanoTime() > tokenExpiresNanos) {
      synchronized (this) {
        if (System.nanoTime() > tokenExpiresNanos) {
          authenticate();
        }
      }
    }
    String t = token;
    return t == null ? b : b.header("Authorization", "Bearer " + t);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
