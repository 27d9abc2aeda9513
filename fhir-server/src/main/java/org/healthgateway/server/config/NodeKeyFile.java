package org.healthgateway.server.config;

import com.nimbusds.jose.jwk.JWK;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.healthgateway.keys.identity.Identities;
import org.healthgateway.ledger.LedgerException;

/**
 * The node's public key beside the ledger ({@code node-key.jwk.json}) and its identity ({@code
 * node-identity.txt}, e.g. {@code Device/hospital-a}), so that {@code verify} can check checkpoints
 * and identities offline, and another node's operator can admit this one. Public: no secret in
 * them.
 */
public final class NodeKeyFile {
  public static final String NAME = "node-key.jwk.json";
  public static final String IDENTITY = "node-identity.txt";

  private NodeKeyFile() {}

  static void write(Path dataDir, JWK publicKey, String identity) throws LedgerException {
    try {
      Files.writeString(dataDir.resolve(NAME), publicKey.toJSONString(), StandardCharsets.UTF_8);
      Files.writeString(dataDir.resolve(IDENTITY), identity + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new LedgerException("cannot write the node public key", e);
    }
  }

  /** The node's identity; {@link Identities#NODE} for a directory written before it was kept. */
  public static String identity(Path dataDir) throws IOException {
    Path file = dataDir.resolve(IDENTITY);
    return Files.exists(file)
        ? Files.readString(file, StandardCharsets.UTF_8).strip()
        : Identities.NODE;
  }

  public static JWK read(Path dataDir) throws IOException {
    try {
      return JWK.parse(Files.readString(dataDir.resolve(NAME), StandardCharsets.UTF_8));
    } catch (java.text.ParseException e) {
      throw new IOException("invalid " + NAME, e);
    }
  }
}
