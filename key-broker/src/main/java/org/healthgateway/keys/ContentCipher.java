package org.healthgateway.keys;

import java.security.GeneralSecurityException;
import javax.crypto.SecretKey;

/**
 * Authenticated encryption of one resource version under its own data key (DEK).
 *
 * <p>The sealed bytes name their format and algorithm, so a reader can refuse what it does not
 * know. The associated data is not stored: the reader must supply the same bytes (for example
 * {@code ResourceType/id/_history/version} and the patient's ledger pseudonym), which stops a
 * ciphertext from being moved to another record.
 */
public interface ContentCipher {

  /**
   * Encrypts {@code plaintext} under {@code dek}, authenticating {@code aad} as well.
   *
   * @throws java.security.InvalidKeyException if {@code dek} is not a 256-bit AES key
   */
  byte[] seal(SecretKey dek, byte[] plaintext, byte[] aad) throws GeneralSecurityException;

  /**
   * Decrypts what {@link #seal} produced.
   *
   * @throws GeneralSecurityException with the message {@code "invalid ciphertext"} whatever check
   *     failed (length, format, algorithm, tag); the cause names the check for the log
   */
  byte[] open(SecretKey dek, byte[] sealed, byte[] aad) throws GeneralSecurityException;
}
