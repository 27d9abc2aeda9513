package org.healthgateway.ledger;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.jwk.JWK;

/**
 * Signs a checkpoint payload ({@link CheckpointCodec#encodePayload}) with the node key and returns
 * a JWS compact serialization with the payload attached. Implementations may keep the key in a
 * keystore or HSM; {@link #of} signs with a JWK in memory.
 */
@FunctionalInterface
public interface CheckpointSigner {

  /**
   * Returns {@code header.payload.signature} over {@code payload}.
   *
   * @throws LedgerException if the key cannot sign
   */
  String sign(byte[] payload) throws LedgerException;

  /** A signer with an EC P-256 (ES256) or RSA (PS256) private JWK. */
  static CheckpointSigner of(JWK privateKey) {
    return payload -> {
      try {
        JWSObject jws = new JWSObject(JwsKeys.header(privateKey), new Payload(payload));
        jws.sign(JwsKeys.signer(privateKey));
        return jws.serialize();
      } catch (JOSEException e) {
        throw new LedgerException("cannot sign checkpoint: " + e.getMessage(), e);
      }
    };
  }
}
