package org.healthgateway.keys.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.jwk.JWK;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.List;
import org.healthgateway.keys.SeedKeys;

/**
 * Fuzzes the unwrapping of grant keys from JWEs a client supplied (a patient's release wraps a new
 * grant key for the practitioner, whose node unwraps it): any string either unwraps to a 256-bit
 * key or throws {@link GeneralSecurityException}, with an EC and an RSA private key. Seeds and
 * regression inputs: {@code JweKeyWrapperFuzzTestInputs/} beside this class.
 */
class JweKeyWrapperFuzzTest {

  private static final JweKeyWrapper WRAPPER = JweKeyWrapper.create();
  private static final List<JWK> KEYS = List.of(SeedKeys.EC, SeedKeys.RSA);

  @FuzzTest(maxDuration = "5s")
  void unwrap_anyString_unwrapsOrThrowsGeneralSecurityException(byte[] input) {
    String jwe = new String(input, StandardCharsets.UTF_8);
    for (JWK key : KEYS) {
      try {
        assertThat(WRAPPER.unwrap(key, jwe).getEncoded()).hasSize(32);
      } catch (GeneralSecurityException expected) {
        // refused, as any malformed or foreign JWE must be
      }
    }
  }
}
