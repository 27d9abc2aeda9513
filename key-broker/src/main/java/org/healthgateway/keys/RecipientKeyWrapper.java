package org.healthgateway.keys;

import com.nimbusds.jose.jwk.JWK;
import java.security.GeneralSecurityException;
import javax.crypto.SecretKey;

/** Wraps a grant key for one recipient's public key, so that only the recipient can unwrap it. */
public interface RecipientKeyWrapper {

  /**
   * Wraps {@code grantKey} for {@code recipientPublicKey}.
   *
   * @throws java.security.InvalidKeyException if the recipient key or the grant key is not of a
   *     supported type and size
   */
  String wrap(JWK recipientPublicKey, SecretKey grantKey) throws GeneralSecurityException;

  /**
   * Unwraps a grant key with the recipient's private key.
   *
   * @throws GeneralSecurityException with the message {@code "invalid ciphertext"} whatever check
   *     failed (algorithm not allowed, key id mismatch, decryption); the cause names the check
   */
  SecretKey unwrap(JWK recipientPrivateKey, String wrapped) throws GeneralSecurityException;
}
