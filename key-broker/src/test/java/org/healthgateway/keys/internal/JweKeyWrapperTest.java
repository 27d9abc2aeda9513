package org.healthgateway.keys.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEEncrypter;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.DirectEncrypter;
import com.nimbusds.jose.crypto.ECDHEncrypter;
import com.nimbusds.jose.crypto.RSAEncrypter;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import javax.crypto.SecretKey;
import org.healthgateway.keys.DataKeys;
import org.healthgateway.keys.KeyPairs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JweKeyWrapperTest {

  private static RSAKey rsa;
  private static ECKey ec;

  private final JweKeyWrapper wrapper = JweKeyWrapper.create();
  private final SecretKey grantKey = DataKeys.newDataKey();

  @BeforeAll
  static void generateKeys() throws Exception {
    rsa = KeyPairs.generateRsa();
    ec = KeyPairs.generateEc();
  }

  @Test
  void unwrap_rsaRoundTrip_returnsGrantKey() throws Exception {
    String jwe = wrapper.wrap(rsa.toPublicJWK(), grantKey);

    assertThat(wrapper.unwrap(rsa, jwe).getEncoded()).isEqualTo(grantKey.getEncoded());
  }

  @Test
  void unwrap_ecRoundTrip_returnsGrantKey() throws Exception {
    String jwe = wrapper.wrap(ec.toPublicJWK(), grantKey);

    assertThat(wrapper.unwrap(ec, jwe).getEncoded()).isEqualTo(grantKey.getEncoded());
  }

  @Test
  void wrap_writesStandardHeader() throws Exception {
    JWEHeader rsaHeader = JWEObject.parse(wrapper.wrap(rsa.toPublicJWK(), grantKey)).getHeader();
    JWEHeader ecHeader = JWEObject.parse(wrapper.wrap(ec.toPublicJWK(), grantKey)).getHeader();

    assertThat(rsaHeader.getAlgorithm()).isEqualTo(JWEAlgorithm.RSA_OAEP_256);
    assertThat(rsaHeader.getEncryptionMethod()).isEqualTo(EncryptionMethod.A256GCM);
    assertThat(rsaHeader.getKeyID()).isEqualTo(KeyPairs.thumbprint(rsa)).isEqualTo(rsa.getKeyID());
    assertThat(rsaHeader.getContentType()).isEqualTo("grant-key");
    assertThat(rsaHeader.toJSONObject()).containsOnlyKeys("alg", "enc", "kid", "cty");
    assertThat(ecHeader.getAlgorithm()).isEqualTo(JWEAlgorithm.ECDH_ES_A256KW);
    assertThat(ecHeader.getKeyID()).isEqualTo(ec.getKeyID());
    assertThat(ecHeader.toJSONObject()).containsOnlyKeys("alg", "enc", "kid", "cty", "epk");
  }

  @Test
  void unwrap_jweForAnotherKey_isRefused() throws Exception {
    ECKey otherEc = KeyPairs.generateEc();
    String forEc = wrapper.wrap(ec.toPublicJWK(), grantKey);
    String forRsa = wrapper.wrap(rsa.toPublicJWK(), grantKey);

    assertRefused(otherEc, forEc, "kid does not match");
    assertRefused(rsa, forEc, "alg ECDH-ES+A256KW not allowed");
    assertRefused(ec, forRsa, "alg RSA-OAEP-256 not allowed");
  }

  @Test
  void unwrap_otherAlgorithms_areRefused() throws Exception {
    SecretKey cek = DataKeys.newDataKey();

    assertRefused(rsa, foreign(rsa, JWEAlgorithm.RSA1_5, new RSAEncrypter(rsa)), "alg RSA1_5");
    assertRefused(rsa, foreign(rsa, JWEAlgorithm.RSA_OAEP, new RSAEncrypter(rsa)), "alg RSA-OAEP ");
    assertRefused(rsa, foreign(rsa, JWEAlgorithm.DIR, new DirectEncrypter(cek)), "alg dir");
    assertRefused(ec, foreign(ec, JWEAlgorithm.ECDH_ES, new ECDHEncrypter(ec)), "alg ECDH-ES ");
    assertRefused(
        ec, foreign(ec, JWEAlgorithm.ECDH_ES_A128KW, new ECDHEncrypter(ec)), "alg ECDH-ES+A128KW");
  }

  @Test
  void unwrap_otherEncOrContentType_isRefused() throws Exception {
    JWEHeader a128 =
        new JWEHeader.Builder(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A128GCM)
            .keyID(rsa.getKeyID())
            .contentType("grant-key")
            .build();
    JWEHeader noCty =
        new JWEHeader.Builder(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A256GCM)
            .keyID(rsa.getKeyID())
            .build();

    assertRefused(rsa, encrypt(a128, new RSAEncrypter(rsa), 32), "enc A128GCM");
    assertRefused(rsa, encrypt(noCty, new RSAEncrypter(rsa), 32), "cty");
  }

  @Test
  void unwrap_payloadNot256Bits_isRefused() throws Exception {
    JWEHeader header =
        new JWEHeader.Builder(JWEAlgorithm.ECDH_ES_A256KW, EncryptionMethod.A256GCM)
            .keyID(ec.getKeyID())
            .contentType("grant-key")
            .build();

    assertRefused(ec, encrypt(header, new ECDHEncrypter(ec), 16), "not a 256-bit key");
  }

  @Test
  void unwrap_tamperedOrOversized_isRefused() throws Exception {
    String jwe = wrapper.wrap(ec.toPublicJWK(), grantKey);
    String[] parts = jwe.split("\\.");
    char last = parts[3].charAt(0);
    parts[3] = (last == 'A' ? 'B' : 'A') + parts[3].substring(1);

    assertRefused(ec, String.join(".", parts), "");
    assertRefused(ec, "x".repeat(JweKeyWrapper.MAX_JWE_CHARS + 1), "longer than");
    assertRefused(ec, "not a jwe", "");
  }

  @Test
  void unwrap_headerWithoutEnc_isRefused() throws Exception {
    // Found by JweKeyWrapperFuzzTest: Nimbus 9.37 throws NullPointerException for a JWE header
    // without "enc" instead of ParseException.
    String header =
        Base64URL.encode("{\"alg\":\"ECDH-ES+A256KW\"}".getBytes(StandardCharsets.UTF_8))
            .toString();

    assertRefused(ec, header + ".AA.AA.AA.AA", "NullPointerException");
  }

  @Test
  void wrap_unsupportedRecipientKeys_areRefused() throws Exception {
    RSAKey rsa2048 = new RSAKeyGenerator(2048).generate();
    ECKey signingOnly = new ECKey.Builder(ec).keyUse(KeyUse.SIGNATURE).build();

    assertThatThrownBy(() -> wrapper.wrap(rsa2048.toPublicJWK(), grantKey))
        .isInstanceOf(InvalidKeyException.class);
    assertThatThrownBy(() -> wrapper.wrap(signingOnly.toPublicJWK(), grantKey))
        .isInstanceOf(InvalidKeyException.class);
    assertThatThrownBy(() -> wrapper.unwrap(ec.toPublicJWK(), "a.b.c.d.e"))
        .isInstanceOf(InvalidKeyException.class);
  }

  private static String foreign(JWK key, JWEAlgorithm alg, JWEEncrypter encrypter)
      throws Exception {
    JWEHeader header =
        new JWEHeader.Builder(alg, EncryptionMethod.A256GCM)
            .keyID(key.getKeyID())
            .contentType("grant-key")
            .build();
    return encrypt(header, encrypter, 32);
  }

  private static String encrypt(JWEHeader header, JWEEncrypter encrypter, int payloadBytes)
      throws Exception {
    JWEObject jwe = new JWEObject(header, new Payload(new byte[payloadBytes]));
    jwe.encrypt(encrypter);
    return jwe.serialize();
  }

  private void assertRefused(JWK privateKey, String jwe, String reason) {
    assertThatThrownBy(() -> wrapper.unwrap(privateKey, jwe))
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessage("invalid ciphertext")
        .satisfies(e -> assertThat(e.getCause()).isNotNull())
        .satisfies(e -> assertThat(e.getCause().toString()).contains(reason));
  }
}
