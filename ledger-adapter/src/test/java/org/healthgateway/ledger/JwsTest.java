package org.healthgateway.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JwsTest {

  private static final byte[] INPUT = "canonical bytes".getBytes(StandardCharsets.UTF_8);

  @Test
  void verify_es256AndPs256_accepts() throws Exception {
    for (JWK key : new JWK[] {Fixtures.ec(), Fixtures.rsa()}) {
      String jws = DetachedJws.sign(key, INPUT);

      assertThat(jws).contains("..");
      assertThat(DetachedJws.verify(key.toPublicJWK(), INPUT, jws)).isTrue();
      assertThat(DetachedJws.keyId(jws)).contains(DetachedJws.thumbprint(key));
    }
  }

  @Test
  void verify_otherInputOrKey_refuses() throws Exception {
    String jws = DetachedJws.sign(Fixtures.PRACTITIONER_KEY, INPUT);

    assertThat(DetachedJws.verify(Fixtures.PRACTITIONER_KEY, "other".getBytes(), jws)).isFalse();
    assertThat(DetachedJws.verify(Fixtures.NODE_KEY.toPublicJWK(), INPUT, jws)).isFalse();
  }

  @Test
  void verify_everyCharacterChange_refuses() throws Exception {
    String jws = DetachedJws.sign(Fixtures.PRACTITIONER_KEY, INPUT);
    JWK key = Fixtures.PRACTITIONER_KEY.toPublicJWK();

    for (int i = 0; i < jws.length(); i++) {
      for (int bit = 0; bit < 7; bit += 3) {
        char[] chars = jws.toCharArray();
        chars[i] ^= (char) (1 << bit);
        assertThat(DetachedJws.verify(key, INPUT, new String(chars)))
            .as("char %d bit %d", i, bit)
            .isFalse();
      }
    }
  }

  @Test
  void sign_rsaBelow3072Bits_refused() throws Exception {
    JWK rsa2048 = new com.nimbusds.jose.jwk.gen.RSAKeyGenerator(2048).generate();

    assertThatThrownBy(() -> DetachedJws.sign(rsa2048, INPUT)).hasMessageContaining("RSA >= 3072");
  }

  @Test
  void verify_algorithmNotOnAllowList_refuses() throws Exception {
    JWK p384 = new ECKeyGenerator(Curve.P_384).generate();
    JWSObject es384 = new JWSObject(new JWSHeader(JWSAlgorithm.ES384), new Payload(INPUT));
    es384.sign(new ECDSASigner(p384.toECKey()));
    JWSObject hs256 = new JWSObject(new JWSHeader(JWSAlgorithm.HS256), new Payload(INPUT));
    hs256.sign(new MACSigner(new byte[32]));

    assertThat(DetachedJws.verify(p384.toPublicJWK(), INPUT, es384.serialize(true))).isFalse();
    assertThat(DetachedJws.verify(Fixtures.NODE_KEY, INPUT, hs256.serialize(true))).isFalse();
    assertThatThrownBy(() -> DetachedJws.sign(p384, INPUT)).isInstanceOf(LedgerException.class);
  }

  @Test
  void checkpointVerify_signedByNode_returnsPayload() throws Exception {
    byte[] root = Rfc9162.leafHash(INPUT);
    byte[] payload = CheckpointCodec.encodePayload(5, root, Instant.ofEpochMilli(1234));
    String jws = CheckpointSigner.of(Fixtures.NODE_KEY).sign(payload);

    Checkpoint checkpoint = CheckpointCodec.verify(jws, Fixtures.NODE_KEY.toPublicJWK());

    assertThat(new String(payload, StandardCharsets.UTF_8))
        .startsWith("{\"rootHash\":\"")
        .endsWith("\",\"timestamp\":1234,\"treeSize\":5}");
    assertThat(checkpoint.treeSize()).isEqualTo(5);
    assertThat(checkpoint.rootHash()).isEqualTo(root);
    assertThat(checkpoint.timestamp()).isEqualTo(Instant.ofEpochMilli(1234));
  }

  @Test
  void checkpointVerify_forgedOrOtherKey_throws() throws Exception {
    byte[] payload = CheckpointCodec.encodePayload(5, new byte[32], Instant.ofEpochMilli(1));
    String byOther = CheckpointSigner.of(Fixtures.PRACTITIONER_KEY).sign(payload);
    String genuine = CheckpointSigner.of(Fixtures.NODE_KEY).sign(payload);
    String[] parts = genuine.split("\\.");
    byte[] forgedPayload = CheckpointCodec.encodePayload(6, new byte[32], Instant.ofEpochMilli(1));
    String forged =
        parts[0] + "." + com.nimbusds.jose.util.Base64URL.encode(forgedPayload) + "." + parts[2];

    assertThatThrownBy(() -> CheckpointCodec.verify(byOther, Fixtures.NODE_KEY.toPublicJWK()))
        .isInstanceOf(LedgerException.class);
    assertThatThrownBy(() -> CheckpointCodec.verify(forged, Fixtures.NODE_KEY.toPublicJWK()))
        .isInstanceOf(LedgerException.class);
  }

  @Test
  void decodePayload_nonCanonical_throws() {
    String root = java.util.Base64.getEncoder().encodeToString(new byte[32]);
    for (String json :
        new String[] {
          "{\"treeSize\":1,\"rootHash\":\"" + root + "\",\"timestamp\":1}",
          "{\"rootHash\":\"" + root + "\",\"timestamp\":01,\"treeSize\":1}",
          "{\"rootHash\":\"" + root + "\", \"timestamp\":1,\"treeSize\":1}",
        }) {
      assertThatThrownBy(
              () -> CheckpointCodec.decodePayload(json.getBytes(StandardCharsets.UTF_8), ""))
          .isInstanceOf(LedgerException.class);
    }
  }
}
