package org.healthgateway.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real local EVM chain for the tests: the {@code anvil} that ledger-ethereum's build installed
 * from npm ({@code @foundry-rs/anvil}), on a free loopback port, mining a block every {@code
 * blockTime}.
 */
final class AnvilChain implements AutoCloseable {
  /**
   * Test fixtures only: anvil's pre-funded development accounts 0-2, derived from its public test
   * mnemonic and printed by anvil at every start; never keys for a real network.
   */
  static final List<String> TEST_ACCOUNT_KEYS =
      List.of(
          "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
          "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
          "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a");

  /** Anvil's development account 3 (unlocked by anvil; no node of the tests pays with it). */
  static final String TEST_ACCOUNT_3_ADDRESS = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private final Process process;
  private final String rpcUrl;

  private AnvilChain(Process process, String rpcUrl) {
    this.process = process;
    this.rpcUrl = rpcUrl;
  }

  static AnvilChain start(String blockTime) {
    int port = freePort();
    try {
      Process process =
          new ProcessBuilder(
                  binary().toString(),
                  "--host",
                  "127.0.0.1",
                  "--port",
                  Integer.toString(port),
                  "--block-time",
                  blockTime,
                  "--silent")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      AnvilChain chain = new AnvilChain(process, "http://127.0.0.1:" + port);
      chain.awaitRpc();
      return chain;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  String rpcUrl() {
    return rpcUrl;
  }

  JsonNode rpc(String method, Object... params) throws IOException, InterruptedException {
    String body =
        JSON.writeValueAsString(
            Map.of("jsonrpc", "2.0", "id", 1, "method", method, "params", List.of(params)));
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(rpcUrl))
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

  private void awaitRpc() {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      try {
        rpc("eth_chainId");
        return;
      } catch (IOException e) {
        sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    close();
    throw new AssertionError("anvil did not answer at " + rpcUrl);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Path binary() {
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

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
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
    }
  }
}
