package org.healthgateway.keys.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.healthgateway.keys.DataKeys;
import org.junit.jupiter.api.Test;

class AesKeyWrapperTest {

  private final AesKeyWrapper wrapper = AesKeyWrapper.create();

  @Test
  void wrap_rfc3394Section4_6_matchesKnownAnswer() throws Exception {
    HexFormat hex = HexFormat.of();
    SecretKey kek =
        new SecretKeySpec(
            hex.parseHex("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"),
            "AES");
    SecretKey key =
        new SecretKeySpec(
            hex.parseHex("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F"),
            "AES");
    byte[] expected =
        hex.parseHex(
            "28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21");

    assertThat(wrapper.wrap(kek, key)).isEqualTo(expected);
    assertThat(wrapper.unwrap(kek, expected).getEncoded()).isEqualTo(key.getEncoded());
  }

  @Test
  void unwrap_afterWrap_returnsKey() throws Exception {
    SecretKey kek = DataKeys.newDataKey();
    SecretKey dek = DataKeys.newDataKey();

    byte[] wrapped = wrapper.wrap(kek, dek);

    assertThat(wrapped).hasSize(40);
    SecretKey unwrapped = wrapper.unwrap(kek, wrapped);
    assertThat(unwrapped.getAlgorithm()).isEqualTo("AES");
    assertThat(unwrapped.getEncoded()).isEqualTo(dek.getEncoded());
  }

  @Test
  void unwrap_anyBitFlipped_failsOpaquely() throws Exception {
    SecretKey kek = DataKeys.newDataKey();
    byte[] wrapped = wrapper.wrap(kek, DataKeys.newDataKey());
    List<Integer> accepted = new ArrayList<>();

    for (int bit = 0; bit < wrapped.length * 8; bit++) {
      byte[] mutated = wrapped.clone();
      mutated[bit / 8] ^= (byte) (1 << (bit % 8));
      try {
        wrapper.unwrap(kek, mutated);
        accepted.add(bit);
      } catch (GeneralSecurityException e) {
        assertThat(e).hasMessage("invalid ciphertext");
      }
    }

    assertThat(accepted).isEmpty();
  }

  @Test
  void unwrap_wrongKekOrLength_failsOpaquely() throws Exception {
    byte[] wrapped = wrapper.wrap(DataKeys.newDataKey(), DataKeys.newDataKey());

    assertThatThrownBy(() -> wrapper.unwrap(DataKeys.newDataKey(), wrapped))
        .hasMessage("invalid ciphertext")
        .cause()
        .isNotNull();
    assertThatThrownBy(() -> wrapper.unwrap(DataKeys.newDataKey(), new byte[48]))
        .hasMessage("invalid ciphertext");
    assertThatThrownBy(() -> wrapper.unwrap(DataKeys.newDataKey(), new byte[0]))
        .hasMessage("invalid ciphertext");
  }

  @Test
  void wrap_keyNotAes256_isRefused() {
    SecretKey aes128 = new SecretKeySpec(new byte[16], "AES");

    assertThatThrownBy(() -> wrapper.wrap(DataKeys.newDataKey(), aes128))
        .isInstanceOf(java.security.InvalidKeyException.class);
    assertThatThrownBy(() -> wrapper.wrap(aes128, DataKeys.newDataKey()))
        .isInstanceOf(java.security.InvalidKeyException.class);
  }
}
