package org.healthgateway.server.cli;

import com.nimbusds.jose.jwk.JWK;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.healthgateway.ledger.embedded.LedgerVerifier;
import org.healthgateway.server.config.NodeKeyFile;

/**
 * {@code java -jar fhir-server.jar verify <data-dir>}: checks every record, hash, signature and
 * checkpoint of the ledger offline, shows its progress ({@link Progress}) and prints a one-line
 * verdict; exit code 0 only when it holds.
 */
public final class VerifyCommand {
  private VerifyCommand() {}

  public static int run(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: java -jar fhir-server.jar verify <data-dir>");
      return 2;
    }
    Path dataDir = Path.of(args[1]);
    Path ledgerDir = dataDir.resolve("ledger");
    if (!Files.isDirectory(ledgerDir)) {
      System.out.println("FAILED: no ledger in " + dataDir);
      return 1;
    }
    JWK nodeKey;
    String node;
    try {
      nodeKey = NodeKeyFile.read(dataDir);
      node = NodeKeyFile.identity(dataDir);
    } catch (IOException e) {
      System.out.println("FAILED: cannot read the node public key: " + e.getMessage());
      return 1;
    }
    Progress progress = Progress.of("verify");
    LedgerVerifier.Verdict verdict =
        LedgerVerifier.create(nodeKey, node).verify(ledgerDir, progress);
    progress.done();
    if (verdict.ok()) {
      System.out.println(
          "OK: "
              + verdict.entries()
              + " entries and "
              + verdict.checkpoints()
              + " checkpoints verified");
      return 0;
    }
    System.out.println("FAILED at entry " + verdict.firstBadIndex() + ": " + verdict.message());
    return 1;
  }
}
