package org.healthgateway.keys;

import java.security.GeneralSecurityException;
import javax.crypto.SecretKey;

/** Wraps a symmetric key (a DEK) under another symmetric key (a grant key). */
public interface KeyWrapper {

  /**
   * Wraps {@code key} under {@code kek}.
   *
   * @throws java.security.InvalidKeyException if either key is not a 256-bit AES key
   */
  byte[] wrap(SecretKey kek, SecretKey key) throws GeneralSecurityException;

  /**
   * Unwraps what {@link #wrap} produced.
   *
   * @throws GeneralSecurityException with the message {@code "invalid ciphertext"} whatever check
   *     failed; the cause names the check for the log
   */
  SecretKey unwrap(SecretKey kek, byte[] wrapped) throws GeneralSecurityException;
}
