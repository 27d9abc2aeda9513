package org.healthgateway.keys.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import java.security.InvalidKeyException;
import java.util.Set;
import org.healthgateway.keys.SeedKeys;
import org.junit.jupiter.api.Test;

/** The key checks behind every wrap and signature, and behind a client's key registration. */
class KeyPolicyTest {

  private static final ECKey EC = SeedKeys.EC.toPublicJWK();
  private static final RSAKey RSA = SeedKeys.RSA.toPublicJWK();

  @Test
  void keyWrapAlgorithm_keyOpsOfSigning_isRefused() throws Exception {
    // Found by JwkFuzzTest: such a key was accepted, and the registration's key with use "enc"
    // then failed to build (IllegalStateException, a 500).
    ECKey signing = new ECKey.Builder(EC).keyOperations(Set.of(KeyOperation.SIGN)).build();

    assertThatThrownBy(() -> KeyPolicy.keyWrapAlgorithm(signing))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessageContaining("operations");
    assertThat(KeyPolicy.signatureAlgorithm(signing)).isEqualTo(JWSAlgorithm.ES256);
  }

  @Test
  void signatureAlgorithm_keyOpsOfEncryption_isRefused() throws Exception {
    RSAKey wrapping = new RSAKey.Builder(RSA).keyOperations(Set.of(KeyOperation.WRAP_KEY)).build();

    assertThatThrownBy(() -> KeyPolicy.signatureAlgorithm(wrapping))
        .isInstanceOf(InvalidKeyException.class);
    assertThat(KeyPolicy.keyWrapAlgorithm(wrapping)).isEqualTo(JWEAlgorithm.RSA_OAEP_256);
  }

  @Test
  void keyWrapAlgorithm_emptyKeyOps_isAccepted() throws Exception {
    // What WebCrypto exports for a public ECDH key.
    ECKey exported = new ECKey.Builder(EC).keyOperations(Set.of()).build();

    assertThat(KeyPolicy.keyWrapAlgorithm(exported)).isEqualTo(JWEAlgorithm.ECDH_ES_A256KW);
  }

  @Test
  void requireSupported_rsaExponentBelowThree_isRefused() {
    // Found by JwkFuzzTest: accepted, then every wrap for it failed (GeneralSecurityException).
    RSAKey exponentOne =
        new RSAKey.Builder(RSA.getModulus(), Base64URL.encode(new byte[] {1})).build();

    assertThatThrownBy(() -> KeyPolicy.requireSupported(exponentOne))
        .isInstanceOf(InvalidKeyException.class)
        .hasMessage("not a valid RSA public key");
    assertThatThrownBy(() -> KeyPolicy.keyWrapAlgorithm(exponentOne))
        .isInstanceOf(InvalidKeyException.class);
  }
}
