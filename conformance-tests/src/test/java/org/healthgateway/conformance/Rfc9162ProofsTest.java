package org.healthgateway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The test's own inclusion-proof verifier agrees with the transparency-dev/merkle vectors, so a
 * failing {@code $verify} check points at the server, not at the test.
 */
@Order(1)
class Rfc9162ProofsTest {

  @Test
  void verifyInclusion_transparencyDevVectors_allAgree() throws IOException {
    Path vectors =
        Paths.get(System.getProperty("shared.data.dir", "../../shared/data"))
            .resolve("vectors/merkle/testdata/inclusion");
    ObjectMapper json = new ObjectMapper();
    List<String> failures = new ArrayList<>();
    int cases = 0;
    try (Stream<Path> files = Files.walk(vectors)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
        JsonNode vector = json.readTree(file.toFile());
        List<byte[]> proof = new ArrayList<>();
        vector.path("proof").forEach(p -> proof.add(decode(p)));
        boolean verified =
            Rfc9162Proofs.verifyInclusion(
                vector.path("leafIdx").asLong(),
                vector.path("treeSize").asLong(),
                decode(vector.path("leafHash")),
                proof,
                decode(vector.path("root")));
        cases++;
        if (verified == vector.path("wantErr").asBoolean()) {
          failures.add(vectors.relativize(file) + " (" + vector.path("desc").asText() + ")");
        }
      }
    }
    assertThat(cases).isGreaterThan(20);
    assertThat(failures).isEmpty();
  }

  @Test
  void leafHash_emptyEntry_matchesRfc6962KnownAnswer() {
    // SHA-256 of the single byte 0x00, the RFC 6962 test vector for the empty leaf.
    assertThat(Base64.getEncoder().encodeToString(Rfc9162Proofs.leafHash(new byte[0])))
        .isEqualTo("bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=");
  }

  private static byte[] decode(JsonNode node) {
    return node.isNull() || node.isMissingNode()
        ? new byte[0]
        : Base64.getDecoder().decode(node.asText());
  }
}
