package org.healthgateway.keys;

import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/** Fresh random 256-bit AES keys: data keys (DEKs) and grant keys. */
public final class DataKeys {

  /** Length of every data key and grant key, in bytes. */
  public static final int KEY_BYTES = 32;

  private static final SecureRandom RANDOM = new SecureRandom();

  private DataKeys() {}

  /** Returns a new random 256-bit AES key. */
  public static SecretKey newDataKey() {
    byte[] bytes = new byte[KEY_BYTES];
    RANDOM.nextBytes(bytes);
    try {
      return new SecretKeySpec(bytes, "AES");
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }
}
