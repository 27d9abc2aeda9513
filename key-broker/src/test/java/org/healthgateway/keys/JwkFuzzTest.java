package org.healthgateway.keys;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.jwk.JWK;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.text.ParseException;
import javax.crypto.SecretKey;
import org.healthgateway.keys.internal.JweKeyWrapper;
import org.healthgateway.keys.internal.KeyPolicy;

/**
 * Fuzzes public JWKs from clients ({@code $register-keys}): a key either fails to parse ({@link
 * ParseException}), is refused by the key policy, or is used to wrap a grant key and to verify a
 * signature, each of which succeeds or throws {@link GeneralSecurityException}. Seeds and
 * regression inputs: {@code JwkFuzzTestInputs/} beside this class.
 */
class JwkFuzzTest {

  private static final SecretKey GRANT_KEY = DataKeys.newDataKey();
  private static final String PROOF = proof();

  @FuzzTest(maxDuration = "5s")
  void use_anyJwk_worksOrThrowsCheckedException(byte[] input) {
    JWK key;
    try {
      key = JWK.parse(new String(input, StandardCharsets.UTF_8));
      KeyPolicy.requireSupported(key);
      KeyPairs.thumbprint(key);
    } catch (ParseException | GeneralSecurityException refused) {
      return;
    }
    try {
      JweKeyWrapper.create().wrap(key, GRANT_KEY);
    } catch (GeneralSecurityException refused) {
      // not an encryption key
    }
    try {
      Signatures.verify(key, PROOF);
    } catch (GeneralSecurityException refused) {
      // not the signing key
    }
  }

  private static String proof() {
    try {
      return Signatures.sign(SeedKeys.EC, SignaturesFuzzTest.PAYLOAD);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
