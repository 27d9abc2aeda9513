package org.healthgateway.keys;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.security.GeneralSecurityException;
import org.healthgateway.keys.policy.KeyPolicy;

/**
 * Generates the identity key pairs the gateway supports, as private JWKs whose {@code kid} is the
 * RFC 7638 SHA-256 thumbprint.
 */
public final class KeyPairs {

  private KeyPairs() {}

  /** Generates an RSA key pair of 3072 bits (slow: tens to hundreds of milliseconds). */
  public static RSAKey generateRsa() throws GeneralSecurityException {
    try {
      return new RSAKeyGenerator(KeyPolicy.MIN_RSA_BITS).keyIDFromThumbprint(true).generate();
    } catch (JOSEException e) {
      throw new GeneralSecurityException("cannot generate an RSA key pair", e);
    }
  }

  /** Generates an EC key pair on curve P-256. */
  public static ECKey generateEc() throws GeneralSecurityException {
    try {
      return new ECKeyGenerator(Curve.P_256).keyIDFromThumbprint(true).generate();
    } catch (JOSEException e) {
      throw new GeneralSecurityException("cannot generate an EC key pair", e);
    }
  }

  /**
   * Returns the RFC 7638 SHA-256 thumbprint of {@code key} (public members only, so a private key
   * and its public half share one thumbprint), base64url without padding.
   */
  public static String thumbprint(JWK key) throws GeneralSecurityException {
    return KeyPolicy.thumbprint(key);
  }
}
