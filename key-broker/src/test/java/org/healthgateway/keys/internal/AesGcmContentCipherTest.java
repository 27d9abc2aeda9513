package org.healthgateway.keys.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.healthgateway.keys.DataKeys;
import org.healthgateway.keys.WycheproofVectors;
import org.junit.jupiter.api.Test;

class AesGcmContentCipherTest {

  private static final byte[] AAD =
      "Observation/42/_history/3|pseudonym-7f3a".getBytes(StandardCharsets.UTF_8);

  private final AesGcmContentCipher cipher = AesGcmContentCipher.create();
  private final SecretKey dek = DataKeys.newDataKey();

  @Test
  void seal_thenOpen_returnsPlaintext() throws Exception {
    byte[] plaintext = "{\"resourceType\":\"Observation\"}".getBytes(StandardCharsets.UTF_8);

    byte[] sealed = cipher.seal(dek, plaintext, AAD);

    assertThat(cipher.open(dek, sealed, AAD)).isEqualTo(plaintext);
  }

  @Test
  void seal_emptyPlaintext_roundTrips() throws Exception {
    byte[] sealed = cipher.seal(dek, new byte[0], new byte[0]);

    assertThat(sealed).hasSize(AesGcmContentCipher.MIN_SEALED_BYTES);
    assertThat(cipher.open(dek, sealed, new byte[0])).isEmpty();
  }

  @Test
  void seal_writesDocumentedWireFormat() throws Exception {
    byte[] plaintext = new byte[5];
    byte[] sealed = cipher.seal(dek, plaintext, AAD);

    assertThat(sealed).hasSize(2 + 12 + 5 + 16);
    assertThat(sealed[0]).isEqualTo((byte) 0x01);
    assertThat(sealed[1]).isEqualTo((byte) 0x01);
    byte[] nonce = Arrays.copyOfRange(sealed, 2, 14);
    byte[] header = Arrays.copyOfRange(sealed, 0, 2);
    byte[] gcmAad = concat(header, AAD);
    byte[] body = Arrays.copyOfRange(sealed, 14, sealed.length);
    assertThat(AesGcmContentCipher.decrypt(dek, nonce, body, gcmAad)).isEqualTo(plaintext);
  }

  @Test
  void seal_twice_usesFreshNonces() throws Exception {
    byte[] first = cipher.seal(dek, new byte[16], AAD);
    byte[] second = cipher.seal(dek, new byte[16], AAD);

    assertThat(Arrays.copyOfRange(first, 2, 14)).isNotEqualTo(Arrays.copyOfRange(second, 2, 14));
  }

  @Test
  void open_anyBitFlippedInSealed_failsOpaquely() throws Exception {
    byte[] sealed = cipher.seal(dek, "clinical content".getBytes(StandardCharsets.UTF_8), AAD);
    List<Integer> accepted = new ArrayList<>();

    for (int bit = 0; bit < sealed.length * 8; bit++) {
      byte[] mutated = sealed.clone();
      mutated[bit / 8] ^= (byte) (1 << (bit % 8));
      if (opens(mutated, AAD)) {
        accepted.add(bit);
      }
    }

    assertThat(accepted).isEmpty();
  }

  @Test
  void open_anyBitFlippedInAad_fails() throws Exception {
    byte[] sealed = cipher.seal(dek, "clinical content".getBytes(StandardCharsets.UTF_8), AAD);
    List<Integer> accepted = new ArrayList<>();

    for (int bit = 0; bit < AAD.length * 8; bit++) {
      byte[] mutated = AAD.clone();
      mutated[bit / 8] ^= (byte) (1 << (bit % 8));
      if (opens(sealed, mutated)) {
        accepted.add(bit);
      }
    }

    assertThat(accepted).isEmpty();
  }

  @Test
  void open_truncated_failsOpaquely() throws Exception {
    byte[] sealed = cipher.seal(dek, new byte[3], AAD);

    for (int length = 0; length < sealed.length; length++) {
      byte[] truncated = Arrays.copyOf(sealed, length);
      assertThatThrownBy(() -> cipher.open(dek, truncated, AAD))
          .isInstanceOf(GeneralSecurityException.class)
          .hasMessage("invalid ciphertext")
          .cause()
          .isNotNull();
    }
  }

  @Test
  void open_unknownVersionOrAlgorithm_failsOpaquely() throws Exception {
    byte[] sealed = cipher.seal(dek, new byte[3], AAD);
    byte[] version = sealed.clone();
    version[0] = 0x02;
    byte[] alg = sealed.clone();
    alg[1] = 0x02;

    assertThatThrownBy(() -> cipher.open(dek, version, AAD))
        .hasMessage("invalid ciphertext")
        .hasRootCauseMessage("unknown format version 2");
    assertThatThrownBy(() -> cipher.open(dek, alg, AAD))
        .hasMessage("invalid ciphertext")
        .hasRootCauseMessage("unknown algorithm id 2");
  }

  @Test
  void open_wrongKey_failsOpaquely() throws Exception {
    byte[] sealed = cipher.seal(dek, new byte[3], AAD);

    assertThatThrownBy(() -> cipher.open(DataKeys.newDataKey(), sealed, AAD))
        .hasMessage("invalid ciphertext");
  }

  @Test
  void seal_keyNotAes256_isRefused() {
    SecretKey aes128 = new SecretKeySpec(new byte[16], "AES");

    assertThatThrownBy(() -> cipher.seal(aes128, new byte[1], AAD))
        .isInstanceOf(InvalidKeyException.class);
  }

  @Test
  void gcmPrimitive_wycheproofVectors_allPass() throws Exception {
    JsonNode root = WycheproofVectors.load("aes_gcm_test.json");
    List<String> failures = new ArrayList<>();
    int tested = 0;
    for (JsonNode group : root.get("testGroups")) {
      if (group.get("keySize").asInt() != 256
          || group.get("ivSize").asInt() != 96
          || group.get("tagSize").asInt() != 128) {
        continue;
      }
      for (JsonNode test : group.get("tests")) {
        tested++;
        String failure = checkGcmCase(test);
        if (failure != null) {
          failures.add("tcId " + test.get("tcId").asInt() + ": " + failure);
        }
      }
    }
    assertThat(tested).isGreaterThan(50);
    assertThat(failures).isEmpty();
  }

  private static String checkGcmCase(JsonNode test) {
    SecretKey key = new SecretKeySpec(WycheproofVectors.hex(test.get("key")), "AES");
    byte[] nonce = WycheproofVectors.hex(test.get("iv"));
    byte[] aad = WycheproofVectors.hex(test.get("aad"));
    byte[] msg = WycheproofVectors.hex(test.get("msg"));
    byte[] ctAndTag =
        concat(WycheproofVectors.hex(test.get("ct")), WycheproofVectors.hex(test.get("tag")));
    boolean valid = "valid".equals(test.get("result").asText());
    try {
      byte[] decrypted = AesGcmContentCipher.decrypt(key, nonce, ctAndTag, aad);
      if (!valid) {
        return "invalid ciphertext decrypted";
      }
      if (!Arrays.equals(decrypted, msg)) {
        return "wrong plaintext";
      }
      if (!Arrays.equals(AesGcmContentCipher.encrypt(key, nonce, msg, aad), ctAndTag)) {
        return "wrong ciphertext";
      }
      return null;
    } catch (GeneralSecurityException e) {
      return valid ? "valid ciphertext refused: " + e : null;
    }
  }

  private boolean opens(byte[] sealed, byte[] aad) {
    try {
      cipher.open(dek, sealed, aad);
      return true;
    } catch (GeneralSecurityException e) {
      assertThat(e).hasMessage("invalid ciphertext");
      return false;
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
