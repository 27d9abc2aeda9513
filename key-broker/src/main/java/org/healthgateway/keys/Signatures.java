package org.healthgateway.keys;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.text.ParseException;
import java.util.Objects;
import org.healthgateway.keys.policy.KeyPolicy;
import org.healthgateway.keys.policy.Providers;

/**
 * JWS compact serialization (RFC 7515) with {@code ES256} for EC P-256 keys and {@code PS256}
 * (RSASSA-PSS, SHA-256, MGF1-SHA-256, 32-byte salt) for RSA keys of at least 3072 bits.
 *
 * <p>Header: {@code {"alg": "ES256" | "PS256", "kid": RFC 7638 thumbprint of the signing key}}.
 * Detached signatures follow RFC 7515 appendix F: {@code header..signature}, the payload travels
 * separately and is signed base64url-encoded as usual. Verification refuses an {@code alg} other
 * than the one the key type allows (so {@code none}, {@code HS256}, {@code RS256} fail), a {@code
 * kid} that is not the key's thumbprint, critical headers and unencoded payloads (RFC 7797).
 */
public final class Signatures {

  private Signatures() {}

  /** Signs {@code payload}; returns {@code header.payload.signature}. */
  public static String sign(JWK privateKey, byte[] payload) throws GeneralSecurityException {
    return signed(privateKey, payload).serialize(false);
  }

  /** Signs {@code payload}; returns the detached form {@code header..signature}. */
  public static String signDetached(JWK privateKey, byte[] payload)
      throws GeneralSecurityException {
    return signed(privateKey, payload).serialize(true);
  }

  /**
   * Verifies an attached JWS and returns its payload.
   *
   * @throws GeneralSecurityException with the message {@code "invalid signature"} whatever check
   *     failed; the cause names the check
   */
  public static byte[] verify(JWK publicKey, String jws) throws GeneralSecurityException {
    Objects.requireNonNull(jws, "jws");
    JWSAlgorithm alg = KeyPolicy.signatureAlgorithm(publicKey);
    String kid = KeyPolicy.thumbprint(publicKey);
    try {
      JWSObject object = JWSObject.parse(jws);
      checkSignature(object, publicKey, alg, kid);
      return object.getPayload().toBytes();
    } catch (ParseException | GeneralSecurityException e) {
      throw new GeneralSecurityException("invalid signature", e);
    }
  }

  /**
   * Verifies a detached JWS ({@code header..signature}) over {@code payload}.
   *
   * @throws GeneralSecurityException with the message {@code "invalid signature"} whatever check
   *     failed; the cause names the check
   */
  public static void verifyDetached(JWK publicKey, String detachedJws, byte[] payload)
      throws GeneralSecurityException {
    Objects.requireNonNull(detachedJws, "detachedJws");
    Objects.requireNonNull(payload, "payload");
    JWSAlgorithm alg = KeyPolicy.signatureAlgorithm(publicKey);
    String kid = KeyPolicy.thumbprint(publicKey);
    try {
      checkSignature(JWSObject.parse(detachedJws, new Payload(payload)), publicKey, alg, kid);
    } catch (ParseException | GeneralSecurityException e) {
      throw new GeneralSecurityException("invalid signature", e);
    }
  }

  /**
   * The last step of {@link #verify}: checks {@code signature} over {@code signingInput} with the
   * one algorithm {@code publicKey} allows (known-answer tests call it directly).
   */
  static boolean verifySigningInput(JWK publicKey, byte[] signingInput, byte[] signature)
      throws GeneralSecurityException {
    JWSAlgorithm alg = KeyPolicy.signatureAlgorithm(publicKey);
    try {
      return verifier(publicKey.toPublicJWK())
          .verify(new JWSHeader(alg), signingInput, Base64URL.encode(signature));
    } catch (JOSEException e) {
      throw new GeneralSecurityException("cannot verify", e);
    }
  }

  private static void checkSignature(JWSObject object, JWK publicKey, JWSAlgorithm alg, String kid)
      throws GeneralSecurityException {
    JWSHeader header = object.getHeader();
    if (!alg.equals(header.getAlgorithm())) {
      throw new GeneralSecurityException("alg " + header.getAlgorithm() + " not allowed");
    }
    if (!kid.equals(header.getKeyID())) {
      throw new GeneralSecurityException("kid does not match the key's thumbprint");
    }
    if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
      throw new GeneralSecurityException("critical header parameters not allowed");
    }
    if (!header.isBase64URLEncodePayload()) {
      throw new GeneralSecurityException("unencoded payload not allowed");
    }
    if (!verifySigningInput(publicKey, object.getSigningInput(), object.getSignature().decode())) {
      throw new GeneralSecurityException("signature does not verify");
    }
  }

  private static JWSObject signed(JWK privateKey, byte[] payload) throws GeneralSecurityException {
    Objects.requireNonNull(payload, "payload");
    if (!privateKey.isPrivate()) {
      throw new InvalidKeyException("signing needs a private key");
    }
    JWSHeader header =
        new JWSHeader.Builder(KeyPolicy.signatureAlgorithm(privateKey))
            .keyID(KeyPolicy.thumbprint(privateKey))
            .build();
    JWSObject object = new JWSObject(header, new Payload(payload));
    try {
      object.sign(signer(privateKey));
    } catch (JOSEException e) {
      throw new GeneralSecurityException("cannot sign", e);
    }
    return object;
  }

  private static JWSSigner signer(JWK privateKey) throws JOSEException {
    return privateKey instanceof RSAKey rsa
        ? new RSASSASigner(rsa)
        : new ECDSASigner((ECKey) privateKey);
  }

  private static JWSVerifier verifier(JWK publicKey) throws JOSEException {
    if (publicKey instanceof RSAKey rsa) {
      return new RSASSAVerifier(rsa);
    }
    // Bouncy Castle, because SunEC rejects some valid signatures (see Providers).
    ECDSAVerifier verifier = new ECDSAVerifier((ECKey) publicKey);
    verifier.getJCAContext().setProvider(Providers.BOUNCY_CASTLE);
    return verifier;
  }
}
