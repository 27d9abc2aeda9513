package org.healthgateway.keys.consent;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.text.ParseException;
import java.time.Instant;
import java.util.Map;
import org.healthgateway.keys.KeyPairs;
import org.healthgateway.keys.Signatures;
import org.healthgateway.keys.policy.KeyPolicy;

/**
 * The checks of a key registration (flow 7 of the design, {@code $register-keys}): pure logic on
 * facts the caller gathers, no I/O, thread-safe. A user registers its own public keys; only a
 * registrar registers keys for a patient of this node (a recovery). Each key is a public key that
 * {@link KeyPolicy} accepts for its purpose. Every registration carries a proof of possession: a
 * JWS by the new signing key over {@code {"sub":subject,"enc":thumbprint,"sig":thumbprint,
 * "iat":seconds}}, at most {@value #MAX_PROOF_AGE_SECONDS} seconds off. Once a user holds its keys
 * itself, new keys also need a rotation proof: the same claims signed by the current signing key.
 * The caller asks {@link #recovery}, {@link #key}, {@link #possession} and {@link #rotation} in
 * that order and stops at the first refusal.
 */
public final class KeyRule {
  /** How far a proof's {@code iat} may lie from now, either way, in seconds. */
  public static final long MAX_PROOF_AGE_SECONDS = 300;

  private static final String PROOF_OF_POSSESSION = "proof of possession";
  private static final String ROTATION_PROOF = "rotation proof";

  /**
   * Decides whether the requester may register keys for a patient other than itself.
   *
   * @param registrar whether the requester is one of this node's registrars
   * @param patientKnown whether the patient is a live Patient of this node
   */
  public Decision recovery(String patientRef, boolean registrar, boolean patientKnown) {
    if (!registrar) {
      return Decision.deny("Only a registrar registers keys for someone else (parameter patient)");
    }
    if (!patientKnown) {
      return Decision.notFound(patientRef + " is not known");
    }
    return Decision.permit("a registrar recovers " + patientRef);
  }

  /**
   * Decides whether a client's key may be registered for {@code use}: a public key that passes the
   * checks of every later wrap ({@link KeyUse#ENCRYPTION}) or signature check ({@link
   * KeyUse#SIGNATURE}) with it, so that an accepted key works for its owner.
   */
  public Decision key(JWK key, KeyUse use) {
    if (key.isPrivate()) {
      return Decision.invalid("Register public keys only: a private key was sent");
    }
    try {
      if (KeyUse.ENCRYPTION.equals(use)) {
        KeyPolicy.keyWrapAlgorithm(key);
      } else {
        KeyPolicy.signatureAlgorithm(key);
      }
    } catch (GeneralSecurityException e) {
      return unsupportedKey(e.getMessage());
    }
    return Decision.permit("a supported public key");
  }

  /** The refusal of a key that is not a JWK at all, or one the policy does not accept. */
  public static Decision unsupportedKey(String why) {
    return Decision.invalid("Not a supported public JWK: " + why);
  }

  /**
   * Decides the proof of possession: a JWS by the new signing key {@code sig} over the claims for
   * {@code subject} and both new keys.
   */
  public Decision possession(String subject, JWK enc, JWK sig, String proof, Instant now) {
    return claims(subject, enc, sig, sig, proof, now, PROOF_OF_POSSESSION);
  }

  /**
   * Decides whether new keys may replace the subject's current ones. Needs no rotation proof for a
   * registrar's recovery, for a user without registered keys, and for a user whose keys this node
   * made; anyone else needs the claims signed by its current signing key.
   *
   * @param recovery whether a registrar registers the keys ({@link #recovery} permitted it)
   * @param currentSigningKey the subject's registered signing key, or null if it has none
   * @param nodeHoldsCurrentKey whether this node holds the private half of that key
   * @param rotationProof the client's rotation proof, or null if it sent none
   */
  public Decision rotation(
      String subject,
      boolean recovery,
      JWK currentSigningKey,
      boolean nodeHoldsCurrentKey,
      JWK enc,
      JWK sig,
      String rotationProof,
      Instant now) {
    if (recovery) {
      return Decision.permit("a registrar's recovery replaces the keys");
    }
    if (currentSigningKey == null || nodeHoldsCurrentKey) {
      return Decision.permit("the first keys " + subject + " holds itself");
    }
    if (rotationProof == null || rotationProof.isEmpty()) {
      return Decision.deny(
          subject
              + " already holds its keys: new keys need a rotationProof signed by the current"
              + " signing key, or a registrar's recovery");
    }
    return claims(subject, enc, sig, currentSigningKey, rotationProof, now, ROTATION_PROOF);
  }

  private static Decision claims(
      String subject, JWK enc, JWK sig, JWK signer, String jws, Instant now, String what) {
    try {
      byte[] payload = Signatures.verify(signer, jws);
      Map<String, Object> claims =
          JSONObjectUtils.parse(new String(payload, StandardCharsets.UTF_8));
      long iat = JSONObjectUtils.getLong(claims, "iat");
      // Bounds around now, not |now - iat|: that difference overflows for an iat near
      // Long.MIN_VALUE, and Math.abs(Long.MIN_VALUE) is negative.
      long seconds = now.getEpochSecond();
      boolean fresh =
          iat >= seconds - MAX_PROOF_AGE_SECONDS && iat <= seconds + MAX_PROOF_AGE_SECONDS;
      if (!subject.equals(claims.get("sub"))
          || !KeyPairs.thumbprint(enc).equals(claims.get("enc"))
          || !KeyPairs.thumbprint(sig).equals(claims.get("sig"))
          || !fresh) {
        return Decision.deny("The " + what + " does not match");
      }
      return Decision.permit("the " + what + " verifies");
    } catch (GeneralSecurityException | ParseException e) {
      return Decision.deny("The " + what + " does not verify");
    }
  }
}
