package org.healthgateway.keys.internal;

import java.security.GeneralSecurityException;
import java.security.Key;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import org.healthgateway.keys.KeyWrapper;
import org.healthgateway.keys.policy.KeyPolicy;

/**
 * JOSE {@code A256KW}: AES key wrap (RFC 3394) of a 256-bit AES key under a 256-bit AES key.
 *
 * <p>Wire format: the 40 bytes of RFC 3394 output, {@code A (8 bytes) | R1..R4 (4 x 8 bytes)}, with
 * the default initial value {@code A6A6A6A6A6A6A6A6}. The algorithm name travels next to the
 * wrapped bytes (the ledger's {@code WrappedKey.algorithm}), not inside them. Key wrap is
 * deterministic and authenticated by the integrity check value; that is enough because the wrapped
 * keys are random.
 */
public final class AesKeyWrapper implements KeyWrapper {

  /** Length of a wrapped 256-bit key. */
  static final int WRAPPED_BYTES = 40;

  private static final String TRANSFORMATION = "AESWrap";

  private AesKeyWrapper() {}

  /** Returns the A256KW key wrapper. */
  public static AesKeyWrapper create() {
    return new AesKeyWrapper();
  }

  @Override
  public byte[] wrap(SecretKey kek, SecretKey key) throws GeneralSecurityException {
    KeyPolicy.requireAes256(kek, "KEK");
    KeyPolicy.requireAes256(key, "wrapped key");
    Cipher cipher = Cipher.getInstance(TRANSFORMATION);
    cipher.init(Cipher.WRAP_MODE, kek);
    return cipher.wrap(key);
  }

  @Override
  public SecretKey unwrap(SecretKey kek, byte[] wrapped) throws GeneralSecurityException {
    KeyPolicy.requireAes256(kek, "KEK");
    Objects.requireNonNull(wrapped, "wrapped");
    try {
      if (wrapped.length != WRAPPED_BYTES) {
        throw new GeneralSecurityException("wrapped key must be " + WRAPPED_BYTES + " bytes");
      }
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.UNWRAP_MODE, kek);
      Key key = cipher.unwrap(wrapped, "AES", Cipher.SECRET_KEY);
      return (SecretKey) key;
    } catch (GeneralSecurityException e) {
      throw new GeneralSecurityException("invalid ciphertext", e);
    }
  }
}
