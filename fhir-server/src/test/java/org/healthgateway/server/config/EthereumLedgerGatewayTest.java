package org.healthgateway.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.healthgateway.server.GatewayApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.WalletUtils;
import org.web3j.utils.Numeric;

/**
 * The gateway on {@code gateway.ledger.type=ethereum} against a real anvil (npm, installed by
 * ledger-ethereum's build): it deploys the contract, a practitioner writes an Observation over FHIR
 * and reads it back, and the record is on the chain as a {@code Record} event.
 */
class EthereumLedgerGatewayTest {

  /**
   * Test fixture only: anvil's first pre-funded development account (public test mnemonic), never a
   * key for a real network.
   */
  private static final String ANVIL_TEST_ACCOUNT_KEY =
      "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

  private static final String PASSWORD = "ethereum-ledger-test-password";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @TempDir Path tmp;

  @Test
  void writeAndRead_onTheEthereumLedger_roundTripsThroughTheChain() throws Exception {
    int rpcPort = freePort();
    Process anvil =
        new ProcessBuilder(
                anvilBinary().toString(),
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(rpcPort),
                "--block-time",
                "0.2",
                "--silent")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    String rpcUrl = "http://127.0.0.1:" + rpcPort;
    Path data = tmp.resolve("data");
    Path secrets = tmp.resolve("secrets");
    ConfigurableApplicationContext gateway = null;
    try {
      awaitRpc(rpcUrl);
      Files.createDirectories(data);
      String wallet =
          WalletUtils.generateWalletFile(
              PASSWORD,
              ECKeyPair.create(Numeric.toBigInt(ANVIL_TEST_ACCOUNT_KEY)),
              data.toFile(),
              false);
      Files.move(data.resolve(wallet), data.resolve("ethereum-account.json"));
      int port = freePort();
      gateway =
          new SpringApplicationBuilder(GatewayApplication.class)
              .run(
                  "--server.port=" + port,
                  "--management.server.port=" + freePort(),
                  "--gateway.data-dir=" + data,
                  "--gateway.secrets-dir=" + secrets,
                  "--gateway.demo=true",
                  "--gateway.keystore-password=" + PASSWORD,
                  "--gateway.ledger.type=ethereum",
                  "--gateway.ledger.ethereum.rpc-url=" + rpcUrl,
                  "--gateway.ledger.ethereum.confirmation-depth=1",
                  "--gateway.ledger.ethereum.poll-interval=50ms");
      String base = "http://127.0.0.1:" + port;
      awaitFile(secrets.resolve("demo-clients.json"));
      JsonNode practitioner = demoClient(secrets, "demo-practitioner-a");
      String patient = demoClient(secrets, "demo-patient-p").path("fhirUser").asText();
      String token = token(base, practitioner);

      HttpResponse<String> created =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(base + "/fhir/Observation"))
                  .header("Authorization", "Bearer " + token)
                  .header("Content-Type", "application/fhir+json")
                  .POST(HttpRequest.BodyPublishers.ofString(observation(patient)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      String location = created.headers().firstValue("Location").orElseThrow();
      HttpResponse<String> read =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(location.replaceFirst("/_history/.*$", "")))
                  .header("Authorization", "Bearer " + token)
                  .header("Accept", "application/fhir+json")
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
      assertThat(read.body()).contains("ethereum-ledger-test-1").contains("8867-4");
      Properties contract = new Properties();
      try (var in = Files.newBufferedReader(data.resolve("ethereum-contract.properties"))) {
        contract.load(in);
      }
      JsonNode logs =
          rpc(
              rpcUrl,
              "eth_getLogs",
              Map.of("address", contract.getProperty("address"), "fromBlock", "0x0"));
      assertThat(logs.size()).as("Record events on the chain").isGreaterThan(1);
      assertThat(Files.size(data.resolve("ledger-ethereum").resolve("records.bin")))
          .isGreaterThan(0);
    } finally {
      if (gateway != null) {
        gateway.close();
      }
      anvil.destroy();
      anvil.waitFor();
    }
  }

  private static String observation(String patient) {
    return "{\"resourceType\":\"Observation\",\"identifier\":[{\"system\":\"urn:test\","
        + "\"value\":\"ethereum-ledger-test-1\"}],\"status\":\"final\","
        + "\"category\":[{\"coding\":[{\"system\":"
        + "\"http://terminology.hl7.org/CodeSystem/observation-category\","
        + "\"code\":\"vital-signs\"}]}],"
        + "\"code\":{\"coding\":[{\"system\":\"http://loinc.org\",\"code\":\"8867-4\"}]},"
        + "\"subject\":{\"reference\":\""
        + patient
        + "\"},\"effectiveDateTime\":\"2024-05-01T10:00:00Z\","
        + "\"valueQuantity\":{\"value\":61,\"unit\":\"/min\","
        + "\"system\":\"http://unitsofmeasure.org\",\"code\":\"/min\"}}";
  }

  private static String token(String base, JsonNode client) throws Exception {
    String basic =
        Base64.getEncoder()
            .encodeToString(
                (client.path("clientId").asText() + ":" + client.path("clientSecret").asText())
                    .getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(base + "/oauth2/token"))
                .header("Authorization", "Basic " + basic)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body()).path("access_token").asText();
  }

  private static JsonNode demoClient(Path secrets, String clientId) throws IOException {
    for (JsonNode client :
        JSON.readTree(secrets.resolve("demo-clients.json").toFile()).path("clients")) {
      if (clientId.equals(client.path("clientId").asText())) {
        return client;
      }
    }
    throw new AssertionError("no demo client " + clientId);
  }

  private static void awaitFile(Path file) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (!Files.isRegularFile(file) && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(file).isRegularFile();
  }

  private static void awaitRpc(String url) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        rpc(url, "eth_chainId");
        return;
      } catch (IOException e) {
        Thread.sleep(100);
      }
    }
    throw new AssertionError("anvil did not start at " + url);
  }

  private static JsonNode rpc(String url, String method, Object... params)
      throws IOException, InterruptedException {
    String body =
        JSON.writeValueAsString(
            Map.of("jsonrpc", "2.0", "id", 1, "method", method, "params", List.of(params)));
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    JsonNode answer = JSON.readTree(response.body());
    if (answer.has("error")) {
      throw new IOException(method + ": " + answer.get("error"));
    }
    return answer.get("result");
  }

  /** The anvil that ledger-ethereum's build installed with npm ci. */
  private static Path anvilBinary() {
    for (String platform : List.of("linux-amd64", "linux-arm64", "darwin-arm64", "darwin-amd64")) {
      Path p =
          Path.of("../ledger-ethereum/node_modules/@foundry-rs/anvil-" + platform + "/bin/anvil")
              .toAbsolutePath();
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    throw new IllegalStateException("anvil not found: build ledger-ethereum (npm ci) first");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
