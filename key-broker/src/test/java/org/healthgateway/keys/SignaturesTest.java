package org.healthgateway.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SignaturesTest {

  private static final byte[] PAYLOAD =
      "{\"resourceType\":\"Provenance\"}".getBytes(StandardCharsets.UTF_8);

  private static RSAKey rsa;
  private static ECKey ec;

  @BeforeAll
  static void generateKeys() throws Exception {
    rsa = KeyPairs.generateRsa();
    ec = KeyPairs.generateEc();
  }

  @Test
  void verify_attachedRoundTrip_returnsPayload() throws Exception {
    assertThat(Signatures.verify(ec.toPublicJWK(), Signatures.sign(ec, PAYLOAD)))
        .isEqualTo(PAYLOAD);
    assertThat(Signatures.verify(rsa.toPublicJWK(), Signatures.sign(rsa, PAYLOAD)))
        .isEqualTo(PAYLOAD);
  }

  @Test
  void verifyDetached_roundTrip_succeeds() throws Exception {
    String ecJws = Signatures.signDetached(ec, PAYLOAD);
    String rsaJws = Signatures.signDetached(rsa, PAYLOAD);

    assertThat(ecJws).contains("..");
    Signatures.verifyDetached(ec.toPublicJWK(), ecJws, PAYLOAD);
    Signatures.verifyDetached(rsa.toPublicJWK(), rsaJws, PAYLOAD);
  }

  @Test
  void sign_writesAlgorithmAndThumbprint() throws Exception {
    JWSHeader ecHeader = JWSObject.parse(Signatures.sign(ec, PAYLOAD)).getHeader();
    JWSHeader rsaHeader = JWSObject.parse(Signatures.sign(rsa, PAYLOAD)).getHeader();

    assertThat(ecHeader.getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
    assertThat(ecHeader.getKeyID()).isEqualTo(KeyPairs.thumbprint(ec));
    assertThat(ecHeader.toJSONObject()).containsOnlyKeys("alg", "kid");
    assertThat(rsaHeader.getAlgorithm()).isEqualTo(JWSAlgorithm.PS256);
    assertThat(rsaHeader.getKeyID()).isEqualTo(KeyPairs.thumbprint(rsa));
  }

  @Test
  void verifyDetached_otherPayloadOrKey_isRefused() throws Exception {
    String jws = Signatures.signDetached(ec, PAYLOAD);
    ECKey other = KeyPairs.generateEc();

    assertRefused(() -> Signatures.verifyDetached(ec.toPublicJWK(), jws, "{}".getBytes()));
    assertRefused(() -> Signatures.verifyDetached(other.toPublicJWK(), jws, PAYLOAD));
    assertRefused(() -> Signatures.verifyDetached(rsa.toPublicJWK(), jws, PAYLOAD));
  }

  @Test
  void verify_otherAlgorithms_areRefused() throws Exception {
    String kid = rsa.getKeyID();
    String rs256 = signWith(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(), rsa);
    String hs256 =
        signWith(
            new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(kid).build(),
            new MACSigner(new byte[32]));
    String none = Base64URL.encode("{\"alg\":\"none\"}") + "." + Base64URL.encode(PAYLOAD) + ".";
    String noKid = signWith(new JWSHeader.Builder(JWSAlgorithm.PS256).build(), rsa);
    String wrongKid =
        signWith(new JWSHeader.Builder(JWSAlgorithm.PS256).keyID(ec.getKeyID()).build(), rsa);

    for (String jws : List.of(rs256, hs256, none, noKid, wrongKid)) {
      assertRefused(() -> Signatures.verify(rsa.toPublicJWK(), jws));
    }
  }

  @Test
  void verify_anyBitFlippedInSignature_isRefused() throws Exception {
    String[] parts = Signatures.sign(ec, PAYLOAD).split("\\.");
    byte[] signature = new Base64URL(parts[2]).decode();
    List<Integer> accepted = new ArrayList<>();

    for (int bit = 0; bit < signature.length * 8; bit++) {
      byte[] mutated = signature.clone();
      mutated[bit / 8] ^= (byte) (1 << (bit % 8));
      String jws = parts[0] + "." + parts[1] + "." + Base64URL.encode(mutated);
      try {
        Signatures.verify(ec.toPublicJWK(), jws);
        accepted.add(bit);
      } catch (GeneralSecurityException e) {
        assertThat(e).hasMessage("invalid signature");
      }
    }

    assertThat(accepted).isEmpty();
  }

  @Test
  void es256Verify_wycheproofP1363Vectors_allPass() throws Exception {
    JsonNode root = WycheproofVectors.load("ecdsa_secp256r1_sha256_p1363_test.json");
    assertThat(runVerifyVectors(root)).isEmpty();
  }

  @Test
  void ps256Verify_wycheproofPss3072Vectors_allPass() throws Exception {
    JsonNode root = WycheproofVectors.load("rsa_pss_3072_sha256_mgf1_32_test.json");
    assertThat(runVerifyVectors(root)).isEmpty();
  }

  private static List<String> runVerifyVectors(JsonNode root) throws Exception {
    List<String> failures = new ArrayList<>();
    int tested = 0;
    for (JsonNode group : root.get("testGroups")) {
      JWK key = publicKey(group);
      for (JsonNode test : group.get("tests")) {
        tested++;
        boolean valid = "valid".equals(test.get("result").asText());
        boolean verified;
        try {
          verified =
              Signatures.verifySigningInput(
                  key,
                  WycheproofVectors.hex(test.get("msg")),
                  WycheproofVectors.hex(test.get("sig")));
        } catch (GeneralSecurityException e) {
          verified = false;
        }
        if (verified != valid) {
          failures.add("tcId " + test.get("tcId").asInt() + " (" + test.get("result") + ")");
        }
      }
    }
    assertThat(tested).isEqualTo(root.get("numberOfTests").asInt());
    return failures;
  }

  /** A few ECDSA groups carry no JWK, only the coordinates. */
  private static JWK publicKey(JsonNode group) throws Exception {
    if (group.has("publicKeyJwk")) {
      return JWK.parse(group.get("publicKeyJwk").toString());
    }
    JsonNode point = group.get("publicKey");
    return new ECKey.Builder(Curve.P_256, coordinate(point.get("wx")), coordinate(point.get("wy")))
        .build();
  }

  private static Base64URL coordinate(JsonNode hex) {
    byte[] unsigned = new BigInteger(1, WycheproofVectors.hex(hex)).toByteArray();
    byte[] fixed = new byte[32];
    int length = Math.min(unsigned.length, 32);
    System.arraycopy(unsigned, unsigned.length - length, fixed, 32 - length, length);
    return Base64URL.encode(fixed);
  }

  private static String signWith(JWSHeader header, RSAKey key) throws Exception {
    return signWith(header, new RSASSASigner(key));
  }

  private static String signWith(JWSHeader header, JWSSigner signer) throws Exception {
    JWSObject object = new JWSObject(header, new Payload(PAYLOAD));
    object.sign(signer);
    return object.serialize();
  }

  private static void assertRefused(
      org.assertj.core.api.ThrowableAssert.ThrowingCallable verification) {
    assertThatThrownBy(verification)
        .isInstanceOf(GeneralSecurityException.class)
        .hasMessage("invalid signature");
  }
}
