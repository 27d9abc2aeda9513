package org.healthgateway.keys.internal;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEDecrypter;
import com.nimbusds.jose.JWEEncrypter;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWEObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDHDecrypter;
import com.nimbusds.jose.crypto.ECDHEncrypter;
import com.nimbusds.jose.crypto.RSADecrypter;
import com.nimbusds.jose.crypto.RSAEncrypter;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.text.ParseException;
import java.util.Arrays;
import java.util.Objects;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.healthgateway.keys.RecipientKeyWrapper;
import org.healthgateway.keys.policy.KeyPolicy;

/**
 * Wraps a 256-bit grant key for a recipient as a JWE compact serialization (RFC 7516).
 *
 * <p>Wire format: {@code BASE64URL(header) . BASE64URL(encrypted CEK) . BASE64URL(iv) .
 * BASE64URL(ciphertext) . BASE64URL(tag)}, where the plaintext is the 32 raw bytes of the grant
 * key. The protected header is
 *
 * <pre>
 * {"alg": "RSA-OAEP-256" | "ECDH-ES+A256KW",   (RFC 7518 4.3 / 4.6; chosen by key type)
 *  "enc": "A256GCM",
 *  "kid": RFC 7638 SHA-256 thumbprint of the recipient key,
 *  "cty": "grant-key",
 *  "epk": ephemeral P-256 public key (ECDH-ES only)}
 * </pre>
 *
 * <p>Only standard JOSE is used, so a browser can unwrap with WebCrypto ({@code RSA-OAEP} with
 * SHA-256; {@code ECDH} + Concat KDF + {@code AES-KW}; {@code AES-GCM}). Unwrapping refuses any
 * other {@code alg} or {@code enc}, an {@code alg} that does not belong to the key type, a {@code
 * kid} other than the key's thumbprint, another {@code cty}, compression and critical headers.
 */
public final class JweKeyWrapper implements RecipientKeyWrapper {

  /** Content type of a wrapped grant key. */
  public static final String CONTENT_TYPE = "grant-key";

  /** Longest JWE accepted (an RSA-3072 JWE of a 32-byte key is about 800 characters). */
  static final int MAX_JWE_CHARS = 8192;

  private JweKeyWrapper() {}

  /** Returns the JWE recipient key wrapper. */
  public static JweKeyWrapper create() {
    return new JweKeyWrapper();
  }

  @Override
  public String wrap(JWK recipientPublicKey, SecretKey grantKey) throws GeneralSecurityException {
    Objects.requireNonNull(recipientPublicKey, "recipientPublicKey");
    KeyPolicy.requireAes256(grantKey, "grant key");
    JWK publicKey = recipientPublicKey.toPublicJWK();
    JWEAlgorithm alg = KeyPolicy.keyWrapAlgorithm(publicKey);
    JWEHeader header =
        new JWEHeader.Builder(alg, EncryptionMethod.A256GCM)
            .keyID(KeyPolicy.thumbprint(publicKey))
            .contentType(CONTENT_TYPE)
            .build();
    byte[] keyBytes = grantKey.getEncoded();
    try {
      JWEObject jwe = new JWEObject(header, new Payload(keyBytes));
      jwe.encrypt(encrypter(publicKey));
      return jwe.serialize();
    } catch (JOSEException e) {
      throw new GeneralSecurityException("cannot wrap the grant key", e);
    } finally {
      Arrays.fill(keyBytes, (byte) 0);
    }
  }

  @Override
  public SecretKey unwrap(JWK recipientPrivateKey, String wrapped) throws GeneralSecurityException {
    Objects.requireNonNull(recipientPrivateKey, "recipientPrivateKey");
    Objects.requireNonNull(wrapped, "wrapped");
    if (!recipientPrivateKey.isPrivate()) {
      throw new InvalidKeyException("unwrapping needs a private key");
    }
    JWEAlgorithm expectedAlg = KeyPolicy.keyWrapAlgorithm(recipientPrivateKey);
    String expectedKid = KeyPolicy.thumbprint(recipientPrivateKey);
    try {
      if (wrapped.length() > MAX_JWE_CHARS) {
        throw new GeneralSecurityException("JWE longer than " + MAX_JWE_CHARS + " characters");
      }
      JWEObject jwe = JWEObject.parse(wrapped);
      checkHeader(jwe.getHeader(), expectedAlg, expectedKid);
      jwe.decrypt(decrypter(recipientPrivateKey));
      return toGrantKey(jwe.getPayload().toBytes());
    } catch (ParseException | JOSEException | GeneralSecurityException | RuntimeException e) {
      // RuntimeException: Nimbus throws some for malformed input, e.g. NullPointerException for a
      // header without "enc" (9.37); the JWE comes from a client, so that too is invalid input.
      throw new GeneralSecurityException("invalid ciphertext", e);
    }
  }

  private static void checkHeader(JWEHeader header, JWEAlgorithm expectedAlg, String expectedKid)
      throws GeneralSecurityException {
    if (!expectedAlg.equals(header.getAlgorithm())) {
      throw new GeneralSecurityException("alg " + header.getAlgorithm() + " not allowed");
    }
    if (!EncryptionMethod.A256GCM.equals(header.getEncryptionMethod())) {
      throw new GeneralSecurityException("enc " + header.getEncryptionMethod() + " not allowed");
    }
    if (!expectedKid.equals(header.getKeyID())) {
      throw new GeneralSecurityException("kid does not match the key's thumbprint");
    }
    if (!CONTENT_TYPE.equals(header.getContentType())) {
      throw new GeneralSecurityException("cty is not " + CONTENT_TYPE);
    }
    if (header.getCompressionAlgorithm() != null) {
      throw new GeneralSecurityException("compression not allowed");
    }
    if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
      throw new GeneralSecurityException("critical header parameters not allowed");
    }
  }

  private static SecretKey toGrantKey(byte[] bytes) throws GeneralSecurityException {
    try {
      if (bytes == null || bytes.length != 32) {
        throw new GeneralSecurityException("payload is not a 256-bit key");
      }
      return new SecretKeySpec(bytes, "AES");
    } finally {
      if (bytes != null) {
        Arrays.fill(bytes, (byte) 0);
      }
    }
  }

  private static JWEEncrypter encrypter(JWK publicKey) throws JOSEException {
    return publicKey instanceof RSAKey rsa
        ? new RSAEncrypter(rsa)
        : new ECDHEncrypter((ECKey) publicKey);
  }

  private static JWEDecrypter decrypter(JWK privateKey) throws JOSEException {
    return privateKey instanceof RSAKey rsa
        ? new RSADecrypter(rsa)
        : new ECDHDecrypter((ECKey) privateKey);
  }
}
