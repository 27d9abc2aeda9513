package org.healthgateway.server.fhir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ca.uhn.fhir.rest.server.exceptions.UnprocessableEntityException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The checks of a client's public keys at {@code $register-keys}. */
class KeyRegistrationProviderTest {

  private static final ECKey KEY = generate();

  @Test
  void publicKey_marksOfTheOtherPurpose_are422() throws Exception {
    // Found by key-broker's JwkFuzzTest: accepted before, then the key with use "enc" failed to
    // build (500), or every wrap for the key failed (alg of a signing key).
    String signOps =
        new ECKey.Builder(KEY).keyOperations(Set.of(KeyOperation.SIGN)).build().toJSONString();
    String signAlg = new ECKey.Builder(KEY).algorithm(JWSAlgorithm.ES256).build().toJSONString();

    assertThatThrownBy(() -> KeyRegistrationProvider.publicKey(signOps, KeyUse.ENCRYPTION))
        .isInstanceOf(UnprocessableEntityException.class)
        .hasMessageContaining("Not a supported public JWK");
    assertThatThrownBy(() -> KeyRegistrationProvider.publicKey(signAlg, KeyUse.ENCRYPTION))
        .isInstanceOf(UnprocessableEntityException.class);
    assertThat(KeyRegistrationProvider.publicKey(signOps, KeyUse.SIGNATURE))
        .isEqualTo(JWK.parse(signOps));
  }

  @Test
  void publicKey_plainPublicKey_isAcceptedForBoth() throws Exception {
    String json = KEY.toJSONString();

    assertThat(KeyRegistrationProvider.publicKey(json, KeyUse.ENCRYPTION)).isEqualTo(KEY);
    assertThat(KeyRegistrationProvider.publicKey(json, KeyUse.SIGNATURE)).isEqualTo(KEY);
  }

  @Test
  void publicKey_privateOrMalformed_is422() throws Exception {
    String privateKey = new ECKeyGenerator(Curve.P_256).generate().toJSONString();

    assertThatThrownBy(() -> KeyRegistrationProvider.publicKey(privateKey, KeyUse.SIGNATURE))
        .isInstanceOf(UnprocessableEntityException.class)
        .hasMessageContaining("private key");
    assertThatThrownBy(() -> KeyRegistrationProvider.publicKey("{\"kty\":", KeyUse.SIGNATURE))
        .isInstanceOf(UnprocessableEntityException.class);
  }

  @Test
  void publicKey_refusedByTheKeyRule_is422WithItsReason() throws Exception {
    String rsa2048 = new RSAKeyGenerator(2048).generate().toPublicJWK().toJSONString();

    assertThatThrownBy(() -> KeyRegistrationProvider.publicKey(rsa2048, KeyUse.ENCRYPTION))
        .isInstanceOf(UnprocessableEntityException.class)
        .hasMessageContaining("Not a supported public JWK: RSA keys must have at least 3072 bits");
  }

  private static ECKey generate() {
    try {
      return new ECKeyGenerator(Curve.P_256).generate().toPublicJWK();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
