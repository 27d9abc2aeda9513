package org.healthgateway.ledger;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.jwk.JWK;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Canonical checkpoint payload and its JWS, so that anybody holding the node's public key can check
 * a checkpoint without the node.
 *
 * <p>The payload is exactly this UTF-8 JSON, keys in this order, no white space, root hash in
 * standard base64 with padding (RFC 4648 section 4), integers in decimal without leading zeros:
 *
 * <pre>{"rootHash":"&lt;base64&gt;","timestamp":&lt;epoch millis&gt;,"treeSize":&lt;n&gt;}</pre>
 *
 * The JWS is a compact serialization with the payload attached, signed ES256 or PS256 by the node
 * key, header {@code {"alg":...,"kid":<RFC 7638 thumbprint>}}.
 */
public final class CheckpointCodec {

  private static final Pattern PAYLOAD =
      Pattern.compile(
          "\\{\"rootHash\":\"([A-Za-z0-9+/]{43}=)\",\"timestamp\":(0|[1-9][0-9]{0,17}),"
              + "\"treeSize\":(0|[1-9][0-9]{0,17})\\}");
  private static final Pattern COMPACT =
      Pattern.compile("([A-Za-z0-9_-]+)\\.([A-Za-z0-9_-]+)\\.([A-Za-z0-9_-]+)");

  private CheckpointCodec() {}

  /** Returns the canonical payload bytes. */
  public static byte[] encodePayload(long treeSize, byte[] rootHash, Instant timestamp) {
    if (treeSize < 0 || rootHash.length != Rfc9162.HASH_BYTES || timestamp.toEpochMilli() < 0) {
      throw new IllegalArgumentException("invalid checkpoint fields");
    }
    String json =
        "{\"rootHash\":\""
            + Base64.getEncoder().encodeToString(rootHash)
            + "\",\"timestamp\":"
            + timestamp.toEpochMilli()
            + ",\"treeSize\":"
            + treeSize
            + "}";
    return json.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Parses a canonical payload; {@code signature} is stored in the result unchecked.
   *
   * @throws LedgerException "invalid checkpoint" if the bytes are not exactly canonical
   */
  public static Checkpoint decodePayload(byte[] payload, String signature) throws LedgerException {
    Matcher m = PAYLOAD.matcher(new String(payload, StandardCharsets.US_ASCII));
    if (!m.matches()) {
      throw new LedgerException("invalid checkpoint");
    }
    Checkpoint checkpoint =
        new Checkpoint(
            Long.parseLong(m.group(3)),
            Base64.getDecoder().decode(m.group(1)),
            Instant.ofEpochMilli(Long.parseLong(m.group(2))),
            signature);
    byte[] canonical =
        encodePayload(checkpoint.treeSize(), checkpoint.rootHash(), checkpoint.timestamp());
    if (!Arrays.equals(canonical, payload)) {
      throw new LedgerException("invalid checkpoint");
    }
    return checkpoint;
  }

  /**
   * Verifies a checkpoint JWS by the node key and returns the checkpoint it states.
   *
   * @throws LedgerException "invalid checkpoint" if the signature, the algorithm, the key id or the
   *     payload is not right
   */
  public static Checkpoint verify(String jws, JWK nodePublicKey) throws LedgerException {
    Matcher m = COMPACT.matcher(jws);
    if (!m.matches()
        || !JwsKeys.canonicalBase64Url(m.group(1))
        || !JwsKeys.canonicalBase64Url(m.group(2))
        || !JwsKeys.canonicalBase64Url(m.group(3))) {
      throw new LedgerException("invalid checkpoint");
    }
    try {
      JWSObject parsed = JWSObject.parse(jws);
      if (!JwsKeys.headerFits(
              parsed.getHeader(), JwsKeys.algorithm(nodePublicKey), JwsKeys.keyId(nodePublicKey))
          || !parsed.verify(JwsKeys.verifier(nodePublicKey))) {
        throw new LedgerException("invalid checkpoint");
      }
      return decodePayload(parsed.getPayload().toBytes(), jws);
    } catch (ParseException | JOSEException | RuntimeException e) {
      throw new LedgerException("invalid checkpoint", e);
    }
  }
}
