package org.healthgateway.keys;

/** The keystore file cannot be read or written, or its password is wrong. */
public final class KeyStorageException extends Exception {
  private static final long serialVersionUID = 1L;

  public KeyStorageException(String message, Throwable cause) {
    super(message, cause);
  }

  public KeyStorageException(String message) {
    super(message);
  }
}
