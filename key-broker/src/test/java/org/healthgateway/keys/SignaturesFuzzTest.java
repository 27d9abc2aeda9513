package org.healthgateway.keys;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.jwk.JWK;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.List;

/**
 * Fuzzes JWS parsing and verification as the server runs it on signatures from clients (proofs of
 * possession, consent approvals, key releases): any string either verifies or throws {@link
 * GeneralSecurityException}, attached and detached, by an EC and an RSA key. Seeds and regression
 * inputs: {@code SignaturesFuzzTestInputs/} beside this class.
 */
class SignaturesFuzzTest {

  /** The payload of the detached seeds. */
  static final byte[] PAYLOAD =
      "{\"resourceType\":\"Provenance\"}".getBytes(StandardCharsets.UTF_8);

  private static final List<JWK> KEYS =
      List.of(SeedKeys.EC.toPublicJWK(), SeedKeys.RSA.toPublicJWK());

  @FuzzTest(maxDuration = "5s")
  void verify_anyString_verifiesOrThrowsGeneralSecurityException(byte[] input) {
    String jws = new String(input, StandardCharsets.UTF_8);
    for (JWK key : KEYS) {
      try {
        assertThat(Signatures.verify(key, jws)).isNotNull();
      } catch (GeneralSecurityException expected) {
        // refused, as any malformed or foreign signature must be
      }
      try {
        Signatures.verifyDetached(key, jws, PAYLOAD);
      } catch (GeneralSecurityException expected) {
        // refused
      }
    }
  }
}
