package org.healthgateway.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The packaged gateway serving HTTPS only, with a PEM SSL bundle made of a {@link TestCertificate}:
 * {@code --spring.ssl.bundle.pem.gateway.keystore.certificate=file:...}, {@code ...private-key=}
 * and {@code --server.ssl.bundle=gateway}, the command line the README documents. Its client trusts
 * that certificate alone. Output goes to {@code target/gateway-logs/https-<name>.log}.
 */
final class HttpsGateway implements AutoCloseable {
  private static final Duration START_TIMEOUT =
      Duration.ofSeconds(Long.getLong("gateway.start-timeout-seconds", 120));
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final Path secretsDir;
  private final Path log;
  private final int port;
  private final HttpClient client;

  private HttpsGateway(Process process, Path secretsDir, Path log, int port, HttpClient client) {
    this.process = process;
    this.secretsDir = secretsDir;
    this.log = log;
    this.port = port;
    this.client = client;
  }

  /** Starts the jar with the certificate's bundle and the extra arguments; waits for metadata. */
  static HttpsGateway start(String name, TestCertificate certificate, String... extraArgs) {
    try {
      Path run =
          Files.createTempDirectory(
              Files.createDirectories(GatewayProcess.targetDir().resolve("gateway-runs")), name);
      int port = freePort();
      List<String> command = new ArrayList<>();
      command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(List.of("-jar", GatewayProcess.gatewayJar().toString()));
      command.add("--server.port=" + port);
      command.add("--management.server.port=" + freePort());
      command.add("--gateway.data-dir=" + run.resolve("data").toAbsolutePath());
      command.add("--gateway.secrets-dir=" + run.resolve("secrets").toAbsolutePath());
      command.add(
          "--spring.ssl.bundle.pem.gateway.keystore.certificate=file:"
              + certificate.certificateFile().toAbsolutePath());
      command.add(
          "--spring.ssl.bundle.pem.gateway.keystore.private-key=file:"
              + certificate.privateKeyFile().toAbsolutePath());
      command.add("--server.ssl.bundle=gateway");
      command.addAll(List.of(extraArgs));
      Path logs = Files.createDirectories(GatewayProcess.targetDir().resolve("gateway-logs"));
      Path log = logs.resolve("https-" + name + ".log");
      Files.writeString(log, "$ " + String.join(" ", command) + "\n");
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
              .start();
      HttpClient client =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .sslContext(certificate.trustingContext())
              .connectTimeout(Duration.ofSeconds(5))
              .build();
      HttpsGateway gateway = new HttpsGateway(process, run.resolve("secrets"), log, port, client);
      gateway.awaitStart();
      return gateway;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** For example {@code https://127.0.0.1:12345}. */
  String baseUrl() {
    return "https://127.0.0.1:" + port;
  }

  /** GET over HTTPS with the given header name/value pairs. */
  HttpResponse<String> get(String path, String... headers) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl() + path)).GET();
    if (headers.length > 0) {
      request.headers(headers);
    }
    return send(request.build());
  }

  /** A client-credentials access token of a demo client, asked for over HTTPS. */
  String token(String clientId) {
    try {
      JsonNode client = null;
      for (JsonNode c :
          JSON.readTree(secretsDir.resolve("demo-clients.json").toFile()).path("clients")) {
        client = clientId.equals(c.path("clientId").asText()) ? c : client;
      }
      if (client == null) {
        throw new AssertionError("no demo client " + clientId);
      }
      String basic =
          Base64.getEncoder()
              .encodeToString(
                  (clientId + ":" + client.path("clientSecret").asText())
                      .getBytes(StandardCharsets.UTF_8));
      HttpResponse<String> response =
          send(
              HttpRequest.newBuilder(URI.create(baseUrl() + "/oauth2/token"))
                  .header("Authorization", "Basic " + basic)
                  .header("Content-Type", "application/x-www-form-urlencoded")
                  .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
                  .build());
      if (response.statusCode() != 200) {
        throw new AssertionError("token over HTTPS: " + response.statusCode() + response.body());
      }
      return JSON.readTree(response.body()).path("access_token").asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String tail() {
    try {
      String text = Files.readString(log, StandardCharsets.UTF_8);
      return text.length() <= 6000 ? text : "..." + text.substring(text.length() - 6000);
    } catch (IOException e) {
      return "<log unreadable: " + e + ">";
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void awaitStart() {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError("gateway exited during start-up; log: " + tail());
      }
      if (metadataAnswers200() && Files.isRegularFile(secretsDir.resolve("demo-clients.json"))) {
        return;
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    close();
    throw new AssertionError("HTTPS gateway not ready after " + START_TIMEOUT + "; log: " + tail());
  }

  private boolean metadataAnswers200() {
    try {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(baseUrl() + "/fhir/metadata"))
              .timeout(Duration.ofSeconds(5))
              .GET()
              .build();
      return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private HttpResponse<String> send(HttpRequest request) {
    try {
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
