package org.healthgateway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.restassured.response.Response;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * Somebody edits the ledger on disk: the offline verifier names the first bad entry, the server
 * refuses to start, and restoring the byte makes everything whole again.
 */
@Order(5)
class LedgerTamperTest {

  private static final Pattern ENTRY =
      Pattern.compile("entry\\D{0,3}(\\d+)", Pattern.CASE_INSENSITIVE);

  @Test
  void verify_flippedByteInSegment_namesEntryAndServerRefusesToStart() throws IOException {
    try (GatewayProcess gateway = GatewayProcess.create("tamper")) {
      gateway.start();
      String patient = gateway.fhirUser(GatewayProcess.PATIENT_P);
      for (int i = 0; i < 12; i++) {
        Response created =
            Fhir.as(gateway, GatewayProcess.PRACTITIONER_A)
                .contentType(Fhir.JSON_TYPE)
                .body(Observations.heartRate(patient, "tamper-" + i, 60 + i))
                .post("/Observation");
        assertThat(created.statusCode()).as("create: %s", created.asString()).isEqualTo(201);
      }
      int treeSize = Fhir.ledgerHead(gateway).treeSize();
      gateway.stop();

      assertVerifiesOk(gateway);

      Path segment = largestSegment(gateway.dataDir());
      long length = Files.size(segment);
      int offset = (int) (length / 2);
      flipByte(segment, offset);
      try {
        GatewayProcess.ProcessResult verify = gateway.verifyOffline();
        assertThat(verify.exitCode())
            .as("verify exit code; output: %s", verify.output())
            .isNotZero();
        Matcher named = ENTRY.matcher(verify.output());
        assertThat(named.find()).as("verify names the bad entry: %s", verify.output()).isTrue();
        assertThat(Long.parseLong(named.group(1))).isLessThan(treeSize);

        GatewayProcess.ProcessResult refused = gateway.startExpectingFailure();
        assertThat(refused.exitCode()).as("start-up exit code").isNotZero();
        assertThat(refused.output())
            .as("start-up output explains the refusal")
            .containsIgnoringCase("ledger")
            .containsPattern(ENTRY);
        assertThat(Files.size(segment))
            .as("the refusing server left the ledger as it found it")
            .isEqualTo(length);
      } finally {
        flipByte(segment, offset);
      }

      assertVerifiesOk(gateway);
      gateway.start();
      assertThat(Fhir.ledgerHead(gateway).treeSize()).isEqualTo(treeSize);
    }
  }

  static void assertVerifiesOk(GatewayProcess gateway) {
    GatewayProcess.ProcessResult verify = gateway.verifyOffline();
    assertThat(verify.exitCode()).as("verify exit code; output: %s", verify.output()).isZero();
    assertThat(verify.output().lines()).as("verify output").anyMatch(line -> line.startsWith("OK"));
  }

  static Path largestSegment(Path dataDir) throws IOException {
    Path ledger = dataDir.resolve("ledger");
    assertThat(ledger).isDirectory();
    try (Stream<Path> files = Files.list(ledger)) {
      List<Path> segments =
          files
              .filter(path -> path.getFileName().toString().matches("segment-.*\\.log"))
              .sorted(Comparator.comparingLong(LedgerTamperTest::size).reversed())
              .toList();
      assertThat(segments).as("segment files in %s", ledger).isNotEmpty();
      return segments.get(0);
    }
  }

  private static long size(Path path) {
    try {
      return Files.size(path);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void flipByte(Path file, int offset) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    bytes[offset] ^= (byte) 0xFF;
    Files.write(file, bytes);
  }
}
