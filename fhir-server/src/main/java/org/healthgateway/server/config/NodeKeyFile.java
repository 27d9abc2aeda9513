package org.healthgateway.server.config;

import com.nimbusds.jose.jwk.JWK;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.healthgateway.ledger.LedgerException;

/**
 * The node's public key beside the ledger ({@code node-key.jwk.json}), so that {@code verify} can
 * check checkpoints and identities offline. Public: no secret in it.
 */
public final class NodeKeyFile {
  public static final String NAME = "node-key.jwk.json";

  private NodeKeyFile() {}

  static void write(Path dataDir, JWK publicKey) throws LedgerException {
    try {
      Files.writeString(dataDir.resolve(NAME), publicKey.toJSONString(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new LedgerException("cannot write the node public key", e);
    }
  }

  public static JWK read(Path dataDir) throws IOException {
    try {
      return JWK.parse(Files.readString(dataDir.resolve(NAME), StandardCharsets.UTF_8));
    } catch (java.text.ParseException e) {
      throw new IOException("invalid " + NAME, e);
    }
  }
}
