package org.healthgateway.ledger;

/** The log on disk does not verify; {@link #index} names the first bad entry (or -1). */
public final class LedgerCorruptedException extends LedgerException {
  private final long index;

  public LedgerCorruptedException(long index, String message) {
    super(message);
    this.index = index;
  }

  public LedgerCorruptedException(long index, String message, Throwable cause) {
    super(message, cause);
    this.index = index;
  }

  public long index() {
    return index;
  }
}
