package org.healthgateway.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.WalletUtils;

class EthereumAccountCommandTest {

  /** Test fixture only: anvil's first public development key, never a key of a real network. */
  private static final String ANVIL_TEST_ACCOUNT_KEY =
      "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

  private static final String ANVIL_TEST_ACCOUNT = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
  private static final Map<String, String> ENV =
      Map.of("GATEWAY_KEYSTORE_PASSWORD", "test-fixture-password");

  @TempDir Path dir;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(Map<String, String> env, String stdin, String... args) {
    return EthereumAccountCommand.run(
        args,
        env,
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.US_ASCII)),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void import_writesAKeystoreTheGatewayOpensWithThePassword() throws Exception {
    int code =
        run(ENV, ANVIL_TEST_ACCOUNT_KEY + "\n", "ethereum-account", dir.toString(), "--import");

    assertThat(code).isZero();
    Path file = dir.resolve("ethereum-account.json");
    assertThat(out.toString(StandardCharsets.UTF_8)).contains(ANVIL_TEST_ACCOUNT);
    assertThat(out.toString(StandardCharsets.UTF_8) + err)
        .doesNotContain(ANVIL_TEST_ACCOUNT_KEY.substring(2));
    assertThat(Files.readString(file)).doesNotContain(ANVIL_TEST_ACCOUNT_KEY.substring(2));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    Credentials credentials = WalletUtils.loadCredentials("test-fixture-password", file.toFile());
    assertThat(credentials.getAddress()).isEqualToIgnoringCase(ANVIL_TEST_ACCOUNT);
  }

  @Test
  void withoutImport_makesANewAccountAndPrintsItsAddress() throws Exception {
    assertThat(run(ENV, "", "ethereum-account", dir.toString())).isZero();

    Credentials credentials =
        WalletUtils.loadCredentials(
            "test-fixture-password", dir.resolve("ethereum-account.json").toFile());
    assertThat(out.toString(StandardCharsets.UTF_8)).containsIgnoringCase(credentials.getAddress());
    assertThat(credentials.getAddress()).isNotEqualToIgnoringCase(ANVIL_TEST_ACCOUNT);
  }

  @Test
  void anExistingAccount_isNotOverwritten() throws Exception {
    Files.writeString(dir.resolve("ethereum-account.json"), "kept");

    assertThat(run(ENV, "", "ethereum-account", dir.toString())).isEqualTo(1);
    assertThat(Files.readString(dir.resolve("ethereum-account.json"))).isEqualTo("kept");
  }

  @Test
  void noPassword_orNotAKey_writesNothing() {
    assertThat(run(Map.of(), "", "ethereum-account", dir.toString())).isEqualTo(2);
    assertThat(run(ENV, "0x1234\n", "ethereum-account", dir.toString(), "--import")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("GATEWAY_KEYSTORE_PASSWORD", "64 hex");
    assertThat(dir.resolve("ethereum-account.json")).doesNotExist();
    assertThat(run(ENV, "", "ethereum-account")).isEqualTo(2);
  }
}
