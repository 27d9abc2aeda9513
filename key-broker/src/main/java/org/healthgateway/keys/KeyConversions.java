package org.healthgateway.keys;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;

/** Between JWKs and JCA key pairs, for the keystore (EC keys are P-256, the only curve allowed). */
final class KeyConversions {

  private KeyConversions() {}

  /** Returns the key pair of a private RSA or EC JWK. */
  static KeyPair toKeyPair(JWK key) throws GeneralSecurityException {
    try {
      return key instanceof RSAKey rsa ? rsa.toKeyPair() : ((ECKey) key).toKeyPair();
    } catch (JOSEException e) {
      throw new GeneralSecurityException("cannot convert the JWK", e);
    }
  }

  /**
   * Returns the JWK of {@code publicKey} (and {@code privateKey} unless null), kid = thumbprint.
   */
  static JWK toJwk(PublicKey publicKey, PrivateKey privateKey) {
    if (publicKey instanceof RSAPublicKey rsa) {
      RSAKey.Builder builder = new RSAKey.Builder(rsa);
      if (privateKey != null) {
        builder.privateKey(privateKey);
      }
      return keyIdFromThumbprint(builder);
    }
    ECKey.Builder builder = new ECKey.Builder(Curve.P_256, (ECPublicKey) publicKey);
    if (privateKey != null) {
      builder.privateKey((ECPrivateKey) privateKey);
    }
    return keyIdFromThumbprint(builder);
  }

  private static JWK keyIdFromThumbprint(RSAKey.Builder builder) {
    try {
      return builder.keyIDFromThumbprint().build();
    } catch (JOSEException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  private static JWK keyIdFromThumbprint(ECKey.Builder builder) {
    try {
      return builder.keyIDFromThumbprint().build();
    } catch (JOSEException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }
}
