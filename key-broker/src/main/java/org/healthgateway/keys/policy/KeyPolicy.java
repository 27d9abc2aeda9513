package org.healthgateway.keys.policy;

import com.nimbusds.jose.Algorithm;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import java.security.InvalidKeyException;
import java.util.Arrays;
import java.util.Set;
import javax.crypto.SecretKey;

/**
 * The allow-list of asymmetric keys and the one JOSE algorithm each key type may be used with.
 *
 * <p>Every key has exactly one algorithm per purpose, so a header can never pick a weaker one: RSA
 * (at least 3072 bits) wraps with {@code RSA-OAEP-256} and signs with {@code PS256}; EC P-256 wraps
 * with {@code ECDH-ES+A256KW} and signs with {@code ES256}. A JWK that states {@code use} or {@code
 * alg} or {@code key_ops} must agree with the purpose, so that it also takes the {@code use} of the
 * purpose. An RSA key must convert to a JCA public key (the JDK refuses, for example, an exponent
 * below 3), so that a key the policy accepts can be used.
 */
public final class KeyPolicy {

  /** Smallest RSA modulus accepted anywhere, in bits. */
  public static final int MIN_RSA_BITS = 3072;

  // The operations RFC 7517 section 4.3 (and Nimbus) deem consistent with each use.
  private static final Set<KeyOperation> SIGNATURE_OPS =
      Set.of(KeyOperation.SIGN, KeyOperation.VERIFY);
  private static final Set<KeyOperation> ENCRYPTION_OPS =
      Set.of(
          KeyOperation.ENCRYPT,
          KeyOperation.DECRYPT,
          KeyOperation.WRAP_KEY,
          KeyOperation.UNWRAP_KEY);

  private KeyPolicy() {}

  /** Returns the key-wrapping algorithm for {@code key}, or throws if the key is not allowed. */
  public static JWEAlgorithm keyWrapAlgorithm(JWK key) throws InvalidKeyException {
    JWEAlgorithm alg = isRsa(key) ? JWEAlgorithm.RSA_OAEP_256 : JWEAlgorithm.ECDH_ES_A256KW;
    requirePurpose(key, KeyUse.ENCRYPTION, alg);
    return alg;
  }

  /** Returns the signature algorithm for {@code key}, or throws if the key is not allowed. */
  public static JWSAlgorithm signatureAlgorithm(JWK key) throws InvalidKeyException {
    JWSAlgorithm alg = isRsa(key) ? JWSAlgorithm.PS256 : JWSAlgorithm.ES256;
    requirePurpose(key, KeyUse.SIGNATURE, alg);
    return alg;
  }

  /** Throws unless {@code key} is an RSA key of at least 3072 bits or an EC P-256 key. */
  public static void requireSupported(JWK key) throws InvalidKeyException {
    isRsa(key);
  }

  /** Returns the RFC 7638 SHA-256 thumbprint of {@code key}, base64url without padding. */
  public static String thumbprint(JWK key) throws InvalidKeyException {
    try {
      return key.computeThumbprint("SHA-256").toString();
    } catch (JOSEException e) {
      throw new InvalidKeyException("cannot compute the JWK thumbprint", e);
    }
  }

  /** Throws unless {@code key} is a 256-bit AES key. */
  public static void requireAes256(SecretKey key, String role) throws InvalidKeyException {
    if (key == null || !"AES".equalsIgnoreCase(key.getAlgorithm())) {
      throw new InvalidKeyException(role + " must be an AES key");
    }
    byte[] encoded = key.getEncoded();
    int length = encoded == null ? -1 : encoded.length;
    if (encoded != null) {
      Arrays.fill(encoded, (byte) 0);
    }
    if (length != 32) {
      throw new InvalidKeyException(role + " must be a 256-bit AES key");
    }
  }

  private static boolean isRsa(JWK key) throws InvalidKeyException {
    if (key instanceof RSAKey rsa) {
      if (rsa.size() < MIN_RSA_BITS) {
        throw new InvalidKeyException("RSA keys must have at least " + MIN_RSA_BITS + " bits");
      }
      try {
        rsa.toRSAPublicKey();
      } catch (JOSEException e) {
        throw new InvalidKeyException("not a valid RSA public key", e);
      }
      return true;
    }
    if (key instanceof ECKey ec) {
      if (!Curve.P_256.equals(ec.getCurve())) {
        throw new InvalidKeyException("EC keys must be on curve P-256");
      }
      return false;
    }
    throw new InvalidKeyException("only RSA and EC P-256 keys are supported");
  }

  private static void requirePurpose(JWK key, KeyUse use, Algorithm alg)
      throws InvalidKeyException {
    if (key.getKeyUse() != null && !use.equals(key.getKeyUse())) {
      throw new InvalidKeyException("key is marked for use " + key.getKeyUse().identifier());
    }
    if (key.getAlgorithm() != null && !alg.equals(key.getAlgorithm())) {
      throw new InvalidKeyException("key is marked for algorithm " + key.getAlgorithm());
    }
    Set<KeyOperation> allowed = use.equals(KeyUse.SIGNATURE) ? SIGNATURE_OPS : ENCRYPTION_OPS;
    if (key.getKeyOperations() != null && !allowed.containsAll(key.getKeyOperations())) {
      throw new InvalidKeyException("key is marked for operations " + key.getKeyOperations());
    }
  }
}
