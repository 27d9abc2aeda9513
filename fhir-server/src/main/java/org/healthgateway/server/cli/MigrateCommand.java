package org.healthgateway.server.cli;

import com.nimbusds.jose.jwk.JWK;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.healthgateway.keys.identity.Identities;
import org.healthgateway.ledger.embedded.LedgerVerifier;
import org.healthgateway.server.config.DataFormat;
import org.healthgateway.server.config.NodeKeyFile;

/**
 * {@code java -jar fhir-server.jar migrate <data-dir>}: converts a data directory of an earlier
 * format ({@link DataFormat}) to the current one, after its ledger verified; with the gateway
 * stopped.
 *
 * <p>From format 1 nothing is rewritten: the ledger's first-format records (one signature per
 * transaction) are read and verified as they are, and cannot be re-encoded, because their bytes are
 * Merkle leaves that signed checkpoints cover and their signatures are the authors', which the node
 * does not hold; the keystore's first-format entries are read as they are too
 * (key-broker/README.md). The conversion is the check that the directory is sound, then the version
 * file.
 */
public final class MigrateCommand {
  static final String USAGE = "usage: java -jar fhir-server.jar migrate <data-dir>";

  private MigrateCommand() {}

  public static int run(String[] args) {
    return run(args, System.out, System.err);
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length != 2) {
      err.println(USAGE);
      return 2;
    }
    Path data = Path.of(args[1]);
    try {
      int version = DataFormat.read(data);
      if (version == DataFormat.NONE) {
        out.println("FAILED: no gateway data in " + data);
        return 1;
      }
      if (version == DataFormat.CURRENT) {
        out.println("OK: " + data + " is of format " + version + " already; nothing to do");
        return 0;
      }
      if (version > DataFormat.CURRENT) {
        out.println("FAILED: " + DataFormat.newer(data, version));
        return 1;
      }
      String checked = verifyLedger(data);
      DataFormat.write(data, DataFormat.CURRENT);
      out.println(
          "OK: "
              + data
              + " converted from format "
              + version
              + " to "
              + DataFormat.CURRENT
              + " ("
              + checked
              + "; earlier record and key formats are read as they are, nothing rewritten)");
      return 0;
    } catch (IOException e) {
      out.println("FAILED: " + e.getMessage() + "; not converted");
      return 1;
    }
  }

  private static String verifyLedger(Path data) throws IOException {
    Path ledger = data.resolve("ledger");
    if (!Files.isDirectory(ledger)) {
      return "no embedded ledger";
    }
    JWK nodeKey = NodeKeyFile.read(data);
    Progress progress = Progress.of("migrate: verify");
    LedgerVerifier.Verdict verdict =
        LedgerVerifier.create(nodeKey, Identities.NODE).verify(ledger, progress);
    progress.done();
    if (!verdict.ok()) {
      throw new IOException(
          "the ledger does not verify, at entry "
              + verdict.firstBadIndex()
              + ": "
              + verdict.message());
    }
    return verdict.entries() + " ledger entries verified";
  }
}
