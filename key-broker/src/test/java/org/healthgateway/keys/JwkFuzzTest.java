package org.healthgateway.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.text.ParseException;
import javax.crypto.SecretKey;
import org.healthgateway.keys.internal.JweKeyWrapper;
import org.healthgateway.keys.policy.KeyPolicy;

/**
 * Fuzzes public JWKs from clients ({@code $register-keys}): a key either fails to parse ({@link
 * ParseException}) or the key policy answers for each purpose. A key the policy accepts for key
 * wrapping must wrap a grant key, one it accepts for signatures must verify (here: refuse a
 * signature by another key), and either must take the {@code use} the registration stores with it;
 * otherwise the registration would accept a key that later fails every write for its owner. Seeds
 * and regression inputs: {@code JwkFuzzTestInputs/} beside this class.
 */
class JwkFuzzTest {

  private static final SecretKey GRANT_KEY = DataKeys.newDataKey();
  private static final String PROOF = proof();

  @FuzzTest(maxDuration = "5s")
  void use_anyJwk_acceptedKeysWork(byte[] input) throws GeneralSecurityException {
    JWK key;
    try {
      key = JWK.parse(new String(input, StandardCharsets.UTF_8));
    } catch (ParseException refused) {
      return;
    }
    if (key.isPrivate()) {
      return;
    }
    if (accepts(() -> KeyPolicy.keyWrapAlgorithm(key))) {
      assertThat(JweKeyWrapper.create().wrap(key, GRANT_KEY)).isNotEmpty();
      assertThatCode(() -> withUse(key, KeyUse.ENCRYPTION)).doesNotThrowAnyException();
    }
    if (accepts(() -> KeyPolicy.signatureAlgorithm(key))) {
      try {
        Signatures.verify(key, PROOF);
      } catch (GeneralSecurityException refused) {
        // a signature by another key
      }
      assertThatCode(() -> withUse(key, KeyUse.SIGNATURE)).doesNotThrowAnyException();
    }
  }

  /** The key as the registration stores it (fhir-server's IdentityRegistry). */
  private static JWK withUse(JWK key, KeyUse use) {
    return key instanceof ECKey ec
        ? new ECKey.Builder(ec).keyUse(use).build()
        : new RSAKey.Builder((RSAKey) key).keyUse(use).build();
  }

  private static boolean accepts(Check check) {
    try {
      check.run();
      return true;
    } catch (GeneralSecurityException refused) {
      return false;
    }
  }

  @FunctionalInterface
  private interface Check {
    void run() throws GeneralSecurityException;
  }

  private static String proof() {
    try {
      return Signatures.sign(KeyPairs.generateEc(), SignaturesFuzzTest.PAYLOAD);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
