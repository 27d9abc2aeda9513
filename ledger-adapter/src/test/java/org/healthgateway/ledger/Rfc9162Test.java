package org.healthgateway.ledger;

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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Known-answer vectors of transparency-dev/merkle, and properties of our own proofs. */
class Rfc9162Test {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_LEAVES = 70;
  private static Rfc9162MerkleTree tree;

  @BeforeAll
  static void buildTree() {
    tree = Rfc9162MerkleTree.create();
    for (int i = 0; i < MAX_LEAVES; i++) {
      tree.append(Rfc9162.leafHash(new byte[] {(byte) i, 'x'}));
    }
  }

  static Path vectors() {
    String shared = System.getProperty("shared.data.dir");
    Path base = shared != null ? Paths.get(shared) : Paths.get("../../shared/data");
    return base.resolve("vectors/merkle/testdata");
  }

  private static List<Path> files(String kind) throws IOException {
    try (Stream<Path> files = Files.walk(vectors().resolve(kind))) {
      return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
    }
  }

  @Test
  void verifyInclusion_everyVector_matchesWantErr() throws IOException {
    List<Path> files = files("inclusion");
    List<String> failures = new ArrayList<>();
    for (Path file : files) {
      JsonNode v = JSON.readTree(file.toFile());
      boolean verified =
          Rfc9162.verifyInclusion(
              v.get("leafIdx").asLong(),
              v.get("treeSize").asLong(),
              bytes(v.get("leafHash")),
              hashes(v.get("proof")),
              bytes(v.get("root")));
      if (verified == v.get("wantErr").asBoolean()) {
        failures.add(vectors().relativize(file).toString());
      }
    }

    assertThat(files).hasSizeGreaterThan(90);
    assertThat(failures).isEmpty();
  }

  @Test
  void verifyConsistency_everyVector_matchesWantErr() throws IOException {
    List<Path> files = files("consistency");
    List<String> failures = new ArrayList<>();
    for (Path file : files) {
      JsonNode v = JSON.readTree(file.toFile());
      boolean verified =
          Rfc9162.verifyConsistency(
              v.get("size1").asLong(),
              v.get("size2").asLong(),
              hashes(v.get("proof")),
              bytes(v.get("root1")),
              bytes(v.get("root2")));
      if (verified == v.get("wantErr").asBoolean()) {
        failures.add(vectors().relativize(file).toString());
      }
    }

    assertThat(files).hasSizeGreaterThan(90);
    assertThat(failures).isEmpty();
  }

  @Test
  void proofs_referenceTree_equalVectorProofs() throws IOException {
    // The RFC 6962 reference tree of 8 leaves that the vectors are computed over.
    String[] leaves = {
      "",
      "00",
      "10",
      "2021",
      "3031",
      "40414243",
      "5051525354555657",
      "606162636465666768696a6b6c6d6e6f"
    };
    Rfc9162MerkleTree reference = Rfc9162MerkleTree.create();
    for (String leaf : leaves) {
      reference.append(Rfc9162.leafHash(java.util.HexFormat.of().parseHex(leaf)));
    }
    JsonNode inclusion = JSON.readTree(vectors().resolve("inclusion/2/happy-path.json").toFile());
    JsonNode consistency =
        JSON.readTree(vectors().resolve("consistency/2/happy-path.json").toFile());

    assertThat(reference.root(8)).isEqualTo(bytes(inclusion.get("root")));
    assertThat(reference.inclusionProof(5, 8))
        .usingElementComparator(java.util.Arrays::compare)
        .containsExactlyElementsOf(hashes(inclusion.get("proof")));
    assertThat(reference.consistencyProof(6, 8))
        .usingElementComparator(java.util.Arrays::compare)
        .containsExactlyElementsOf(hashes(consistency.get("proof")));
  }

  @Test
  void inclusionProof_everyIndexAndSize_verifies() {
    for (long size = 1; size <= MAX_LEAVES; size++) {
      byte[] root = tree.root(size);
      assertThat(root).isEqualTo(naiveRoot(0, size));
      for (long index = 0; index < size; index++) {
        List<byte[]> proof = tree.inclusionProof(index, size);
        assertThat(Rfc9162.verifyInclusion(index, size, tree.leafHash(index), proof, root))
            .as("index %d size %d", index, size)
            .isTrue();
      }
    }
  }

  @Test
  void consistencyProof_everySizePair_verifies() {
    for (long n = 1; n <= MAX_LEAVES; n++) {
      for (long m = 1; m <= n; m++) {
        List<byte[]> proof = tree.consistencyProof(m, n);
        assertThat(Rfc9162.verifyConsistency(m, n, proof, tree.root(m), tree.root(n)))
            .as("m %d n %d", m, n)
            .isTrue();
      }
    }
  }

  @Test
  void verifyInclusion_everyBitFlip_fails() {
    List<String> failures = new ArrayList<>();
    for (long size : new long[] {1, 2, 5, 8, 13, 64, MAX_LEAVES}) {
      for (long index = 0; index < size; index += 3) {
        List<byte[]> proof = tree.inclusionProof(index, size);
        byte[] leaf = tree.leafHash(index);
        byte[] root = tree.root(size);
        for (int bit = 0; bit < 256; bit++) {
          if (Rfc9162.verifyInclusion(index, size, flip(leaf, bit), proof, root)
              || Rfc9162.verifyInclusion(index, size, leaf, proof, flip(root, bit))) {
            failures.add("leaf/root bit " + bit + " index " + index + " size " + size);
          }
          for (int p = 0; p < proof.size(); p++) {
            List<byte[]> mutated = new ArrayList<>(proof);
            mutated.set(p, flip(proof.get(p), bit));
            if (Rfc9162.verifyInclusion(index, size, leaf, mutated, root)) {
              failures.add("proof " + p + " bit " + bit + " index " + index + " size " + size);
            }
          }
        }
      }
    }
    assertThat(failures).isEmpty();
  }

  @Test
  void verifyConsistency_everyBitFlip_fails() {
    List<String> failures = new ArrayList<>();
    for (long[] sizes : new long[][] {{1, 2}, {3, 7}, {4, 8}, {6, 8}, {13, 64}, {32, MAX_LEAVES}}) {
      long m = sizes[0];
      long n = sizes[1];
      List<byte[]> proof = tree.consistencyProof(m, n);
      byte[] r1 = tree.root(m);
      byte[] r2 = tree.root(n);
      for (int bit = 0; bit < 256; bit++) {
        if (Rfc9162.verifyConsistency(m, n, proof, flip(r1, bit), r2)
            || Rfc9162.verifyConsistency(m, n, proof, r1, flip(r2, bit))) {
          failures.add("root bit " + bit + " m " + m + " n " + n);
        }
        for (int p = 0; p < proof.size(); p++) {
          List<byte[]> mutated = new ArrayList<>(proof);
          mutated.set(p, flip(proof.get(p), bit));
          if (Rfc9162.verifyConsistency(m, n, mutated, r1, r2)) {
            failures.add("proof " + p + " bit " + bit + " m " + m + " n " + n);
          }
        }
      }
    }
    assertThat(failures).isEmpty();
  }

  @Test
  void root_emptyTree_isHashOfNothing() {
    assertThat(Rfc9162MerkleTree.create().root(0))
        .isEqualTo(Base64.getDecoder().decode("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="));
  }

  private static byte[] naiveRoot(long start, long end) {
    long n = end - start;
    if (n == 1) {
      return tree.leafHash(start);
    }
    long k = Long.highestOneBit(n - 1);
    return Rfc9162.nodeHash(naiveRoot(start, start + k), naiveRoot(start + k, end));
  }

  private static byte[] flip(byte[] bytes, int bit) {
    byte[] copy = bytes.clone();
    copy[bit / 8] ^= (byte) (1 << (bit % 8));
    return copy;
  }

  private static byte[] bytes(JsonNode node) {
    return node == null || node.isNull() ? new byte[0] : Base64.getDecoder().decode(node.asText());
  }

  /** A JSON null proof is Go's nil slice: no hashes. */
  private static List<byte[]> hashes(JsonNode node) {
    List<byte[]> hashes = new ArrayList<>();
    if (node != null && !node.isNull()) {
      node.forEach(h -> hashes.add(bytes(h)));
    }
    return hashes;
  }
}
