package org.healthgateway.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.hl7.fhir.r4.model.Base64BinaryType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.Parameters;

/**
 * The answer of {@code $verify}, checked independently: the leaf hash is {@code SHA-256(0x00 ||
 * entry)}, the audit path leads to the root (RFC 9162 section 2.1.3.2), the signed checkpoint names
 * the same root and size, and the record's leaf hashes hold the entry's at its position, under one
 * detached JWS by the author ({@link #recordSigningInput} is what it signs).
 */
record LedgerProof(
    int index,
    int treeSize,
    byte[] entry,
    byte[] leafHash,
    List<byte[]> proof,
    byte[] rootHash,
    String checkpoint,
    String recordAuthor,
    int recordPosition,
    List<byte[]> recordLeafHashes,
    String recordSignature,
    String recordAuthorKey) {

  private static final ObjectMapper JSON = new ObjectMapper();

  static LedgerProof of(Parameters parameters) {
    return new LedgerProof(
        integer(parameters, "index"),
        integer(parameters, "treeSize"),
        bytes(parameters, "entry"),
        bytes(parameters, "leafHash"),
        allBytes(parameters, "proof"),
        bytes(parameters, "rootHash"),
        parameters.getParameter("checkpoint").getValue().primitiveValue(),
        parameters.getParameter("recordAuthor").getValue().primitiveValue(),
        integer(parameters, "recordPosition"),
        allBytes(parameters, "recordLeafHash"),
        parameters.getParameter("recordSignature").getValue().primitiveValue(),
        parameters.getParameter("recordAuthorKey") == null
            ? null
            : parameters.getParameter("recordAuthorKey").getValue().primitiveValue());
  }

  /**
   * What the record's author signed: {@code "HGRS" | 01 | u32 length | author | u32 N | N leaf
   * hashes} (ledger-adapter/README.md, "Signed record").
   */
  byte[] recordSigningInput() {
    byte[] author = recordAuthor.getBytes(StandardCharsets.UTF_8);
    java.nio.ByteBuffer input =
        java.nio.ByteBuffer.allocate(13 + author.length + 32 * recordLeafHashes.size());
    input.put("HGRS".getBytes(StandardCharsets.US_ASCII)).put((byte) 1);
    input.putInt(author.length).put(author).putInt(recordLeafHashes.size());
    recordLeafHashes.forEach(input::put);
    return input.array();
  }

  /**
   * Asserts the whole proof chain; verifies the checkpoint signature with the JDK when the node key
   * is known ({@code nodeKey} of {@code $ledger-head}, or a {@code jwk} in the JWS header).
   */
  void assertValid(String nodeKey) throws IOException {
    assertThat(entry).as("entry bytes").isNotEmpty();
    assertThat(leafHash)
        .as("leafHash == SHA-256(0x00 || entry)")
        .isEqualTo(Rfc9162Proofs.leafHash(entry));
    assertThat(Rfc9162Proofs.verifyInclusion(index, treeSize, leafHash, proof, rootHash))
        .as("RFC 9162 inclusion proof of leaf %d in tree of %d", index, treeSize)
        .isTrue();
    assertThat(recordLeafHashes.get(recordPosition))
        .as("the record's leaf hash at recordPosition is the entry's")
        .isEqualTo(leafHash);
    assertThat(new String(entry, StandardCharsets.ISO_8859_1))
        .as("the entry names the record's author")
        .contains(recordAuthor);
    assertThat(recordSignature)
        .as("record signature: detached JWS")
        .matches("[\\w-]+\\.\\.[\\w-]+");
    assertThat(recordAuthorKey).as("recordAuthorKey of a fresh author").isNotNull();
    String[] record = recordSignature.split("\\.", -1);
    JsonNode recordHeader = JSON.readTree(Base64.getUrlDecoder().decode(record[0]));
    record[1] = Base64.getUrlEncoder().withoutPadding().encodeToString(recordSigningInput());
    assertThat(
            verifySignature(
                recordHeader.path("alg").asText(), JSON.readTree(recordAuthorKey), record))
        .as("record signature by %s over its leaf hashes", recordAuthor)
        .isTrue();
    String[] parts = checkpoint.split("\\.", -1);
    assertThat(parts).as("checkpoint JWS compact serialization").hasSize(3);
    JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
    JsonNode payload = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
    assertThat(decodeBase64(payload.path("rootHash").asText()))
        .as("checkpoint rootHash")
        .isEqualTo(rootHash);
    assertThat(payload.path("treeSize").asLong()).as("checkpoint treeSize").isEqualTo(treeSize);
    assertThat(payload.path("timestamp").asLong()).as("checkpoint timestamp").isPositive();
    assertThat(header.has("jwk") || header.has("kid")).as("JWS header names its key").isTrue();
    JsonNode jwk = nodeKey != null ? JSON.readTree(nodeKey) : header.get("jwk");
    if (jwk != null) {
      assertThat(verifySignature(header.path("alg").asText(), jwk, parts))
          .as("checkpoint signature (%s)", header.path("alg").asText())
          .isTrue();
    }
  }

  private static boolean verifySignature(String alg, JsonNode jwk, String[] parts) {
    byte[] input = (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII);
    byte[] signature = Base64.getUrlDecoder().decode(parts[2]);
    try {
      Signature verifier;
      switch (alg) {
        case "ES256" -> verifier = Signature.getInstance("SHA256withECDSAinP1363Format");
        case "PS256" -> {
          verifier = Signature.getInstance("RSASSA-PSS");
          verifier.setParameter(
              new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
        }
        default -> throw new AssertionError("signed with unexpected alg " + alg);
      }
      verifier.initVerify(publicKey(jwk));
      verifier.update(input);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      throw new AssertionError("cannot verify signature: " + e, e);
    }
  }

  private static PublicKey publicKey(JsonNode jwk) throws GeneralSecurityException {
    Base64.Decoder url = Base64.getUrlDecoder();
    if ("EC".equals(jwk.path("kty").asText())) {
      assertThat(jwk.path("crv").asText()).isEqualTo("P-256");
      AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
      parameters.init(new ECGenParameterSpec("secp256r1"));
      ECPoint point =
          new ECPoint(
              new BigInteger(1, url.decode(jwk.path("x").asText())),
              new BigInteger(1, url.decode(jwk.path("y").asText())));
      return KeyFactory.getInstance("EC")
          .generatePublic(
              new ECPublicKeySpec(point, parameters.getParameterSpec(ECParameterSpec.class)));
    }
    return KeyFactory.getInstance("RSA")
        .generatePublic(
            new RSAPublicKeySpec(
                new BigInteger(1, url.decode(jwk.path("n").asText())),
                new BigInteger(1, url.decode(jwk.path("e").asText()))));
  }

  /** Standard or URL-safe Base64, padded or not. */
  static byte[] decodeBase64(String text) {
    String normalized = text.replace('-', '+').replace('_', '/');
    return Base64.getMimeDecoder().decode(normalized);
  }

  private static int integer(Parameters parameters, String name) {
    assertThat(parameters.getParameter(name)).as("parameter %s", name).isNotNull();
    return ((IntegerType) parameters.getParameter(name).getValue()).getValue();
  }

  private static List<byte[]> allBytes(Parameters parameters, String name) {
    List<byte[]> values = new ArrayList<>();
    parameters.getParameter().stream()
        .filter(p -> p.getName().equals(name))
        .forEach(p -> values.add(((Base64BinaryType) p.getValue()).getValue()));
    return values;
  }

  private static byte[] bytes(Parameters parameters, String name) {
    assertThat(parameters.getParameter(name)).as("parameter %s", name).isNotNull();
    return ((Base64BinaryType) parameters.getParameter(name).getValue()).getValue();
  }
}
