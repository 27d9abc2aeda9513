package org.healthgateway.keys.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.ECKey;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.healthgateway.keys.KeyPairs;
import org.junit.jupiter.api.Test;

class KeyFactsTest {

  private static WrappedKey key(String id, byte... bytes) {
    return new WrappedKey(id, "A256KW", bytes);
  }

  @Test
  void identityFact_privateKey_isRefused() throws Exception {
    ECKey key = KeyPairs.generateEc();

    assertThatThrownBy(() -> new IdentityFact("Patient/p", "p-x", key))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("public key only");
    assertThat(new IdentityFact("Patient/p", "p-x", key.toPublicJWK()).publicKey().isPrivate())
        .isFalse();
  }

  @Test
  void identityFact_nullSubjectOrPseudonym_isRefused() throws Exception {
    ECKey key = KeyPairs.generateEc().toPublicJWK();

    assertThatThrownBy(() -> new IdentityFact(null, "", key))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new IdentityFact("Practitioner/a", null, key))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void grantFact_noKeys_isRefused() {
    assertThatThrownBy(() -> new GrantFact("Practitioner/a", "p-x", List.of(), new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void grantFact_grantId_isFirstKeyId() {
    GrantFact fact =
        new GrantFact(
            "Practitioner/a", "p-x", List.of(key("g-1"), key("g-1#node"), key("L7")), new byte[0]);

    assertThat(fact.grantId()).isEqualTo("g-1");
  }

  @Test
  void grantFact_keysAndStatement_areCopied() {
    List<WrappedKey> keys = new ArrayList<>(List.of(key("g-1")));
    byte[] statement = "{\"statement\":\"\"}".getBytes(StandardCharsets.UTF_8);
    GrantFact fact = new GrantFact("Practitioner/a", "p-x", keys, statement);

    keys.add(key("L7"));
    statement[0] = 'X';
    fact.statement()[1] = 'X';

    assertThat(fact.keys()).containsExactly(key("g-1"));
    assertThat(new String(fact.statement(), StandardCharsets.UTF_8))
        .isEqualTo("{\"statement\":\"\"}");
  }

  @Test
  void wrappedKey_equalByContent_andBytesCopied() {
    byte[] bytes = {1, 2, 3};
    WrappedKey key = new WrappedKey("g-1", "A256KW", bytes);

    bytes[0] = 9;
    key.wrapped()[1] = 9;

    assertThat(key).isEqualTo(key("g-1", (byte) 1, (byte) 2, (byte) 3));
    assertThat(key).hasSameHashCodeAs(key("g-1", (byte) 1, (byte) 2, (byte) 3));
    assertThat(key).isNotEqualTo(key("g-1", (byte) 1, (byte) 2, (byte) 4));
    assertThat(key).isNotEqualTo(new WrappedKey("g-1", "RSA-OAEP-256", new byte[] {1, 2, 3}));
  }

  @Test
  void wrappedKey_toString_showsLengthNotBytes() {
    assertThat(key("g-1", (byte) 0x41, (byte) 0x42))
        .hasToString("WrappedKey[g-1, A256KW, 2 bytes]");
  }
}
