package org.healthgateway.ledger;

/** A ledger operation failed: I/O, or a log that does not verify. */
public class LedgerException extends Exception {
  public LedgerException(String message) {
    super(message);
  }

  public LedgerException(String message, Throwable cause) {
    super(message, cause);
  }
}
