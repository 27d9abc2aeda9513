package org.healthgateway.ledger;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import java.util.Base64;
import java.util.Set;

/**
 * The JWS allow-list shared by transaction and checkpoint signatures: ES256 for EC P-256 keys,
 * PS256 for RSA keys of at least 2048 bits. The algorithm follows from the key, never from the
 * header, so a signature cannot pick a weaker one.
 */
final class JwsKeys {

  private static final int MIN_RSA_BITS = 2048;
  private static final Set<String> ALLOWED_HEADER_PARAMS = Set.of("alg", "kid", "typ");

  private JwsKeys() {}

  /** The one algorithm allowed for {@code key}. */
  static JWSAlgorithm algorithm(JWK key) throws JOSEException {
    if (key instanceof ECKey ec && Curve.P_256.equals(ec.getCurve())) {
      return JWSAlgorithm.ES256;
    }
    if (key instanceof RSAKey rsa && rsa.size() >= MIN_RSA_BITS) {
      return JWSAlgorithm.PS256;
    }
    throw new JOSEException("key type not allowed: only EC P-256 (ES256) and RSA >= 2048 (PS256)");
  }

  static JWSSigner signer(JWK privateKey) throws JOSEException {
    JWSAlgorithm alg = algorithm(privateKey);
    if (!privateKey.isPrivate()) {
      throw new JOSEException("signing needs a private key");
    }
    return alg == JWSAlgorithm.ES256
        ? new ECDSASigner(privateKey.toECKey())
        : new RSASSASigner(privateKey.toRSAKey());
  }

  static JWSVerifier verifier(JWK publicKey) throws JOSEException {
    JWSAlgorithm alg = algorithm(publicKey);
    return alg == JWSAlgorithm.ES256
        ? new ECDSAVerifier(publicKey.toECKey().toPublicJWK())
        : new RSASSAVerifier(publicKey.toRSAKey().toPublicJWK());
  }

  /** The header a signature by {@code key} carries: the allowed alg and the key's thumbprint. */
  static JWSHeader header(JWK key) throws JOSEException {
    return new JWSHeader.Builder(algorithm(key)).keyID(keyId(key)).build();
  }

  /** RFC 7638 SHA-256 thumbprint, base64url. */
  static String keyId(JWK key) throws JOSEException {
    return key.computeThumbprint().toString();
  }

  /**
   * True if {@code header} names the allowed algorithm of {@code key}, carries no other parameters
   * than alg, kid and typ, and, if it has a kid, the key's thumbprint.
   */
  static boolean headerFits(JWSHeader header, JWK key) throws JOSEException {
    return header.getAlgorithm().equals(algorithm(key))
        && ALLOWED_HEADER_PARAMS.containsAll(header.getIncludedParams())
        && (header.getKeyID() == null || header.getKeyID().equals(keyId(key)));
  }

  /**
   * True if {@code part} is unpadded base64url that re-encodes to itself: the decoders ignore the
   * spare bits of the last character, which would make signatures malleable.
   */
  static boolean canonicalBase64Url(String part) {
    try {
      byte[] decoded = Base64.getUrlDecoder().decode(part);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(decoded).equals(part);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
