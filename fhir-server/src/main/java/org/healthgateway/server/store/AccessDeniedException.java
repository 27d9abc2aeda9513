package org.healthgateway.server.store;

/** The requester holds no key for the resource version (a decision, not a fault). */
public final class AccessDeniedException extends Exception {
  public AccessDeniedException(String message) {
    super(message);
  }
}
