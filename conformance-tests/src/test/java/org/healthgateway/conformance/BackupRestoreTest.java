package org.healthgateway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.response.Response;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.hl7.fhir.r4.model.Observation;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * An operator backs up a running node while practitioners write, restores the backup into a fresh
 * directory and starts a node on it: every write acknowledged before the backup started is there; a
 * backup with one flipped byte is refused. And an operator upgrades: a directory of the previous
 * release's format is refused at start with the {@code migrate} command named, converts, and opens.
 */
@Order(27)
class BackupRestoreTest {

  private static final int WRITERS = 4;

  @Test
  void backupDuringWrites_restoredNodeServesEveryWriteAcknowledgedBefore() throws Exception {
    Path backup = runDir("backup");
    Map<String, String> beforeBackup;
    try (GatewayProcess source = GatewayProcess.create("backup-source")) {
      source.start();
      String patient = source.fhirUser(GatewayProcess.PATIENT_P);
      // Warm-up: the first write of an author for a patient sets up keys and takes seconds.
      Response warmUp =
          Fhir.as(source, GatewayProcess.PRACTITIONER_A)
              .contentType(Fhir.JSON_TYPE)
              .body(Observations.heartRate(patient, "backup-warm-up", 60))
              .post("/Observation");
      assertThat(warmUp.statusCode()).as("warm-up write: %s", warmUp.asString()).isEqualTo(201);
      Writes writes = new Writes(source);
      writes.start();
      writes.awaitAcknowledged(20, Duration.ofSeconds(120));
      beforeBackup = new HashMap<>(writes.acknowledged);
      GatewayProcess.ProcessResult result =
          command(
              "backup",
              source.dataDir().toString(),
              backup.toString(),
              "--secrets-dir",
              source.secretsDir().toString());
      int duringBackup = writes.acknowledged.size() - beforeBackup.size();
      writes.stop();
      assertThat(result.exitCode()).as("backup: %s", result.output()).isZero();
      assertThat(result.output()).contains("OK: ").contains("backup: ledger");
      assertThat(writes.unexpected).as("write failures: %s", writes.samples).hasValue(0);
      assertThat(duringBackup).as("writes acknowledged while the backup ran").isPositive();
      source.stop();
      assertThat(backup.resolve("secrets/keystore-password")).doesNotExist();

      assertTamperedBackupRefused(backup);

      try (GatewayProcess restored = GatewayProcess.create("backup-restored")) {
        GatewayProcess.ProcessResult restore =
            command(
                "restore",
                backup.toString(),
                restored.dataDir().toString(),
                "--secrets-dir",
                restored.secretsDir().toString());
        assertThat(restore.exitCode()).as("restore: %s", restore.output()).isZero();
        // The documented step: the keystore password is kept apart from the backup.
        Files.copy(
            source.secretsDir().resolve("keystore-password"),
            restored.secretsDir().resolve("keystore-password"));
        restored.start();
        assertThat(missing(restored, beforeBackup)).isEmpty();
        restored.stop();
        LedgerTamperTest.assertVerifiesOk(restored);
      }
    }
  }

  @Test
  void directoryOfThePreviousFormat_refusedNamingMigrate_thenMigratedAndRead() throws Exception {
    try (GatewayProcess gateway = GatewayProcess.create("upgrade")) {
      gateway.start();
      String patient = gateway.fhirUser(GatewayProcess.PATIENT_P);
      Response created =
          Fhir.as(gateway, GatewayProcess.PRACTITIONER_A)
              .contentType(Fhir.JSON_TYPE)
              .body(Observations.heartRate(patient, "written-before-upgrade", 61))
              .post("/Observation");
      assertThat(created.statusCode()).as(created.asString()).isEqualTo(201);
      gateway.stop();
      // The previous release wrote the same files without the version file.
      Path format = gateway.dataDir().resolve("FORMAT");
      assertThat(Files.readString(format).strip()).isEqualTo("2");
      Files.delete(format);

      GatewayProcess.ProcessResult refused = gateway.startExpectingFailure();
      assertThat(refused.exitCode()).isNotZero();
      assertThat(refused.output())
          .contains("holds data of format 1")
          .contains("java -jar fhir-server.jar migrate " + gateway.dataDir().toAbsolutePath());
      assertThat(format).doesNotExist();

      GatewayProcess.ProcessResult migrated =
          command("migrate", gateway.dataDir().toAbsolutePath().toString());
      assertThat(migrated.exitCode()).as("migrate: %s", migrated.output()).isZero();
      assertThat(migrated.output()).contains("converted from format 1 to 2");
      assertThat(Files.readString(format).strip()).isEqualTo("2");

      gateway.start();
      Response read =
          Fhir.as(gateway, GatewayProcess.PRACTITIONER_A)
              .get("/" + Fhir.relativeId(created.header("Location")));
      assertThat(read.statusCode()).as(read.asString()).isEqualTo(200);
      assertThat(Fhir.parse(Observation.class, read.asString()).getIdentifierFirstRep().getValue())
          .isEqualTo("written-before-upgrade");
    }
  }

  /** A copy of the backup with one byte of a segment flipped: restore refuses, writes nothing. */
  private static void assertTamperedBackupRefused(Path backup) throws IOException {
    Path tampered = runDir("backup-tampered");
    copyTree(backup, tampered);
    Path segment = tampered.resolve("ledger/segment-00000000.log");
    byte[] bytes = Files.readAllBytes(segment);
    bytes[bytes.length / 2] ^= 0x10;
    Files.write(segment, bytes);
    Path target = runDir("restore-tampered").resolve("data");

    GatewayProcess.ProcessResult refused =
        command("restore", tampered.toString(), target.toString());

    assertThat(refused.exitCode()).as("restore of a tampered backup: %s", refused.output()).isOne();
    assertThat(refused.output()).contains("FAILED").contains("nothing restored");
    try (Stream<Path> left = Files.exists(target) ? Files.list(target) : Stream.empty()) {
      assertThat(left.toList()).as("files left in the target").isEmpty();
    }
  }

  /** The acknowledged writes the node does not serve as written. */
  private static List<String> missing(GatewayProcess gateway, Map<String, String> writes) {
    List<String> missing = new ArrayList<>();
    for (Map.Entry<String, String> write : writes.entrySet()) {
      Response read =
          Fhir.as(gateway, GatewayProcess.PRACTITIONER_A)
              .get("/" + Fhir.relativeId(write.getKey()));
      if (read.statusCode() != 200) {
        missing.add(write.getKey() + " -> " + read.statusCode());
      } else if (!write
          .getValue()
          .equals(
              Fhir.parse(Observation.class, read.asString()).getIdentifierFirstRep().getValue())) {
        missing.add(write.getKey() + " holds another resource");
      }
    }
    return missing;
  }

  /** Practitioner A posting Observations from several threads, remembering what got 201. */
  private static final class Writes {
    final Map<String, String> acknowledged = new ConcurrentHashMap<>(); // Location -> identifier
    final AtomicInteger unexpected = new AtomicInteger();
    final List<String> samples = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final GatewayProcess gateway;
    private final HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    Writes(GatewayProcess gateway) {
      this.gateway = gateway;
    }

    void start() {
      String patient = gateway.fhirUser(GatewayProcess.PATIENT_P);
      String token = gateway.token(GatewayProcess.PRACTITIONER_A);
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        Thread thread = new Thread(() -> write(writer, patient, token), "backup-writer-" + w);
        thread.start();
        threads.add(thread);
      }
    }

    private void write(int writer, String patient, String token) {
      for (int n = 0; running.get(); n++) {
        String identifier = "backup-" + writer + "-" + n;
        HttpRequest request =
            HttpRequest.newBuilder(URI.create(gateway.fhirBase() + "/Observation"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", Fhir.JSON_TYPE)
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        Observations.heartRate(patient, identifier, 60 + n % 100)))
                .build();
        try {
          HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
          if (response.statusCode() == 201) {
            acknowledged.put(response.headers().firstValue("Location").orElse("?"), identifier);
          } else {
            unexpected.incrementAndGet();
            samples.add(response.statusCode() + " " + response.body());
          }
        } catch (IOException e) {
          unexpected.incrementAndGet();
          samples.add(e.toString());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }

    void awaitAcknowledged(int count, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (acknowledged.size() < count && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertThat(acknowledged.size())
          .as("writes acknowledged in %s", timeout)
          .isGreaterThanOrEqualTo(count);
    }

    void stop() throws InterruptedException {
      running.set(false);
      for (Thread thread : threads) {
        thread.join(60_000);
      }
    }
  }

  /** Runs {@code java -jar <gateway.jar> <args>} and returns its exit code and output. */
  static GatewayProcess.ProcessResult command(String... args) {
    Path log = runDir(args[0] + "-command").resolve("output.log");
    List<String> command = new ArrayList<>();
    command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(GatewayProcess.gatewayJar().toString());
    command.addAll(List.of(args));
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (!process.waitFor(300, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(args[0] + " did not finish in 300 s: " + Files.readString(log));
      }
      return new GatewayProcess.ProcessResult(
          process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** A fresh directory under {@code target/gateway-runs/}. */
  private static Path runDir(String name) {
    try {
      Path root = GatewayProcess.targetDir().resolve("gateway-runs");
      Files.createDirectories(root);
      return Files.createTempDirectory(root, name + "-").toAbsolutePath();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(from)) {
      paths = walk.sorted(Comparator.naturalOrder()).toList();
    }
    for (Path path : paths) {
      Path target = to.resolve(from.relativize(path).toString());
      if (Files.isDirectory(path)) {
        Files.createDirectories(target);
      } else {
        Files.copy(path, target);
      }
    }
  }
}
