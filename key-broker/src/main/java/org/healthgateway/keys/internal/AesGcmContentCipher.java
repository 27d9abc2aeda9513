package org.healthgateway.keys.internal;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import org.healthgateway.keys.ContentCipher;
import org.healthgateway.keys.policy.KeyPolicy;

/**
 * AES-256-GCM (NIST SP 800-38D) with a fresh 96-bit random nonce per seal and a 128-bit tag.
 *
 * <p>Wire format, byte by byte:
 *
 * <pre>
 * offset  length  content
 * 0       1       0x01  format version
 * 1       1       0x01  algorithm id: A256GCM (AES-256-GCM, 96-bit nonce, 128-bit tag)
 * 2       12      nonce
 * 14      n       ciphertext (n = plaintext length)
 * 14+n    16      GCM tag
 * </pre>
 *
 * <p>The GCM associated data is the two header bytes followed by the caller's AAD, so version and
 * algorithm are authenticated too. Random 96-bit nonces are safe because each DEK seals one
 * resource version only (far below the 2^32 messages per key that SP 800-38D allows).
 */
public final class AesGcmContentCipher implements ContentCipher {

  static final byte FORMAT_VERSION = 0x01;
  static final byte ALG_A256GCM = 0x01;
  static final int HEADER_BYTES = 2;
  static final int NONCE_BYTES = 12;
  static final int TAG_BYTES = 16;
  static final int MIN_SEALED_BYTES = HEADER_BYTES + NONCE_BYTES + TAG_BYTES;

  private static final String TRANSFORMATION = "AES/GCM/NoPadding";

  private final SecureRandom random;

  private AesGcmContentCipher(SecureRandom random) {
    this.random = random;
  }

  /** Returns a cipher that draws nonces from a new {@link SecureRandom}. */
  public static AesGcmContentCipher create() {
    return new AesGcmContentCipher(new SecureRandom());
  }

  @Override
  public byte[] seal(SecretKey dek, byte[] plaintext, byte[] aad) throws GeneralSecurityException {
    KeyPolicy.requireAes256(dek, "DEK");
    Objects.requireNonNull(plaintext, "plaintext");
    Objects.requireNonNull(aad, "aad");
    byte[] out = new byte[MIN_SEALED_BYTES + plaintext.length];
    out[0] = FORMAT_VERSION;
    out[1] = ALG_A256GCM;
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    System.arraycopy(nonce, 0, out, HEADER_BYTES, NONCE_BYTES);
    Cipher gcm = init(Cipher.ENCRYPT_MODE, dek, nonce);
    gcm.updateAAD(out, 0, HEADER_BYTES);
    gcm.updateAAD(aad);
    gcm.doFinal(plaintext, 0, plaintext.length, out, HEADER_BYTES + NONCE_BYTES);
    return out;
  }

  @Override
  public byte[] open(SecretKey dek, byte[] sealed, byte[] aad) throws GeneralSecurityException {
    KeyPolicy.requireAes256(dek, "DEK");
    Objects.requireNonNull(sealed, "sealed");
    Objects.requireNonNull(aad, "aad");
    try {
      checkHeader(sealed);
      byte[] nonce = new byte[NONCE_BYTES];
      System.arraycopy(sealed, HEADER_BYTES, nonce, 0, NONCE_BYTES);
      Cipher gcm = init(Cipher.DECRYPT_MODE, dek, nonce);
      gcm.updateAAD(sealed, 0, HEADER_BYTES);
      gcm.updateAAD(aad);
      int offset = HEADER_BYTES + NONCE_BYTES;
      return gcm.doFinal(sealed, offset, sealed.length - offset);
    } catch (GeneralSecurityException e) {
      throw new GeneralSecurityException("invalid ciphertext", e);
    }
  }

  /** The bare GCM primitive that seal uses, with an explicit nonce (known-answer tests). */
  static byte[] encrypt(SecretKey key, byte[] nonce, byte[] plaintext, byte[] aad)
      throws GeneralSecurityException {
    Cipher gcm = init(Cipher.ENCRYPT_MODE, key, nonce);
    gcm.updateAAD(aad);
    return gcm.doFinal(plaintext);
  }

  /** The bare GCM primitive that open uses: ciphertext || tag in, plaintext out. */
  static byte[] decrypt(SecretKey key, byte[] nonce, byte[] ciphertextAndTag, byte[] aad)
      throws GeneralSecurityException {
    Cipher gcm = init(Cipher.DECRYPT_MODE, key, nonce);
    gcm.updateAAD(aad);
    return gcm.doFinal(ciphertextAndTag);
  }

  private static Cipher init(int mode, SecretKey key, byte[] nonce)
      throws GeneralSecurityException {
    KeyPolicy.requireAes256(key, "DEK");
    if (nonce.length != NONCE_BYTES) {
      throw new GeneralSecurityException("nonce must be " + NONCE_BYTES + " bytes");
    }
    Cipher gcm = Cipher.getInstance(TRANSFORMATION);
    gcm.init(mode, key, new GCMParameterSpec(TAG_BYTES * 8, nonce));
    return gcm;
  }

  private static void checkHeader(byte[] sealed) throws GeneralSecurityException {
    if (sealed.length < MIN_SEALED_BYTES) {
      throw new GeneralSecurityException("sealed content shorter than " + MIN_SEALED_BYTES);
    }
    if (sealed[0] != FORMAT_VERSION) {
      throw new GeneralSecurityException("unknown format version " + sealed[0]);
    }
    if (sealed[1] != ALG_A256GCM) {
      throw new GeneralSecurityException("unknown algorithm id " + sealed[1]);
    }
  }
}
