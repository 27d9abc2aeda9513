package org.healthgateway.keys.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.crypto.impl.ECDH;
import com.nimbusds.jose.crypto.impl.RSA_OAEP_SHA2;
import com.nimbusds.jose.crypto.utils.ECChecks;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.MGF1ParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import org.healthgateway.keys.WycheproofVectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Wycheproof vectors through the asymmetric steps {@link JweKeyWrapper} relies on in Nimbus: RSA
 * OAEP decryption of the CEK ({@code RSA-OAEP-256}) and the ECDH step of {@code ECDH-ES+A256KW}
 * with its checks on the ephemeral public key.
 */
class JoseWycheproofTest {

  /** The JCA configuration Nimbus uses for RSA-OAEP-256 (default provider, as in the wrapper). */
  private static final String OAEP_256 = "RSA/ECB/OAEPWithSHA-256AndMGF1Padding";

  @ParameterizedTest
  @ValueSource(
      strings = {
        "rsa_oaep_2048_sha256_mgf1sha256_test.json",
        "rsa_oaep_3072_sha256_mgf1sha256_test.json"
      })
  void rsaOaep256Decrypt_wycheproofVectors_allPass(String file) throws Exception {
    JsonNode root = WycheproofVectors.load(file);
    List<String> failures = new ArrayList<>();
    int tested = 0;
    for (JsonNode group : root.get("testGroups")) {
      RSAPrivateKey key = RSAKey.parse(group.get("privateKeyJwk").toString()).toRSAPrivateKey();
      for (JsonNode test : group.get("tests")) {
        tested++;
        String failure = checkOaepCase(key, test);
        if (failure != null) {
          failures.add("tcId " + test.get("tcId").asInt() + ": " + failure);
        }
      }
    }
    assertThat(tested).isEqualTo(root.get("numberOfTests").asInt());
    assertThat(failures).isEmpty();
  }

  @Test
  void ecdhEsDerive_wycheproofWebcryptoVectors_allPass() throws Exception {
    JsonNode root = WycheproofVectors.load("ecdh_secp256r1_webcrypto_test.json");
    List<String> failures = new ArrayList<>();
    int tested = 0;
    for (JsonNode group : root.get("testGroups")) {
      for (JsonNode test : group.get("tests")) {
        tested++;
        String failure = checkEcdhCase(test);
        if (failure != null) {
          failures.add("tcId " + test.get("tcId").asInt() + ": " + failure);
        }
      }
    }
    assertThat(tested).isEqualTo(root.get("numberOfTests").asInt());
    assertThat(failures).isEmpty();
  }

  private static String checkOaepCase(RSAPrivateKey key, JsonNode test) {
    byte[] msg = WycheproofVectors.hex(test.get("msg"));
    byte[] ct = WycheproofVectors.hex(test.get("ct"));
    byte[] label = WycheproofVectors.hex(test.get("label"));
    String result = test.get("result").asText();
    byte[] decrypted;
    try {
      Cipher cipher = Cipher.getInstance(OAEP_256);
      cipher.init(
          Cipher.DECRYPT_MODE,
          key,
          new OAEPParameterSpec(
              "SHA-256", "MGF1", MGF1ParameterSpec.SHA256, new PSource.PSpecified(label)));
      decrypted = cipher.doFinal(ct);
    } catch (Exception e) {
      return "valid".equals(result) ? "valid ciphertext refused: " + e : null;
    }
    if ("invalid".equals(result)) {
      return "invalid ciphertext decrypted";
    }
    if (!Arrays.equals(decrypted, msg)) {
      return "wrong plaintext";
    }
    if (label.length == 0 && msg.length > 0) {
      return checkNimbusOaep(key, ct, msg);
    }
    return null;
  }

  /** The exact Nimbus call RSADecrypter makes for RSA-OAEP-256 (JWE has no OAEP label). */
  private static String checkNimbusOaep(RSAPrivateKey key, byte[] ct, byte[] msg) {
    try {
      byte[] cek = RSA_OAEP_SHA2.decryptCEK(key, ct, 256, null).getEncoded();
      return Arrays.equals(cek, msg) ? null : "Nimbus returned a wrong CEK";
    } catch (Exception e) {
      return "Nimbus refused a valid ciphertext: " + e;
    }
  }

  /** Mirrors ECDHDecrypter: parse the epk JWK, check it lies on P-256, then derive Z. */
  private static String checkEcdhCase(JsonNode test) {
    boolean valid = "valid".equals(test.get("result").asText());
    byte[] shared;
    try {
      ECKey epk = ECKey.parse(test.get("public").toString());
      ECPrivateKey privateKey = ECKey.parse(test.get("private").toString()).toECPrivateKey();
      ECPublicKey ephemeral = epk.toECPublicKey();
      if (!Curve.P_256.equals(epk.getCurve())
          || !ECChecks.isPointOnCurve(ephemeral, privateKey)
          || !ECChecks.isPointOnCurve(ephemeral, Curve.P_256.toECParameterSpec())) {
        return valid ? "valid public key refused by the curve check" : null;
      }
      shared = ECDH.deriveSharedSecret(ephemeral, privateKey, null).getEncoded();
    } catch (Exception e) {
      return valid ? "valid case refused: " + e : null;
    }
    if (!valid) {
      return "invalid public key accepted";
    }
    byte[] expected = WycheproofVectors.hex(test.get("shared"));
    return Arrays.equals(shared, expected)
        ? null
        : "wrong shared secret " + HexFormat.of().formatHex(shared);
  }
}
