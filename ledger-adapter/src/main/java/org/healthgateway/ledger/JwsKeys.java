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
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.Provider;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.util.Base64;
import java.util.Set;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The JWS allow-list shared by transaction and checkpoint signatures: ES256 for EC P-256 keys,
 * PS256 for RSA keys of at least 3072 bits (as key-broker requires). The algorithm follows from the
 * key, never from the header, so a signature cannot pick a weaker one.
 */
final class JwsKeys {

  private static final int MIN_RSA_BITS = 3072;
  private static final Provider BOUNCY_CASTLE = new BouncyCastleProvider();
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
    throw new JOSEException("key type not allowed: only EC P-256 (ES256) and RSA >= 3072 (PS256)");
  }

  /**
   * A signer for {@code privateKey}. ES256 runs on Bouncy Castle with the key converted to its own
   * form once: its P-256 arithmetic signs ~7x and verifies ~13x faster than JDK 17's SunEC, which
   * matters because every resource version carries a signature (see the benchmarks README).
   */
  static JWSSigner signer(JWK privateKey) throws JOSEException {
    JWSAlgorithm alg = algorithm(privateKey);
    if (!privateKey.isPrivate()) {
      throw new JOSEException("signing needs a private key");
    }
    if (!JWSAlgorithm.ES256.equals(alg)) {
      return new RSASSASigner(privateKey.toRSAKey());
    }
    ECDSASigner signer =
        new ECDSASigner(
            (ECPrivateKey) bouncyCastleKey(privateKey.toECKey().toECPrivateKey()), Curve.P_256);
    signer.getJCAContext().setProvider(BOUNCY_CASTLE);
    return signer;
  }

  static JWSVerifier verifier(JWK publicKey) throws JOSEException {
    JWSAlgorithm alg = algorithm(publicKey);
    if (!JWSAlgorithm.ES256.equals(alg)) {
      return new RSASSAVerifier(publicKey.toRSAKey().toPublicJWK());
    }
    ECDSAVerifier verifier =
        new ECDSAVerifier((ECPublicKey) bouncyCastleKey(publicKey.toECKey().toECPublicKey()));
    verifier.getJCAContext().setProvider(BOUNCY_CASTLE);
    return verifier;
  }

  private static Key bouncyCastleKey(Key key) throws JOSEException {
    try {
      return KeyFactory.getInstance("EC", BOUNCY_CASTLE).translateKey(key);
    } catch (GeneralSecurityException e) {
      throw new JOSEException("cannot convert the EC key", e);
    }
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
   * True if {@code header} names {@code alg} (the allowed algorithm of the key), carries no other
   * parameters than alg, kid and typ, and, if it has a kid, {@code kid} (the key's thumbprint).
   */
  static boolean headerFits(JWSHeader header, JWSAlgorithm alg, String kid) {
    return header.getAlgorithm().equals(alg)
        && ALLOWED_HEADER_PARAMS.containsAll(header.getIncludedParams())
        && (header.getKeyID() == null || header.getKeyID().equals(kid));
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
