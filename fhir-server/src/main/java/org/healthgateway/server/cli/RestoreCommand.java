package org.healthgateway.server.cli;

import com.nimbusds.jose.jwk.JWK;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.healthgateway.keys.identity.Identities;
import org.healthgateway.ledger.embedded.LedgerVerifier;
import org.healthgateway.server.config.NodeKeyFile;

/**
 * {@code java -jar fhir-server.jar restore <backup-dir> <data-dir> [--secrets-dir <dir>]}: copies a
 * backup made by {@code backup} into an empty (or absent) data directory, and the backed-up secrets
 * into the secrets directory, never over an existing file. Every file must match its size and
 * SHA-256 in the manifest and the restored ledger must pass the offline verifier with the
 * manifest's number of entries; otherwise everything restored is deleted again and the exit code is
 * 1. The keystore password is not in a backup: the gateway needs it to start on the copy.
 */
public final class RestoreCommand {
  static final String USAGE =
      "usage: java -jar fhir-server.jar restore <backup-dir> <data-dir> [--secrets-dir <dir>]";

  private RestoreCommand() {}

  public static int run(String[] args) {
    return run(args, System.out, System.err);
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    boolean withSecrets = args.length == 5 && args[3].equals("--secrets-dir");
    if (args.length != 3 && !withSecrets) {
      err.println(USAGE);
      return 2;
    }
    Path backup = Path.of(args[1]);
    Path data = Path.of(args[2]);
    Path secrets = withSecrets ? Path.of(args[4]) : null;
    BackupManifest manifest;
    try {
      manifest = BackupManifest.read(backup);
      if (!CopiedFiles.isAbsentOrEmpty(data)) {
        out.println("FAILED: " + data + " is not empty; restore into a new directory");
        return 1;
      }
      String clash = existingSecret(manifest, secrets);
      if (clash != null) {
        out.println("FAILED: " + clash + " exists; a restore never overwrites a file");
        return 1;
      }
    } catch (IOException e) {
      out.println("FAILED: " + e.getMessage());
      return 1;
    }
    List<Path> written = new ArrayList<>();
    try {
      copy(manifest, backup, data, secrets, written);
      verify(manifest, data);
    } catch (IOException e) {
      out.println("FAILED: " + e.getMessage() + "; nothing restored");
      undo(data, written, out);
      return 1;
    }
    out.println(
        "OK: restored "
            + (manifest.hasLedger() ? manifest.ledgerEntries() + " ledger entries and " : "")
            + written.size()
            + " files into "
            + data
            + (secrets == null ? "" : " and " + secrets)
            + "; start the gateway on it with the keystore password of the backed-up node");
    if (secrets == null && manifest.files().stream().anyMatch(RestoreCommand::isSecret)) {
      out.println("note: the backup holds a secrets directory; restore it with --secrets-dir");
    }
    return 0;
  }

  private static boolean isSecret(BackupManifest.Item item) {
    return item.path().startsWith(BackupCommand.SECRETS + "/");
  }

  private static String existingSecret(BackupManifest manifest, Path secrets) {
    if (secrets == null) {
      return null;
    }
    for (BackupManifest.Item item : manifest.files()) {
      if (isSecret(item) && Files.exists(target(item, null, secrets))) {
        return target(item, null, secrets).toString();
      }
    }
    return null;
  }

  private static Path target(BackupManifest.Item item, Path data, Path secrets) {
    return isSecret(item)
        ? secrets.resolve(item.path().substring(BackupCommand.SECRETS.length() + 1))
        : data.resolve(item.path());
  }

  private static void copy(
      BackupManifest manifest, Path backup, Path data, Path secrets, List<Path> written)
      throws IOException {
    Files.createDirectories(data);
    long total = manifest.files().stream().mapToLong(BackupManifest.Item::size).sum();
    Progress progress = Progress.of("restore: copy", "files");
    long[] done = {0};
    int files = 0;
    for (BackupManifest.Item item : manifest.files()) {
      if (isSecret(item) && secrets == null) {
        continue;
      }
      Path source = backup.resolve(item.path());
      if (!Files.isRegularFile(source) || Files.size(source) != item.size()) {
        throw new IOException(item.path() + " is missing from the backup or has another size");
      }
      Path target = target(item, data, secrets);
      written.add(target);
      int copied = files;
      String sha =
          CopiedFiles.copy(
              source, target, item.size(), n -> progress.progress(copied, done[0] += n, total));
      if (!sha.equals(item.sha256())) {
        throw new IOException(item.path() + " does not match the backup manifest (damaged)");
      }
      files++;
      progress.progress(files, done[0], total);
    }
    progress.done();
    CopiedFiles.syncDirectory(data);
  }

  private static void verify(BackupManifest manifest, Path data) throws IOException {
    if (!manifest.hasLedger()) {
      return;
    }
    JWK nodeKey = NodeKeyFile.read(data);
    Progress progress = Progress.of("restore: verify");
    LedgerVerifier.Verdict verdict =
        LedgerVerifier.create(nodeKey, Identities.NODE).verify(data.resolve("ledger"), progress);
    progress.done();
    if (!verdict.ok()) {
      throw new IOException(
          "the ledger does not verify, at entry "
              + verdict.firstBadIndex()
              + ": "
              + verdict.message());
    }
    if (verdict.entries() != manifest.ledgerEntries()) {
      throw new IOException(
          "the ledger holds "
              + verdict.entries()
              + " entries, the manifest says "
              + manifest.ledgerEntries());
    }
  }

  /** Deletes what the restore wrote: the data directory was empty, the secrets files new. */
  private static void undo(Path data, List<Path> written, PrintStream out) {
    try {
      for (Path file : written) {
        Files.deleteIfExists(file);
      }
      CopiedFiles.deleteContents(data);
    } catch (IOException e) {
      out.println("cannot clean up " + data + ": " + e.getMessage());
    }
  }
}
