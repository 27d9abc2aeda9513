package org.healthgateway.keys.consent;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.healthgateway.keys.KeyPairs;
import org.healthgateway.keys.Signatures;
import org.healthgateway.keys.consent.Decision.Kind;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Each check of a key registration, one branch per test. */
class KeyRuleTest {
  private static final String PATIENT = "Patient/p";
  private static final Instant NOW = Instant.parse("2026-01-15T10:00:00Z");
  private static final long SECONDS = NOW.getEpochSecond();

  private static ECKey enc;
  private static ECKey sig;
  private static ECKey current;
  private static RSAKey rsa3072;

  private final KeyRule rule = new KeyRule();

  @BeforeAll
  static void generateKeys() throws Exception {
    enc = KeyPairs.generateEc();
    sig = KeyPairs.generateEc();
    current = KeyPairs.generateEc();
    rsa3072 = KeyPairs.generateRsa();
  }

  private static String proof(JWK signer, String sub, JWK encKey, JWK sigKey, Object iat)
      throws Exception {
    Map<String, Object> claims = new LinkedHashMap<>();
    claims.put("sub", sub);
    claims.put("enc", KeyPairs.thumbprint(encKey));
    claims.put("sig", KeyPairs.thumbprint(sigKey));
    claims.put("iat", iat);
    return Signatures.sign(
        signer, JSONObjectUtils.toJSONString(claims).getBytes(StandardCharsets.UTF_8));
  }

  private static String proof(JWK signer) throws Exception {
    return proof(signer, PATIENT, enc, sig, SECONDS);
  }

  private Decision possession(String proof) {
    return rule.possession(PATIENT, enc.toPublicJWK(), sig.toPublicJWK(), proof, NOW);
  }

  private Decision rotation(boolean recovery, JWK currentKey, boolean nodeHolds, String proof) {
    return rule.rotation(
        PATIENT, recovery, currentKey, nodeHolds, enc.toPublicJWK(), sig.toPublicJWK(), proof, NOW);
  }

  @Test
  void recovery_byARegistrarOfAKnownPatient_isPermitted() {
    assertThat(rule.recovery(PATIENT, true, true).permitted()).isTrue();
  }

  @Test
  void recovery_byAnyoneElse_isDenied() {
    assertThat(rule.recovery(PATIENT, false, true))
        .isEqualTo(
            Decision.deny("Only a registrar registers keys for someone else (parameter patient)"));
  }

  @Test
  void recovery_ofAnUnknownPatient_isNotFound() {
    assertThat(rule.recovery(PATIENT, true, false))
        .isEqualTo(Decision.notFound("Patient/p is not known"));
  }

  @Test
  void recovery_byAnyoneElseOfAnUnknownPatient_isDeniedNotNotFound() {
    assertThat(rule.recovery(PATIENT, false, false).kind()).isEqualTo(Kind.DENY);
  }

  @Test
  void key_publicEcP256AndRsa3072_arePermittedForBothUses() {
    for (JWK key : new JWK[] {enc.toPublicJWK(), rsa3072.toPublicJWK()}) {
      assertThat(rule.key(key, KeyUse.ENCRYPTION).permitted()).isTrue();
      assertThat(rule.key(key, KeyUse.SIGNATURE).permitted()).isTrue();
    }
  }

  @Test
  void key_private_isInvalid() {
    assertThat(rule.key(enc, KeyUse.ENCRYPTION))
        .isEqualTo(Decision.invalid("Register public keys only: a private key was sent"));
  }

  @Test
  void key_rsaBelow3072Bits_isInvalid() throws Exception {
    RSAKey rsa2048 = new RSAKeyGenerator(2048).generate().toPublicJWK();

    for (KeyUse use : new KeyUse[] {KeyUse.ENCRYPTION, KeyUse.SIGNATURE}) {
      Decision decision = rule.key(rsa2048, use);

      assertThat(decision.kind()).isEqualTo(Kind.INVALID);
      assertThat(decision.reason())
          .isEqualTo("Not a supported public JWK: RSA keys must have at least 3072 bits");
    }
  }

  @Test
  void key_otherCurve_isInvalid() throws Exception {
    ECKey p384 = new ECKeyGenerator(Curve.P_384).generate().toPublicJWK();

    assertThat(rule.key(p384, KeyUse.SIGNATURE))
        .isEqualTo(KeyRule.unsupportedKey("EC keys must be on curve P-256"));
  }

  @Test
  void key_markedForTheOtherUse_isInvalidForItAndPermittedForItsOwn() {
    JWK signing = new ECKey.Builder(sig.toPublicJWK()).keyUse(KeyUse.SIGNATURE).build();
    JWK encryption = new ECKey.Builder(enc.toPublicJWK()).keyUse(KeyUse.ENCRYPTION).build();

    assertThat(rule.key(signing, KeyUse.ENCRYPTION))
        .isEqualTo(KeyRule.unsupportedKey("key is marked for use sig"));
    assertThat(rule.key(encryption, KeyUse.SIGNATURE))
        .isEqualTo(KeyRule.unsupportedKey("key is marked for use enc"));
    assertThat(rule.key(signing, KeyUse.SIGNATURE).permitted()).isTrue();
    assertThat(rule.key(encryption, KeyUse.ENCRYPTION).permitted()).isTrue();
  }

  @Test
  void key_markedForAnotherAlgorithmOrOperation_isInvalid() {
    JWK es256 = new ECKey.Builder(enc.toPublicJWK()).algorithm(JWSAlgorithm.ES256).build();
    JWK signOnly =
        new ECKey.Builder(enc.toPublicJWK()).keyOperations(Set.of(KeyOperation.SIGN)).build();

    assertThat(rule.key(es256, KeyUse.ENCRYPTION).kind()).isEqualTo(Kind.INVALID);
    assertThat(rule.key(signOnly, KeyUse.ENCRYPTION).kind()).isEqualTo(Kind.INVALID);
    assertThat(rule.key(es256, KeyUse.SIGNATURE).permitted()).isTrue();
  }

  @Test
  void unsupportedKey_isInvalidWithTheStablePrefix() {
    assertThat(KeyRule.unsupportedKey("why"))
        .isEqualTo(Decision.invalid("Not a supported public JWK: why"));
  }

  @Test
  void possession_signedByTheNewSigningKeyOverItsClaims_isPermitted() throws Exception {
    assertThat(possession(proof(sig)).permitted()).isTrue();
  }

  @Test
  void possession_signedByAnotherKey_doesNotVerify() throws Exception {
    assertThat(possession(proof(current)))
        .isEqualTo(Decision.deny("The proof of possession does not verify"));
  }

  @Test
  void possession_notAJws_doesNotVerify() {
    assertThat(possession("not.a.jws").reason())
        .isEqualTo("The proof of possession does not verify");
    assertThat(possession("").kind()).isEqualTo(Kind.DENY);
  }

  @Test
  void possession_payloadNotJsonOrWithoutIat_doesNotVerify() throws Exception {
    String notJson = Signatures.sign(sig, "[1]".getBytes(StandardCharsets.UTF_8));
    String noIat = proof(sig, PATIENT, enc, sig, null);
    String textIat = proof(sig, PATIENT, enc, sig, "now");

    for (String proof : new String[] {notJson, noIat, textIat}) {
      assertThat(possession(proof).reason()).isEqualTo("The proof of possession does not verify");
    }
  }

  @Test
  void possession_forAnotherSubject_doesNotMatch() throws Exception {
    assertThat(possession(proof(sig, "Patient/q", enc, sig, SECONDS)))
        .isEqualTo(Decision.deny("The proof of possession does not match"));
  }

  @Test
  void possession_forOtherKeys_doesNotMatch() throws Exception {
    JWK other = current.toPublicJWK();

    assertThat(possession(proof(sig, PATIENT, other, sig, SECONDS)).reason())
        .isEqualTo("The proof of possession does not match");
    assertThat(possession(proof(sig, PATIENT, enc, other, SECONDS)).reason())
        .isEqualTo("The proof of possession does not match");
  }

  @Test
  void possession_iatAtMost300SecondsOff_isPermitted_more_doesNotMatch() throws Exception {
    for (long off : new long[] {-300, 300}) {
      assertThat(possession(proof(sig, PATIENT, enc, sig, SECONDS + off)).permitted()).isTrue();
    }
    for (long off : new long[] {-301, 301}) {
      assertThat(possession(proof(sig, PATIENT, enc, sig, SECONDS + off)).reason())
          .isEqualTo("The proof of possession does not match");
    }
  }

  @Test
  void possession_iatWhoseDistanceToNowOverflows_doesNotMatch() throws Exception {
    // now - iat is Long.MIN_VALUE, whose Math.abs is negative: an |now - iat| check passes it.
    long overflowing = Long.MIN_VALUE + SECONDS;

    for (long iat : new long[] {overflowing, Long.MIN_VALUE, Long.MAX_VALUE}) {
      assertThat(possession(proof(sig, PATIENT, enc, sig, iat)).reason())
          .isEqualTo("The proof of possession does not match");
    }
  }

  @Test
  void rotation_recovery_needsNoRotationProof() {
    assertThat(rotation(true, current.toPublicJWK(), false, null).permitted()).isTrue();
  }

  @Test
  void rotation_firstKeysOrKeysTheNodeMade_needNoRotationProof() {
    assertThat(rotation(false, null, false, null).permitted()).isTrue();
    assertThat(rotation(false, current.toPublicJWK(), true, null).permitted()).isTrue();
  }

  @Test
  void rotation_userHoldingItsKeysWithoutRotationProof_isDenied() {
    Decision expected =
        Decision.deny(
            "Patient/p already holds its keys: new keys need a rotationProof signed by the"
                + " current signing key, or a registrar's recovery");

    assertThat(rotation(false, current.toPublicJWK(), false, null)).isEqualTo(expected);
    assertThat(rotation(false, current.toPublicJWK(), false, "")).isEqualTo(expected);
  }

  @Test
  void rotation_proofSignedByTheCurrentKey_isPermitted() throws Exception {
    assertThat(rotation(false, current.toPublicJWK(), false, proof(current)).permitted()).isTrue();
  }

  @Test
  void rotation_proofSignedByTheNewKey_doesNotVerify() throws Exception {
    assertThat(rotation(false, current.toPublicJWK(), false, proof(sig)))
        .isEqualTo(Decision.deny("The rotation proof does not verify"));
  }

  @Test
  void rotation_proofByTheCurrentKeyForOtherKeys_doesNotMatch() throws Exception {
    String forOtherKeys = proof(current, PATIENT, current, sig, SECONDS);

    assertThat(rotation(false, current.toPublicJWK(), false, forOtherKeys))
        .isEqualTo(Decision.deny("The rotation proof does not match"));
  }
}
