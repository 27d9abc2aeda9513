package org.healthgateway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The packaged gateway as a black box: starts {@code java -jar <gateway.jar>} on a free port with
 * its own data and secrets directories, obtains tokens for the demo clients and runs the offline
 * {@code verify} command. Output of every process goes to {@code target/gateway-logs/}.
 */
final class GatewayProcess implements AutoCloseable {

  static final String EHR = "demo-ehr";
  static final String PRACTITIONER_A = "demo-practitioner-a";
  static final String PRACTITIONER_B = "demo-practitioner-b";
  static final String PATIENT_P = "demo-patient-p";
  static final String PATIENT_Q = "demo-patient-q";

  /** Start-up budget; a fresh node also creates its demo users after the web server is up. */
  private static final Duration START_TIMEOUT =
      Duration.ofSeconds(Long.getLong("gateway.start-timeout-seconds", 120));

  private static final AtomicInteger RUNS = new AtomicInteger();
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private final String name;
  private final Path dataDir;
  private final Path secretsDir;
  private final List<String> extraArgs;

  /** Cached access tokens with the time they were issued: tokens live 5 minutes on the server. */
  private final Map<String, CachedToken> tokens = new ConcurrentHashMap<>();

  private static final Duration TOKEN_REUSE = Duration.ofMinutes(2);

  private record CachedToken(String value, long issuedNanos) {
    boolean fresh() {
      return System.nanoTime() - issuedNanos < TOKEN_REUSE.toNanos();
    }
  }

  private Process process;
  private Path logFile;
  private int port;
  private int managementPort;

  private GatewayProcess(String name, Path dataDir, Path secretsDir, List<String> extraArgs) {
    this.name = name;
    this.dataDir = dataDir;
    this.secretsDir = secretsDir;
    this.extraArgs = List.copyOf(extraArgs);
  }

  /** Creates fresh data and secrets directories under {@code target/gateway-runs/}. */
  static GatewayProcess create(String name, String... extraArgs) {
    try {
      Path root = targetDir().resolve("gateway-runs");
      Files.createDirectories(root);
      Path run = Files.createTempDirectory(root, name + "-");
      return new GatewayProcess(
          name, run.resolve("data"), run.resolve("secrets"), List.of(extraArgs));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A gateway over the same data and secrets directories, started with other arguments. */
  GatewayProcess withArgs(String... otherArgs) {
    assertThat(isRunning()).as("stop the gateway first").isFalse();
    return new GatewayProcess(name, dataDir, secretsDir, List.of(otherArgs));
  }

  static Path gatewayJar() {
    String jar = System.getProperty("gateway.jar");
    assertThat(jar).as("system property gateway.jar").isNotBlank();
    Path path = Paths.get(jar);
    assertThat(path).as("gateway jar (build fhir-server first)").isRegularFile();
    return path;
  }

  static Path targetDir() {
    Path target = Paths.get("target");
    return Files.isDirectory(target) ? target : Paths.get(System.getProperty("java.io.tmpdir"));
  }

  Path dataDir() {
    return dataDir;
  }

  Path secretsDir() {
    return secretsDir;
  }

  Path logFile() {
    return logFile;
  }

  /** Base URL of the server without the FHIR path, e.g. {@code http://127.0.0.1:12345}. */
  String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  String fhirBase() {
    return baseUrl() + "/fhir";
  }

  /** Base URL of the management server (actuator), which listens on loopback only. */
  String managementUrl() {
    return "http://127.0.0.1:" + managementPort;
  }

  /** Starts the server and waits until {@code GET /fhir/metadata} answers 200. */
  GatewayProcess start() {
    launch();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new AssertionError(
            "gateway exited with " + process.exitValue() + " during start-up; log: " + tail());
      }
      // The demo users are created after the web server is up: wait for their credentials too.
      if (metadataAnswers200() && Files.isRegularFile(secretsDir.resolve("demo-clients.json"))) {
        return this;
      }
      sleep(250);
    }
    process.destroyForcibly();
    throw new AssertionError("gateway not ready after " + START_TIMEOUT + "; log: " + tail());
  }

  /**
   * Starts the server expecting it to refuse to start.
   *
   * @return exit code and output of the process
   */
  ProcessResult startExpectingFailure() {
    launch();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        return new ProcessResult(process.exitValue(), readLog());
      }
      if (metadataAnswers200()) {
        stop();
        throw new AssertionError("gateway started although it should have refused; log: " + tail());
      }
      sleep(250);
    }
    process.destroyForcibly();
    throw new AssertionError("gateway neither started nor exited; log: " + tail());
  }

  private void launch() {
    assertThat(process == null || !process.isAlive()).as("already running").isTrue();
    port = freePort();
    managementPort = freePort();
    tokens.clear();
    List<String> command = new ArrayList<>();
    command.add(javaBinary());
    command.add("-jar");
    command.add(gatewayJar().toString());
    command.add("--server.port=" + port);
    command.add("--management.server.port=" + managementPort);
    command.add("--gateway.data-dir=" + dataDir.toAbsolutePath());
    command.add("--gateway.secrets-dir=" + secretsDir.toAbsolutePath());
    command.addAll(extraArgs);
    logFile = newLogFile(name);
    try {
      Files.writeString(logFile, "$ " + String.join(" ", command) + "\n");
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Stops the server with SIGTERM and waits for it to exit. */
  void stop() {
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Kills the server with SIGKILL, as a power cut would, and waits for it to be gone. */
  void kill() {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    try {
      process.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
  }

  /** Runs {@code java -jar <gateway.jar> verify <dataDir>} and returns exit code and output. */
  ProcessResult verifyOffline() {
    return verifyOffline(dataDir);
  }

  static ProcessResult verifyOffline(Path dataDir) {
    Path log = newLogFile("verify");
    try {
      Process verify =
          new ProcessBuilder(
                  javaBinary(),
                  "-jar",
                  gatewayJar().toString(),
                  "verify",
                  dataDir.toAbsolutePath().toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (!verify.waitFor(180, TimeUnit.SECONDS)) {
        verify.destroyForcibly();
        throw new AssertionError(
            "verify did not finish in 180 s; output: " + Files.readString(log));
      }
      return new ProcessResult(verify.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Demo credentials the server wrote to {@code <secrets-dir>/demo-clients.json}. */
  JsonNode demoClient(String clientId) {
    try {
      JsonNode clients = JSON.readTree(secretsDir.resolve("demo-clients.json").toFile());
      for (JsonNode client : clients.path("clients")) {
        if (clientId.equals(client.path("clientId").asText())) {
          return client;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new AssertionError("no demo client " + clientId + " in " + secretsDir);
  }

  /** The {@code fhirUser} of a demo client, e.g. {@code Practitioner/demo-practitioner-a}. */
  String fhirUser(String clientId) {
    return demoClient(clientId).path("fhirUser").asText();
  }

  /** An access token from the client-credentials grant, cached per client. */
  String token(String clientId) {
    return tokens
        .compute(
            clientId,
            (id, cached) ->
                cached != null && cached.fresh()
                    ? cached
                    : new CachedToken(requestToken(id), System.nanoTime()))
        .value();
  }

  private String requestToken(String clientId) {
    HttpResponse<String> response = postTokenRequest(clientId, "grant_type=client_credentials");
    assertThat(response.statusCode())
        .as("token for %s: %s", clientId, response.body())
        .isEqualTo(200);
    String token = accessToken(response);
    assertThat(token).as("access_token for %s", clientId).isNotBlank();
    return token;
  }

  /** Password of a demo user ({@code <secrets-dir>/demo-users.json}), for the login form. */
  String demoPassword(String username) {
    return secretField("demo-users.json", "users", "username", username, "password");
  }

  /** Client secret of a demo SMART app ({@code <secrets-dir>/demo-apps.json}). */
  String demoAppSecret(String clientId) {
    return secretField("demo-apps.json", "apps", "clientId", clientId, "clientSecret");
  }

  private String secretField(String file, String list, String key, String value, String field) {
    try {
      for (JsonNode node : JSON.readTree(secretsDir.resolve(file).toFile()).path(list)) {
        if (value.equals(node.path(key).asText())) {
          return node.path(field).asText();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new AssertionError("no " + value + " in " + file);
  }

  /**
   * A fresh (uncached) client-credentials token of a demo client for the given space-separated
   * scopes.
   */
  String token(String clientId, String scope) {
    HttpResponse<String> response = requestToken(clientId, scope);
    assertThat(response.statusCode())
        .as("token for %s with %s: %s", clientId, scope, response.body())
        .isEqualTo(200);
    return accessToken(response);
  }

  private static String accessToken(HttpResponse<String> response) {
    try {
      return JSON.readTree(response.body()).path("access_token").asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The raw token response of a client-credentials request with a scope parameter. */
  HttpResponse<String> requestToken(String clientId, String scope) {
    return postTokenRequest(
        clientId,
        "grant_type=client_credentials&scope="
            + java.net.URLEncoder.encode(scope, StandardCharsets.UTF_8));
  }

  /** POSTs a form to the token endpoint with the demo client's HTTP Basic credentials. */
  private HttpResponse<String> postTokenRequest(String clientId, String form) {
    JsonNode client = demoClient(clientId);
    String basic =
        Base64.getEncoder()
            .encodeToString(
                (clientId + ":" + client.path("clientSecret").asText())
                    .getBytes(StandardCharsets.UTF_8));
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(baseUrl() + "/oauth2/token"))
            .header("Authorization", "Basic " + basic)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build();
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The last lines of the server's output, for failure messages. */
  String tail() {
    String log = readLog();
    return log.length() <= 6000 ? log : "..." + log.substring(log.length() - 6000);
  }

  String readLog() {
    try {
      return logFile == null ? "" : Files.readString(logFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "<log unreadable: " + e + ">";
    }
  }

  /**
   * Asserts that the server wrote no stack trace and no ERROR line after the given position of its
   * log ({@code readLog().length()} before the requests under test).
   */
  void assertLogQuietSince(int offset) {
    String since = readLog().substring(offset);
    assertThat(since.lines())
        .as("gateway log after the requests under test")
        .noneMatch(line -> line.startsWith("\tat ") || line.startsWith("Caused by: "))
        .noneMatch(line -> line.contains(" ERROR "));
  }

  private boolean metadataAnswers200() {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(fhirBase() + "/metadata"))
            .timeout(Duration.ofSeconds(5))
            .GET()
            .build();
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static Path newLogFile(String name) {
    try {
      Path logs = targetDir().resolve("gateway-logs");
      Files.createDirectories(logs);
      return logs.resolve(String.format("%02d-%s.log", RUNS.incrementAndGet(), name));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String javaBinary() {
    return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Exit code and combined stdout/stderr of a finished process. */
  record ProcessResult(int exitCode, String output) {}
}
