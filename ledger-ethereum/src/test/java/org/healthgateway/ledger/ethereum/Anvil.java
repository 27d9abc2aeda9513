package org.healthgateway.ledger.ethereum;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.web3j.crypto.Credentials;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;

/**
 * A real anvil (npm {@code @foundry-rs/anvil}, installed by the build's {@code npm ci}) on a free
 * loopback port, for tests; {@link #close} stops it.
 */
public final class Anvil implements AutoCloseable {

  /**
   * Test fixture only: the private key of anvil's first pre-funded development account, the same on
   * every anvil (derived from its public test mnemonic). Never a key for a real network.
   */
  public static final String ANVIL_TEST_ACCOUNT_KEY =
      "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

  private static final List<String> DEV_ACCOUNT_KEYS =
      List.of(
          ANVIL_TEST_ACCOUNT_KEY,
          "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
          "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
          "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final String url;
  private final HttpClient http = HttpClient.newHttpClient();
  private final Web3j web3j;

  private Anvil(Process process, String url) {
    this.process = process;
    this.url = url;
    this.web3j = Web3j.build(new HttpService(url));
  }

  /**
   * Starts anvil; {@code blockTime} null mines a block per transaction, else one block per
   * interval.
   */
  public static Anvil start(Duration blockTime) throws IOException, InterruptedException {
    Path binary = binary();
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    List<String> command =
        new ArrayList<>(
            List.of(
                binary.toString(),
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--silent"));
    if (blockTime != null) {
      command.add("--block-time");
      command.add(Double.toString(blockTime.toMillis() / 1000.0));
    }
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    Anvil anvil = new Anvil(process, "http://127.0.0.1:" + port);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IOException("anvil exited with " + process.exitValue());
      }
      try {
        anvil.rpc("eth_chainId");
        return anvil;
      } catch (IOException e) {
        Thread.sleep(100);
      }
    }
    anvil.close();
    throw new IOException("anvil did not answer on port " + port);
  }

  /** The anvil of {@code npm ci} in the module directory (Surefire's working directory). */
  public static Path binary() {
    for (String candidate :
        List.of(
            "node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil",
            "node_modules/@foundry-rs/anvil-linux-arm64/bin/anvil",
            "node_modules/@foundry-rs/anvil-darwin-arm64/bin/anvil",
            "node_modules/@foundry-rs/anvil-darwin-amd64/bin/anvil")) {
      for (Path base :
          List.of(Path.of(""), Path.of("ledger-ethereum"), Path.of("../ledger-ethereum"))) {
        Path p = base.resolve(candidate).toAbsolutePath();
        if (Files.isExecutable(p)) {
          return p;
        }
      }
    }
    throw new IllegalStateException("anvil not found: run npm ci in ledger-ethereum");
  }

  public String url() {
    return url;
  }

  public Web3j web3j() {
    return web3j;
  }

  public static Credentials account() {
    return Credentials.create(ANVIL_TEST_ACCOUNT_KEY);
  }

  /**
   * Test fixture only: anvil's pre-funded development account {@code i} (0 to 3), keys derived from
   * its public test mnemonic, as {@link #ANVIL_TEST_ACCOUNT_KEY}. Never keys for a real network.
   */
  public static Credentials account(int i) {
    return Credentials.create(DEV_ACCOUNT_KEYS.get(i));
  }

  /** Calls a JSON-RPC method and returns its result. */
  public JsonNode rpc(String method, Object... params) throws IOException, InterruptedException {
    String body =
        JSON.writeValueAsString(
            java.util.Map.of(
                "jsonrpc", "2.0", "id", 1, "method", method, "params", List.of(params)));
    HttpResponse<String> response =
        http.send(
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

  public String snapshot() throws IOException, InterruptedException {
    return rpc("evm_snapshot").asText();
  }

  public void revert(String snapshot) throws IOException, InterruptedException {
    if (!rpc("evm_revert", snapshot).asBoolean()) {
      throw new IOException("evm_revert refused " + snapshot);
    }
  }

  public void mine(int blocks) throws IOException, InterruptedException {
    for (int i = 0; i < blocks; i++) {
      rpc("evm_mine");
    }
  }

  public long blockNumber() throws IOException, InterruptedException {
    return Long.decode(rpc("eth_blockNumber").asText());
  }

  @Override
  public void close() {
    web3j.shutdown();
    process.destroy();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
