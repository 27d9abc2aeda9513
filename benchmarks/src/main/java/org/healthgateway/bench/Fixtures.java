package org.healthgateway.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.healthgateway.ledger.Transaction;
import org.healthgateway.ledger.TransactionType;
import org.healthgateway.ledger.WrappedKey;

/**
 * Transactions shaped like the gateway's (one resource version, two wrapped keys), and clean-up of
 * benchmark directories.
 */
final class Fixtures {

  /** Ciphertext size of a typical Synthea resource (an Observation is 1-3 KiB of JSON). */
  static final int PAYLOAD_BYTES = 2048;

  private Fixtures() {}

  static Transaction resourceVersion(int seed) {
    Random random = new Random(seed);
    byte[] payload = new byte[PAYLOAD_BYTES];
    random.nextBytes(payload);
    byte[] wrapped = new byte[40];
    random.nextBytes(wrapped);
    return new Transaction(
        TransactionType.RESOURCE_VERSION,
        "Observation/" + new java.util.UUID(random.nextLong(), random.nextLong()) + "/_history/1",
        "pseudonym-" + Integer.toHexString(seed),
        List.of("vital-signs"),
        "Practitioner/demo-practitioner-a",
        Instant.parse("2026-01-01T00:00:00Z"),
        sha256(payload),
        payload,
        List.of(
            new WrappedKey("grant-patient-" + seed, "A256KW", wrapped),
            new WrappedKey("grant-author-" + seed, "A256KW", wrapped)),
        "");
  }

  static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Deletes a benchmark's temporary directory and everything in it. */
  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(Fixtures::delete);
    }
  }

  private static void delete(Path path) {
    try {
      Files.delete(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
