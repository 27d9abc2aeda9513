package org.healthgateway.server.cli;

import com.nimbusds.jose.jwk.JWK;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.healthgateway.keys.identity.Identities;
import org.healthgateway.ledger.LedgerException;
import org.healthgateway.ledger.embedded.LedgerBackup;
import org.healthgateway.ledger.embedded.LedgerVerifier;
import org.healthgateway.server.config.NodeKeyFile;

/**
 * {@code java -jar fhir-server.jar backup <data-dir> <backup-dir> [--secrets-dir <dir>]
 * [--wait-seconds <n>]}: a consistent copy of a data directory, also while the gateway runs.
 *
 * <p>Order matters: the ledger first, up to a checkpoint over everything on disk when the command
 * started ({@link LedgerBackup}); then the keystore and the key vault, whose keys are stored before
 * their IDENTITY facts are appended, so the copy holds every key the copied ledger names (the vault
 * up to its last whole record); then the other files of the data directory. Left out: the index
 * snapshot (rebuilt from the ledger at start), {@code ledger-ethereum/} (rebuilt from the chain)
 * and the ledger lock. With {@code --secrets-dir}, the secrets directory goes to {@code secrets/}
 * except the keystore password, which is kept apart from the keystore on purpose. The copy is
 * verified, then {@code BACKUP} (the manifest) is written last.
 */
public final class BackupCommand {
  static final String USAGE =
      "usage: java -jar fhir-server.jar backup <data-dir> <backup-dir> [--secrets-dir <dir>]"
          + " [--wait-seconds <n>]";
  static final String SECRETS = "secrets";
  static final String PASSWORD_FILE = "keystore-password";
  private static final String LEDGER = "ledger";
  private static final String VAULT = "keystore.bcfks.vault";
  private static final Set<String> LEFT_OUT =
      Set.of(LEDGER, "index.snapshot", "index.snapshot.tmp", "ledger-ethereum", "FORMAT.tmp");

  private BackupCommand() {}

  public static int run(String[] args) {
    return run(args, System.out, System.err);
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    Options options = Options.parse(args);
    if (options == null) {
      err.println(USAGE);
      return 2;
    }
    try {
      if (!Files.isDirectory(options.data())) {
        out.println("FAILED: no data directory " + options.data());
        return 1;
      }
      if (options
          .backup()
          .toAbsolutePath()
          .normalize()
          .startsWith(options.data().toAbsolutePath().normalize())) {
        out.println("FAILED: the backup directory must not be inside the data directory");
        return 1;
      }
      if (!CopiedFiles.isAbsentOrEmpty(options.backup())) {
        out.println("FAILED: " + options.backup() + " is not empty; back up into a new directory");
        return 1;
      }
      Files.createDirectories(options.backup());
    } catch (IOException e) {
      out.println("FAILED: " + e.getMessage());
      return 1;
    }
    try {
      String result = backUp(options, out);
      out.println(result);
      return 0;
    } catch (IOException | LedgerException e) {
      out.println("FAILED: " + e.getMessage() + "; nothing kept in " + options.backup());
      try {
        CopiedFiles.deleteContents(options.backup());
      } catch (IOException cleanup) {
        out.println("cannot clean up " + options.backup() + ": " + cleanup.getMessage());
      }
      return 1;
    }
  }

  private static String backUp(Options options, PrintStream out)
      throws IOException, LedgerException {
    Path data = options.data();
    Path backup = options.backup();
    JWK nodeKey = NodeKeyFile.read(data);
    List<BackupManifest.Item> items = new ArrayList<>();
    long entries = -1;
    Instant checkpointTime = null;
    if (Files.isDirectory(data.resolve(LEDGER))) {
      Progress progress = Progress.of("backup: ledger");
      LedgerBackup.Copied copied =
          LedgerBackup.copy(
              data.resolve(LEDGER),
              backup.resolve(LEDGER),
              nodeKey,
              options.checkpointWait(),
              progress);
      progress.done();
      entries = copied.checkpoint().treeSize();
      checkpointTime = copied.checkpoint().timestamp();
      if (copied.bytesAfter() > 0) {
        out.println(
            "note: "
                + copied.bytesAfter()
                + " ledger bytes after the newest checkpoint are not in the backup (the node"
                + " stopped without a clean shutdown; start and stop it once to checkpoint them)");
      }
      items.addAll(hashed(backup, backup.resolve(LEDGER)));
    }
    items.addAll(copyTree(data, backup, ""));
    if (options.secrets() != null && Files.isDirectory(options.secrets())) {
      items.addAll(copyTree(options.secrets(), backup.resolve(SECRETS), SECRETS + "/"));
    }
    if (entries >= 0) {
      verifyCopy(backup.resolve(LEDGER), nodeKey, entries);
    }
    new BackupManifest(Instant.now(), entries, checkpointTime, items).write(backup);
    return entries < 0
        ? "OK: " + items.size() + " files backed up to " + backup + " (no embedded ledger)"
        : "OK: "
            + entries
            + " ledger entries (checkpoint of "
            + checkpointTime
            + ") and "
            + items.size()
            + " files backed up to "
            + backup;
  }

  private static void verifyCopy(Path ledger, JWK nodeKey, long entries) throws IOException {
    Progress progress = Progress.of("backup: verify copy");
    LedgerVerifier.Verdict verdict =
        LedgerVerifier.create(nodeKey, Identities.NODE).verify(ledger, progress);
    progress.done();
    if (!verdict.ok() || verdict.entries() != entries) {
      throw new IOException("the copy does not verify: " + verdict.message());
    }
  }

  /** Items for the files the ledger copy wrote. */
  private static List<BackupManifest.Item> hashed(Path backup, Path dir) throws IOException {
    List<BackupManifest.Item> items = new ArrayList<>();
    for (Path file : files(dir)) {
      items.add(
          new BackupManifest.Item(
              relative(backup, file), Files.size(file), CopiedFiles.sha256(file)));
    }
    return items;
  }

  /**
   * Copies the regular files under {@code from} but those left out and the keystore password, the
   * key vault up to its last whole record.
   */
  private static List<BackupManifest.Item> copyTree(Path from, Path to, String prefix)
      throws IOException {
    List<BackupManifest.Item> items = new ArrayList<>();
    for (Path file : files(from)) {
      String name = relative(from, file);
      String top = name.contains("/") ? name.substring(0, name.indexOf('/')) : name;
      if (LEFT_OUT.contains(top) || name.equals(PASSWORD_FILE)) {
        continue;
      }
      long length = name.equals(VAULT) ? CopiedFiles.vaultPrefix(file) : Files.size(file);
      String sha = CopiedFiles.copy(file, to.resolve(name), length, n -> {});
      items.add(new BackupManifest.Item(prefix + name, length, sha));
    }
    return items;
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(Files::isRegularFile).sorted().toList();
    }
  }

  private static String relative(Path base, Path file) {
    return base.relativize(file).toString().replace(java.io.File.separatorChar, '/');
  }

  /** The command line. */
  private record Options(Path data, Path backup, Path secrets, Duration checkpointWait) {
    static Options parse(String[] args) {
      if (args.length < 3) {
        return null;
      }
      Path secrets = null;
      Duration wait = Duration.ofSeconds(60);
      for (int i = 3; i < args.length; i += 2) {
        if (i + 1 >= args.length) {
          return null;
        }
        if (args[i].equals("--secrets-dir")) {
          secrets = Path.of(args[i + 1]);
        } else if (args[i].equals("--wait-seconds") && args[i + 1].matches("\\d{1,6}")) {
          wait = Duration.ofSeconds(Long.parseLong(args[i + 1]));
        } else {
          return null;
        }
      }
      return new Options(Path.of(args[1]), Path.of(args[2]), secrets, wait);
    }
  }
}
