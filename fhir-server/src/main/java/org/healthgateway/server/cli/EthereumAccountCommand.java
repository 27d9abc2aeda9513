package org.healthgateway.server.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.InvalidAlgorithmParameterException;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import java.util.Map;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;
import org.web3j.crypto.WalletUtils;
import org.web3j.crypto.exception.CipherException;
import org.web3j.utils.Numeric;

/**
 * {@code java -jar fhir-server.jar ethereum-account <data-dir> [--import]}: writes the account that
 * pays for the {@code ethereum} ledger's transactions to {@code <data-dir>/ethereum-account.json},
 * an Ethereum V3 keystore (standard scrypt) encrypted with {@code GATEWAY_KEYSTORE_PASSWORD}, the
 * password the gateway opens it with. A new random key, or with {@code --import} the hex private
 * key read from standard input (never from the command line, which other users can see). Prints the
 * account's address, to be funded on the chain; never the key. Refuses to overwrite a file.
 */
public final class EthereumAccountCommand {
  static final String FILE = "ethereum-account.json";

  private EthereumAccountCommand() {}

  public static int run(String[] args) {
    return run(args, System.getenv(), System.in, System.out, System.err);
  }

  static int run(
      String[] args,
      Map<String, String> env,
      java.io.InputStream in,
      PrintStream out,
      PrintStream err) {
    boolean importKey = args.length == 3 && args[2].equals("--import");
    if (args.length != 2 && !importKey) {
      err.println("usage: java -jar fhir-server.jar ethereum-account <data-dir> [--import]");
      return 2;
    }
    String password = env.getOrDefault("GATEWAY_KEYSTORE_PASSWORD", "");
    if (password.isEmpty()) {
      err.println("set GATEWAY_KEYSTORE_PASSWORD: the account is encrypted with it");
      return 2;
    }
    Path dataDir = Path.of(args[1]);
    Path target = dataDir.resolve(FILE);
    if (Files.exists(target)) {
      err.println(target + " exists; not overwritten");
      return 1;
    }
    try {
      ECKeyPair pair = importKey ? readKey(in) : Keys.createEcKeyPair();
      Files.createDirectories(dataDir);
      Path tmp = Files.createTempDirectory(dataDir, ".ethereum-account");
      try {
        String name = WalletUtils.generateWalletFile(password, pair, tmp.toFile(), true);
        Path written = tmp.resolve(name);
        Files.setPosixFilePermissions(written, PosixFilePermissions.fromString("rw-------"));
        Files.move(written, target);
      } finally {
        Files.deleteIfExists(tmp);
      }
      out.println(
          "wrote " + target + " for account " + Keys.toChecksumAddress(Keys.getAddress(pair)));
      return 0;
    } catch (IllegalArgumentException e) {
      err.println("not a private key: " + e.getMessage());
      return 2;
    } catch (IOException
        | CipherException
        | InvalidAlgorithmParameterException
        | NoSuchAlgorithmException
        | NoSuchProviderException e) {
      err.println("cannot write " + target + ": " + e.getMessage());
      return 1;
    }
  }

  private static ECKeyPair readKey(java.io.InputStream in) throws IOException {
    String line =
        new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII)).readLine();
    String hex = line == null ? "" : line.strip();
    if (!hex.matches("(0x)?[0-9a-fA-F]{64}")) {
      throw new IllegalArgumentException("expected 64 hex digits on standard input");
    }
    return ECKeyPair.create(Numeric.toBigInt(hex));
  }
}
