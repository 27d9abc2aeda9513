package org.healthgateway.keys.log;

/** The log could not record or read a key fact (a fault of the store, never a decision). */
public final class KeyLogException extends Exception {
  public KeyLogException(String message, Throwable cause) {
    super(message, cause);
  }
}
