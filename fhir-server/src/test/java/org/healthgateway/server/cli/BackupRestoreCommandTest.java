package org.healthgateway.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.healthgateway.server.config.DataFormat;
import org.healthgateway.server.store.TestNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code backup}, {@code restore} and {@code migrate} on real directories of a node wired as the
 * server wires it ({@link TestNode}: keystore, key vault, embedded ledger with fsync).
 */
class BackupRestoreCommandTest {
  private static final List<String> USERS =
      List.of("Patient/backup-a", "Patient/backup-b", "Patient/backup-c");

  @TempDir Path root;
  private Path data;
  private Path secrets;
  private Path backup;
  private Path restored;
  private long entries;
  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  @BeforeEach
  void writeNode() throws Exception {
    data = root.resolve("data");
    secrets = root.resolve("secrets");
    backup = root.resolve("backup");
    restored = root.resolve("restored");
    try (TestNode node = TestNode.open(data)) {
      for (String user : USERS) {
        node.identities.register(user, node.keyLog);
      }
      Files.writeString(
          data.resolve("node-key.jwk.json"),
          node.identities.nodeKey().toPublicJWK().toJSONString());
      entries = node.ledger.size();
    }
    Files.createDirectories(secrets);
    Files.writeString(secrets.resolve("keystore-password"), "test-fixture-password");
    Files.writeString(secrets.resolve("demo-clients.json"), "{\"clients\":[]}");
  }

  private int run(String... args) {
    bytes.reset();
    return switch (args[0]) {
      case "backup" -> BackupCommand.run(args, out, out);
      case "restore" -> RestoreCommand.run(args, out, out);
      default -> MigrateCommand.run(args, out, out);
    };
  }

  private String output() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private Path segment(Path dir) {
    return dir.resolve("ledger/segment-00000000.log");
  }

  @Test
  void backupThenRestore_restoredNodeOpensWithEveryKeyAndEntry() throws Exception {
    assertThat(
            run("backup", data.toString(), backup.toString(), "--secrets-dir", secrets.toString()))
        .as(output())
        .isZero();
    assertThat(output()).contains("OK: " + entries + " ledger entries");
    assertThat(backup.resolve("secrets/demo-clients.json")).exists();
    assertThat(backup.resolve("secrets/keystore-password")).doesNotExist();
    Path newSecrets = root.resolve("new-secrets");

    assertThat(
            run(
                "restore",
                backup.toString(),
                restored.toString(),
                "--secrets-dir",
                newSecrets.toString()))
        .as(output())
        .isZero();

    assertThat(newSecrets.resolve("demo-clients.json")).exists();
    assertThat(restored.resolve("index.snapshot")).doesNotExist();
    try (TestNode node = TestNode.open(restored)) {
      assertThat(node.ledger.size()).isEqualTo(entries);
      for (String user : USERS) {
        assertThat(node.identities.isRegistered(user)).as(user).isTrue();
        assertThat(node.identities.privateKey(user)).as(user).isPresent();
      }
    }
  }

  @Test
  void backup_intoNonEmptyDirectory_refuses() throws Exception {
    Files.createDirectories(backup);
    Files.writeString(backup.resolve("older"), "x");

    assertThat(run("backup", data.toString(), backup.toString())).isEqualTo(1);
    assertThat(output()).contains("is not empty");
    assertThat(backup.resolve("BACKUP")).doesNotExist();
  }

  @Test
  void restore_intoNonEmptyDirectory_refusesAndChangesNothing() throws Exception {
    assertThat(run("backup", data.toString(), backup.toString())).isZero();
    Files.createDirectories(restored);
    Files.writeString(restored.resolve("keep-me"), "x");

    assertThat(run("restore", backup.toString(), restored.toString())).isEqualTo(1);

    assertThat(output()).contains("is not empty");
    try (var list = Files.list(restored)) {
      assertThat(list.toList()).containsExactly(restored.resolve("keep-me"));
    }
  }

  @Test
  void restore_byteFlippedInSegment_refusesAndLeavesTargetEmpty() throws Exception {
    assertThat(run("backup", data.toString(), backup.toString())).isZero();
    flipByte(segment(backup), 100);

    assertThat(run("restore", backup.toString(), restored.toString())).isEqualTo(1);

    assertThat(output())
        .contains("does not match the backup manifest")
        .contains("nothing restored");
    assertThat(CopiedFiles.isAbsentOrEmpty(restored)).isTrue();
  }

  @Test
  void restore_segmentChangedAndManifestRehashed_refusedByTheLedgerVerifier() throws Exception {
    assertThat(run("backup", data.toString(), backup.toString())).isZero();
    String before = CopiedFiles.sha256(segment(backup));
    flipByte(segment(backup), 100);
    Path manifest = backup.resolve("BACKUP");
    Files.writeString(
        manifest, Files.readString(manifest).replace(before, CopiedFiles.sha256(segment(backup))));

    assertThat(run("restore", backup.toString(), restored.toString())).isEqualTo(1);

    assertThat(output()).contains("the ledger does not verify").contains("nothing restored");
    assertThat(CopiedFiles.isAbsentOrEmpty(restored)).isTrue();
  }

  @Test
  void restore_withoutManifest_refuses() throws Exception {
    assertThat(run("backup", data.toString(), backup.toString())).isZero();
    Files.delete(backup.resolve("BACKUP"));

    assertThat(run("restore", backup.toString(), restored.toString())).isEqualTo(1);
    assertThat(output()).contains("not a complete backup");
  }

  @Test
  void migrate_directoryOfThePreviousFormat_verifiesAndWritesTheVersion() throws Exception {
    assertThat(DataFormat.read(data)).isEqualTo(1);

    assertThat(run("migrate", data.toString())).as(output()).isZero();

    assertThat(output())
        .contains("converted from format 1 to " + DataFormat.CURRENT)
        .contains(entries + " ledger entries verified");
    assertThat(DataFormat.read(data)).isEqualTo(DataFormat.CURRENT);
    DataFormat.requireCurrent(data);
    assertThat(run("migrate", data.toString())).isZero();
    assertThat(output()).contains("already");
  }

  @Test
  void migrate_damagedLedger_refusesAndWritesNoVersion() throws Exception {
    flipByte(segment(data), 100);

    assertThat(run("migrate", data.toString())).isEqualTo(1);

    assertThat(output()).contains("the ledger does not verify").contains("not converted");
    assertThat(DataFormat.read(data)).isEqualTo(1);
  }

  @Test
  void migrate_newerFormat_refuses() throws Exception {
    Files.writeString(data.resolve("FORMAT"), (DataFormat.CURRENT + 1) + "\n");

    assertThat(run("migrate", data.toString())).isEqualTo(1);
    assertThat(output()).contains("written by a newer release");
  }

  private static void flipByte(Path file, int offset) throws Exception {
    byte[] content = Files.readAllBytes(file);
    content[offset] ^= 0x01;
    Files.write(file, content);
  }
}
